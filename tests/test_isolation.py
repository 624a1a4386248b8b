"""Tenant isolation, proven for every view the URL resolver knows.

Each app lists its own views in `<app>/tests/isolation.py`.

Views are discovered, not listed: a new URL pattern fails `test_every_view_is_classified`
until it is either public (with a reason) or has an entry in OTHER_ORGANISATION_KWARGS that
says how to point it at the other organisation's objects.
"""

from collections.abc import Callable, Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.models import User
from api.tests import isolation as api_isolation
from archive.tests import isolation as archive_isolation
from auditing import middleware as auditing_middleware
from auditing.factories import AuditorGrantFactory
from auditing.models import AuditorGrant
from auditing.tests import isolation as auditing_isolation
from finance.tests import isolation as finance_isolation
from identity.tests import isolation as identity_isolation
from insight.tests import isolation as insight_isolation
from plans.tests import isolation as plans_isolation
from reporting.tests import isolation as reporting_isolation
from schools.tests import isolation as schools_isolation
from settlement.tests import isolation as settlement_isolation
from tests.world import Organisation, World

APP_ISOLATION = [
    schools_isolation,
    plans_isolation,
    finance_isolation,
    reporting_isolation,
    api_isolation,
    insight_isolation,
    identity_isolation,
    auditing_isolation,
    settlement_isolation,
    archive_isolation,
]
# The REST API answers tokens, not sessions: tests/test_api_isolation.py walks its
# namespace and checks every endpoint with every token.
API_NAMESPACE = "api-v1"

PUBLIC_VIEWS = {
    "login": "the way in",
    "password_reset": "asking for a reset link must work without an account",
    "password_reset_done": "confirmation page without data",
    "password_reset_confirm": "guarded by the signed token in the link",
    "password_reset_complete": "confirmation page without data",
    "health": "polled by load balancers and container health checks; shows no data",
    "health-live": "the orchestrator's liveness probe; shows no data",
    "metrics": "counts per view, task and queue, no organisation's data; refused without "
    "the bearer token METRICS_TOKEN (tests/test_observability.py)",
    "set_language": "the language choice of an anonymous visitor",
    "accessibility": "the accessibility statement is for everyone, linked from every footer",
}
for app in APP_ISOLATION:
    PUBLIC_VIEWS.update(getattr(app, "PUBLIC_VIEWS", {}))

# Views behind login that show no organisation's objects by URL parameter; their content is
# checked for leaks of the other organisation below.
UNPARAMETERISED_VIEWS = {"home", "logout", "municipality-list"}.union(
    *(app.UNPARAMETERISED_VIEWS for app in APP_ISOLATION)
)

# How to point a parameterised view at an object of `other`.
OTHER_ORGANISATION_KWARGS: dict[str, Callable[[Organisation], dict]] = {
    "municipality-detail": lambda other: {"code": other.municipality.code},
    "school-board-detail": lambda other: {"number": other.board.number},
    "theme-edit": lambda other: {"kind": "gemeente", "key": other.municipality.code},
    "theme-css": lambda other: {"kind": "gemeente", "key": other.municipality.code},
    "theme-logo": lambda other: {"kind": "gemeente", "key": other.municipality.code},
}
for app in APP_ISOLATION:
    OTHER_ORGANISATION_KWARGS.update(app.OTHER_ORGANISATION_KWARGS)

ROLES = ["policy_officer", "finance_officer", "board_user"]
REFUSED = {403, 404}


def portal_url_names() -> Iterator[str]:
    """Every named URL of the portal, outside the admin (checked separately)."""

    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("admin", API_NAMESPACE):
                    continue
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}:{entry.name}" if namespace else entry.name

    yield from walk(get_resolver().url_patterns)


def test_every_view_is_classified():
    unclassified = (
        set(portal_url_names())
        - set(PUBLIC_VIEWS)
        - UNPARAMETERISED_VIEWS
        - set(OTHER_ORGANISATION_KWARGS)
    )
    assert not unclassified, f"Views without an isolation rule: {sorted(unclassified)}"


