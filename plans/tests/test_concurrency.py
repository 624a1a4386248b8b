"""No lost updates: a form saved over a newer version of the plan or intervention is refused."""

import pytest
from django.test import Client
from django.urls import reverse

from plans import services
from plans.factories import InterventionFactory, PlanFactory
from plans.models import Intervention, Plan
from plans.tests.test_views import intervention_data
from tests.versions import STALE_FORM, loaded_version


@pytest.fixture
def plan(world):
    return PlanFactory(municipality=world.middelburg.municipality, title="Plan Middelburg")


@pytest.fixture
def two_officers(world):
    first, second = Client(), Client()
    first.force_login(world.middelburg.policy_officer)
    second.force_login(world.middelburg.policy_officer)
    return first, second


def test_saving_plan_texts_over_a_newer_version_is_refused_and_shows_what_changed(
    plan, two_officers
):
    a, b = two_officers
    url = reverse("plans:edit", kwargs={"pk": plan.pk})
    version_a, version_b = loaded_version(a.get(url)), loaded_version(b.get(url))
    texts = {"title": plan.title, "aims": ""}
    saved = b.post(url, {**texts, "context": "Tekst van B", "version": version_b})
    assert saved.status_code == 302
    refused = a.post(url, {**texts, "context": "Tekst van A", "version": version_a})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Iemand anders heeft dit intussen opgeslagen" in page
    assert "nu “Tekst van B”, van u “Tekst van A”" in page
    plan.refresh_from_db()
    assert plan.context == "Tekst van B"  # B's change survives; without the check A's wins
    assert plan.version == 2


def test_the_refused_form_offers_the_current_version_for_a_deliberate_second_save(
    plan, two_officers
):
    a, b = two_officers
    url = reverse("plans:edit", kwargs={"pk": plan.pk})
    version_a = loaded_version(a.get(url))
    b.post(url, {"title": plan.title, "aims": "", "context": "B", "version": version_a})
    refused = a.post(url, {"title": plan.title, "aims": "", "context": "A", "version": version_a})
    again = a.post(
        url, {"title": plan.title, "aims": "", "context": "A", "version": loaded_version(refused)}
    )
    assert again.status_code == 302
    assert Plan.objects.get().context == "A"


def test_without_the_version_check_the_first_save_is_silently_lost(world, plan):
    """What the check prevents: two stale copies saved one after the other."""
    user = world.middelburg.policy_officer
    copy_a, copy_b = Plan.objects.get(pk=plan.pk), Plan.objects.get(pk=plan.pk)
    services.update_plan_texts(plan=copy_b, title="T", context="B", aims="", user=user)
    services.update_plan_texts(plan=copy_a, title="T", context="A", aims="", user=user)
    assert Plan.objects.get().context == "A"  # B's text is gone without a trace in the form
    stale = Plan.objects.get(pk=plan.pk)
    services.update_plan_texts(plan=copy_b, title="T", context="B2", aims="", user=user, version=3)
    with pytest.raises(services.ValidationError):
        services.update_plan_texts(
            plan=stale, title="T", context="A2", aims="", user=user, version=stale.version
        )
    assert Plan.objects.get().context == "B2"


def test_saving_an_intervention_over_a_newer_version_is_refused(world, plan, two_officers):
    intervention = InterventionFactory(plan=plan, code="B-01", title="Zomerschool")
    a, b = two_officers
    url = reverse("plans:intervention-edit", kwargs={"pk": intervention.pk})
    version_a, version_b = loaded_version(a.get(url)), loaded_version(b.get(url))
    saved = b.post(url, intervention_data(title="Zomerschool B", version=version_b))
    assert saved.status_code == 302
    refused = a.post(url, intervention_data(title="Zomerschool A", version=version_a))
    page = refused.content.decode()
    assert "Iemand anders heeft dit intussen opgeslagen" in page
    assert "Titel: nu “Zomerschool B”, van u “Zomerschool A”" in page
    assert Intervention.objects.get().title == "Zomerschool B"


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_plan_texts_without_a_valid_version_are_refused_and_nothing_is_saved(
    client, world, plan, version
):
    """Without its version a POST would skip the conflict check and could overwrite a newer save."""
    client.force_login(world.middelburg.policy_officer)
    data = {"title": "Nieuwe titel", "context": "Nieuw", "aims": ""}
    if version is not None:
        data["version"] = version
    refused = client.post(reverse("plans:edit", kwargs={"pk": plan.pk}), data)
    assert refused.status_code == 200
    assert STALE_FORM in refused.content.decode()
    saved = Plan.objects.get()
    assert (saved.title, saved.context, saved.version) == (plan.title, plan.context, plan.version)


@pytest.mark.parametrize("version", [None, "abc"])
def test_an_intervention_edit_without_a_valid_version_is_refused_and_nothing_is_saved(
    client, world, plan, version
):
    intervention = InterventionFactory(plan=plan, code="B-01", title="Zomerschool")
    budgets = list(intervention.budgets.values_list("year", "amount"))
    client.force_login(world.middelburg.policy_officer)
    data = intervention_data(title="Zomerschool zonder versie")
    if version is not None:
        data["version"] = version
    url = reverse("plans:intervention-edit", kwargs={"pk": intervention.pk})
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert STALE_FORM in refused.content.decode()
    saved = Intervention.objects.get()
    assert (saved.title, saved.version) == ("Zomerschool", intervention.version)
    assert list(saved.budgets.values_list("year", "amount")) == budgets


def test_creating_an_intervention_needs_no_version(client, world, plan):
    client.force_login(world.middelburg.policy_officer)
    url = reverse("plans:intervention-create", kwargs={"pk": plan.pk})
    assert "version" not in intervention_data()
    assert client.post(url, intervention_data()).status_code == 302
    assert Intervention.objects.get().title == "Zomerschool Walcheren"
