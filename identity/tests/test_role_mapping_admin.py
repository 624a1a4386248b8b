"""The admin checks each role mapping against the kind of organisation the provider serves,
with Dutch form errors: before, a municipality's provider saved a mapping to the school
board role (which sign-in then ignored), and a forbidden role showed the raw constraint."""

import pytest
from django.urls import reverse

from accounts.models import Role
from identity.models import IdentityProvider, RoleMapping
from identity.tests.test_client_secret import admin_client, admin_data

pytestmark = pytest.mark.django_db

WRONG_KIND = "Deze rol hoort niet bij het soort organisatie van deze identity provider."


def with_mappings(world, *mappings, **overrides) -> dict:
    data = admin_data(world, **{"client_secret_variable": "NPO_OIDC_SECRET", **overrides})
    data["role_mappings-TOTAL_FORMS"] = str(len(mappings))
    for index, (claim, role) in enumerate(mappings):
        data[f"role_mappings-{index}-claim_value"] = claim
        data[f"role_mappings-{index}-role"] = role
        data[f"role_mappings-{index}-position"] = "0"
    return data


def inline_errors(response) -> str:
    return " ".join(
        str(error)
        for formset in response.context["inline_admin_formsets"]
        for error in formset.formset.errors
    )


def test_a_municipalitys_provider_refuses_a_school_board_mapping(client, world):
    client = admin_client(client, world)
    response = client.post(
        reverse("admin:identity_identityprovider_add"),
        with_mappings(world, ("npo-bestuur", Role.SCHOOL_BOARD)),
    )
    assert response.status_code == 200
    assert WRONG_KIND in inline_errors(response)
    assert not IdentityProvider.objects.exists() and not RoleMapping.objects.exists()


def test_a_boards_provider_refuses_a_municipal_mapping_also_when_the_kind_changes(client, world):
    provider = IdentityProvider.objects.create(
        name="Gemeente Middelburg",
        slug="middelburg",
        municipality=world.middelburg.municipality,
        issuer="https://login.middelburg.example",
        client_id="npo",
    )
    RoleMapping.objects.create(provider=provider, claim_value="fin", role=Role.FINANCE_OFFICER)
    client = admin_client(client, world)
    data = with_mappings(
        world,
        ("fin", Role.FINANCE_OFFICER),
        municipality="",
        school_board=world.middelburg.board.pk,
    )
    data["role_mappings-INITIAL_FORMS"] = "1"
    data["role_mappings-0-id"] = RoleMapping.objects.get().pk
    data["role_mappings-0-provider"] = provider.pk
    response = client.post(
        reverse("admin:identity_identityprovider_change", args=[provider.pk]), data
    )
    assert response.status_code == 200
    assert WRONG_KIND in inline_errors(response)
    provider.refresh_from_db()
    assert provider.municipality_id == world.middelburg.municipality.pk


@pytest.mark.parametrize("role", [Role.FUNCTIONAL_ADMIN, Role.MONITOR, Role.AUDITOR, "iets"])
def test_a_forbidden_role_is_a_form_error_not_a_constraint_name(client, world, role):
    client = admin_client(client, world)
    response = client.post(
        reverse("admin:identity_identityprovider_add"), with_mappings(world, ("x", role))
    )
    assert response.status_code == 200
    errors = inline_errors(response)
    assert "Selecteer een geldige keuze" in errors
    assert "role_mapping_organisation_role" not in response.content.decode()
    assert not RoleMapping.objects.exists()


def test_a_fitting_mapping_is_saved(client, world):
    client = admin_client(client, world)
    response = client.post(
        reverse("admin:identity_identityprovider_add"),
        with_mappings(world, ("npo-financien", Role.FINANCE_OFFICER)),
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        inline_errors(response),
    )
    assert RoleMapping.objects.get().role == Role.FINANCE_OFFICER