def cases(world: World, roles: list[str] = ROLES) -> Iterator[tuple[str, User, dict]]:
    """(view, user, kwargs): each Middelburg role against each object of Vlissingen, and each
    Vlissingen role against Middelburg's."""
    for mine, other in ((world.middelburg, world.vlissingen), (world.vlissingen, world.middelburg)):
        for name, kwargs_for in OTHER_ORGANISATION_KWARGS.items():
            for role in roles:
                yield name, getattr(mine, role), kwargs_for(other)


# One test per role and method: each walks every view twice (both directions), which keeps
# it well under half a minute and lets parallel test processes share the walk.
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_no_role_reaches_the_other_organisations_objects(client, world, method, role):
    checked = 0
    for name, user, kwargs in cases(world, roles=[role]):
        client.force_login(user)
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        allowed = REFUSED | ({405} if method == "post" else set())
        assert response.status_code in allowed, (
            f"{user.username} {method.upper()} {name}: {response.status_code}"
        )
        checked += 1
    assert checked == 2 * len(OTHER_ORGANISATION_KWARGS)


@pytest.mark.parametrize(
    "name", sorted(OTHER_ORGANISATION_KWARGS) + sorted(UNPARAMETERISED_VIEWS - {"logout"})
)
def test_anonymous_visitors_are_sent_to_login(client, world, name):
    kwargs = (
        OTHER_ORGANISATION_KWARGS[name](world.middelburg)
        if name in OTHER_ORGANISATION_KWARGS
        else {}
    )
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(UNPARAMETERISED_VIEWS - {"logout"}))
@pytest.mark.parametrize("role", ROLES)
def test_pages_without_parameters_do_not_show_the_other_organisation(client, world, name, role):
    client.force_login(getattr(world.middelburg, role))
    body = client.get(reverse(name)).content.decode()
    for marker in (
        world.vlissingen.municipality.name,
        world.vlissingen.municipality.code,
        world.vlissingen.board.name,
        world.vlissingen.policy_officer.username,
    ):
        assert marker not in body, f"{role} sees {marker!r} on {name}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_key_users_reach_no_other_organisations_objects(client, world, method):
    """Key users manage their own organisation's people: every parameterised view, pointed
    at the other organisation's objects, is refused to a key user of each organisation."""
    checked = 0
    for mine, other in ((world.middelburg, world.vlissingen), (world.vlissingen, world.middelburg)):
        for key_user in (mine.policy_officer, mine.board_user):
            User.objects.filter(pk=key_user.pk).update(is_key_user=True)
            client.force_login(User.objects.get(pk=key_user.pk))
            for name, kwargs_for in OTHER_ORGANISATION_KWARGS.items():
                response = getattr(client, method)(reverse(name, kwargs=kwargs_for(other)))
                allowed = REFUSED | ({405} if method == "post" else set())
                assert response.status_code in allowed, (
                    f"key user {key_user.username} {method.upper()} {name}: {response.status_code}"
                )
                checked += 1
    assert checked == 2 * 2 * len(OTHER_ORGANISATION_KWARGS)
    assert User.objects.filter(is_active=False).count() == 0


def test_owners_do_reach_their_own_objects(client, world):
    """The refusals above are not an artefact of views that refuse everyone."""
    client.force_login(world.middelburg.policy_officer)
    assert client.get(reverse("municipality-detail", kwargs={"code": "GM0687"})).status_code == 200
    client.force_login(world.middelburg.board_user)
    assert client.get(reverse("school-board-detail", kwargs={"number": "41001"})).status_code == 200


def test_downloads_and_exports_are_in_the_suite():
    """File downloads answer with a file, not a page: they must be refused all the same."""
    downloads = {
        "plans:pdf",
        "plans:print",
        "plans:history",
        "schools:picture-xlsx",
        "schools:picture-csv",
        "finance:history",
        "finance:import-detail",
        "settlement:letter",
        "archive:package-download",
    }
    assert downloads <= set(OTHER_ORGANISATION_KWARGS)


# The auditor (issue 16): one municipality, one time window, read-only ----------------------

