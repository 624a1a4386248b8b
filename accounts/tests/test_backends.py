"""The signed-in user is loaded with their organisation, and sessions signed in before that
change stay signed in (accounts/backends.py, accounts/middleware.py; issue 32)."""

from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.backends import USER_BACKEND
from accounts.middleware import AuthenticationMiddleware
from accounts.models import User

DJANGO_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
OIDC_BACKEND = "identity.oidc.OrganisationOIDCBackend"


def signed_in_session(client, user, backend: str):
    """The client's session as `login` left it when `backend` signed `user` in."""
    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session


def request_with_session(user, backend: str):
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = backend
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore(store.session_key)
    return request


def test_the_user_backend_replaces_djangos_model_backend():
    assert USER_BACKEND in settings.AUTHENTICATION_BACKENDS
    assert DJANGO_MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS
    assert "accounts.middleware.AuthenticationMiddleware" in settings.MIDDLEWARE
    assert "django.contrib.auth.middleware.AuthenticationMiddleware" not in settings.MIDDLEWARE


def test_a_session_signed_in_through_djangos_model_backend_stays_signed_in(client, world):
    officer = world.middelburg.finance_officer
    signed_in_session(client, officer, DJANGO_MODEL_BACKEND)

    response = client.get(reverse("finance:dashboard", args=[world.middelburg.municipality.code]))

    assert response.status_code == 200
    assert response.context["user"] == officer
    # The session now names the backend that loads its user, and keeps working with it.
    assert client.session[BACKEND_SESSION_KEY] == USER_BACKEND
    assert client.session[SESSION_KEY] == str(officer.pk)
    assert client.get(reverse("home")).context["user"] == officer


def test_a_password_sign_in_is_remembered_with_the_user_backend(client, world):
    from accounts.factories import TEST_PASSWORD

    officer = world.middelburg.policy_officer
    response = client.post(
        reverse("login"),
        {"username": officer.username, "password": TEST_PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )

    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == USER_BACKEND


def test_a_session_of_an_unknown_backend_is_still_signed_out(client, world):
    signed_in_session(client, world.middelburg.policy_officer, "somewhere.else.Backend")

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_old_session_is_signed_out_once_its_password_changed(client, world):
    officer = world.middelburg.policy_officer
    signed_in_session(client, officer, DJANGO_MODEL_BACKEND)
    officer.set_password("een ander lang wachtwoord")
    officer.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_an_old_session_of_a_deactivated_user_is_signed_out(client, world):
    officer = world.middelburg.policy_officer
    signed_in_session(client, officer, DJANGO_MODEL_BACKEND)
    officer.is_active = False
    officer.save()

    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("backend", [DJANGO_MODEL_BACKEND, USER_BACKEND, OIDC_BACKEND])
def test_the_user_and_their_municipality_cost_one_query(world, backend, django_assert_num_queries):
    officer = world.middelburg.policy_officer
    request = request_with_session(officer, backend)
    AuthenticationMiddleware(lambda request: None).process_request(request)
    assert request.session[SESSION_KEY]  # the session's own read is not what is counted

    with django_assert_num_queries(1):
        assert request.user == officer
        assert request.user.municipality.code == world.middelburg.municipality.code
        assert request.user.organisation == world.middelburg.municipality


def test_a_board_user_and_their_board_cost_one_query(world, django_assert_num_queries):
    board_user = world.middelburg.board_user
    request = request_with_session(board_user, USER_BACKEND)
    assert request.session[SESSION_KEY]

    with django_assert_num_queries(1):
        user = get_user(request)
        assert user == board_user
        assert user.organisation == world.middelburg.board


def test_a_page_asks_no_query_for_the_users_municipality(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    officer = world.middelburg.finance_officer
    client.force_login(officer)
    client.get(reverse("home"))  # the session's first request writes its activity
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))

    assert response.status_code == 200
    own = f'WHERE "accounts_municipality"."id" = {officer.municipality_id} LIMIT 21'
    assert not [query["sql"] for query in captured if own in query["sql"]]


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_the_compiled_user_query_reads_what_the_orm_reads(world):
    from accounts.backends import user_with_organisation, users_with_organisation

    world.middelburg.policy_officer.last_login = timezone.now()
    world.middelburg.policy_officer.save()
    for expected in (
        world.middelburg.policy_officer,
        world.middelburg.board_user,
        world.functional_admin,
    ):
        orm = users_with_organisation().get(pk=expected.pk)
        user = user_with_organisation(expected.pk)

        assert type(user) is type(orm)
        assert _fields(user) == _fields(orm)
        assert user._state.adding is False
        assert user._state.db == orm._state.db
        for relation in ("municipality", "school_board"):
            related, orm_related = getattr(user, relation), getattr(orm, relation)
            assert (related is None) == (orm_related is None)
            if related is not None:
                assert type(related) is type(orm_related)
                assert _fields(related) == _fields(orm_related)
    assert user_with_organisation(max(u.pk for u in User.objects.all()) + 1) is None


def test_the_compiled_user_query_sees_every_change_at_once(world, django_assert_num_queries):
    from accounts.backends import user_with_organisation

    officer = world.middelburg.policy_officer
    officer.first_name = "Anders"
    officer.save()
    world.middelburg.municipality.name = "Middelburg (Zeeland)"
    world.middelburg.municipality.save()

    with django_assert_num_queries(1):
        user = user_with_organisation(officer.pk)
        assert user.first_name == "Anders"
        assert user.municipality.name == "Middelburg (Zeeland)"
