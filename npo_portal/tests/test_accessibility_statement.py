from django.urls import reverse

from npo_portal.accessibility import CHECKS


def test_the_statement_is_public_and_names_its_status_checks_and_dates(client, db):
    page = client.get(reverse("accessibility"))
    assert page.status_code == 200
    text = page.content.decode()
    assert '<h1 class="h3">Toegankelijkheidsverklaring</h1>' in text
    assert "C \N{EN DASH} eerste maatregelen genomen" in text
    assert "WCAG 2.1, niveau A en AA" in text
    for check in CHECKS:
        assert check.on.strftime("%d-%m-%Y") in text
    assert "Nationale ombudsman" in text


def test_every_page_links_to_the_statement_in_its_footer(client, world):
    statement = f'href="{reverse("accessibility")}"'
    assert statement in client.get(reverse("login")).content.decode()
    client.force_login(world.middelburg.policy_officer)
    footer = client.get(reverse("home")).content.decode().split("<footer")[1]
    assert statement in footer
