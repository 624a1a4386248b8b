from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


def test_unknown_page_is_a_dutch_404(client, world):
    client.force_login(world.middelburg.policy_officer)
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.content.decode()


def test_server_error_page_renders_without_request_context(db):
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Er ging iets mis bij ons" in response.content.decode()


def test_expired_form_explains_in_dutch_that_nothing_was_saved(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.middelburg.policy_officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    assert "er is niets opgeslagen" in response.content.decode()