AUDITOR_READS = auditing_middleware.READ_ONLY_VIEWS
AUDITOR_OWN_ACCOUNT = auditing_middleware.OWN_ACCOUNT_VIEWS


def auditor_with_access(world: World, **traits) -> User:
    """Middelburg's auditor, with an access that holds today unless `traits` say otherwise."""
    return AuditorGrantFactory(municipality=world.middelburg.municipality, **traits).auditor


def own_cases(world: World) -> list[tuple[str, dict]]:
    """Every view of the portal pointed at Middelburg's own objects."""
    cases = [
        (name, kwargs_for(world.middelburg))
        for name, kwargs_for in OTHER_ORGANISATION_KWARGS.items()
    ]
    return cases + [(name, {}) for name in sorted(UNPARAMETERISED_VIEWS - {"logout"})]


def row_counts() -> dict[str, int]:
    """The rows of every model of the portal's own apps, but the auditor's access log."""
    from django.apps import apps

    apps_of_portal = {
        "accounts",
        "identity",
        "schools",
        "plans",
        "finance",
        "reporting",
        "api",
        "insight",
        "auditing",
        "settlement",
        "archive",
    }
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in apps_of_portal and model._meta.label != "auditing.AuditorAccess"
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_auditor_reaches_nothing_of_another_municipality(client, world, method):
    client.force_login(auditor_with_access(world))
    checked = 0
    for name, kwargs_for in OTHER_ORGANISATION_KWARGS.items():
        response = getattr(client, method)(reverse(name, kwargs=kwargs_for(world.vlissingen)))
        allowed = REFUSED | ({405} if method == "post" else set())
        assert response.status_code in allowed, (
            f"auditor {method.upper()} {name}: {response.status_code}"
        )
        checked += 1
    assert checked == len(OTHER_ORGANISATION_KWARGS)


def test_within_the_window_an_auditor_reads_finance_reports_dossier_and_history_only(client, world):
    client.force_login(auditor_with_access(world))
    read, refused = [], []
    for name, kwargs in own_cases(world):
        if name in AUDITOR_OWN_ACCOUNT:
            continue
        status = client.get(reverse(name, kwargs=kwargs)).status_code
        if name in AUDITOR_READS:
            assert status in (200, 302), f"auditor cannot read {name}: {status}"
            read.append(name)
        else:
            assert status in REFUSED, f"auditor reaches {name}: {status}"
            refused.append(name)
    names = {name for name, _kwargs in own_cases(world)}
    assert set(read) == AUDITOR_READS & names == AUDITOR_READS
    assert len(read) + len(refused) == len(names - AUDITOR_OWN_ACCOUNT)


def test_an_auditor_changes_nothing_of_their_own_municipality(client, world):
    client.force_login(auditor_with_access(world))
    cases = own_cases(world)
    before = row_counts()
    checked = 0
    for name, kwargs in cases:
        if name in AUDITOR_OWN_ACCOUNT:
            continue
        response = client.post(reverse(name, kwargs=kwargs), {"year": 2022, "reason": "x"})
        assert response.status_code in REFUSED | {405}, (
            f"auditor POST {name}: {response.status_code}"
        )
        checked += 1
    assert row_counts() == before
    assert checked == len([name for name, _ in cases if name not in AUDITOR_OWN_ACCOUNT])


@pytest.mark.parametrize("window", ["expired", "not_yet", "revoked"])
def test_outside_the_window_an_auditor_reads_nothing(client, world, window):
    if window == "revoked":
        grant = AuditorGrantFactory(municipality=world.middelburg.municipality)
        AuditorGrant.objects.filter(pk=grant.pk).update(
            revoked_at=timezone.now(), revoked_by=grant.granted_by
        )
        auditor = grant.auditor
    else:
        auditor = auditor_with_access(world, **{window: True})
    client.force_login(auditor)
    checked = 0
    for name, kwargs in own_cases(world):
        if name in AUDITOR_OWN_ACCOUNT:
            continue
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code in REFUSED, (
            f"{window} auditor reaches {name}: {response.status_code}"
        )
        checked += 1
    assert checked == len([name for name, _ in own_cases(world) if name not in AUDITOR_OWN_ACCOUNT])
