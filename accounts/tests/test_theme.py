"""An organisation's house style (issue 31, item 7): who sets it, what is refused, and that
the pages of its own people, and only theirs, wear it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.factories import TEST_THEME_TOKENS, UserFactory, give_theme, logo_png
from accounts.forms import token_field_name
from accounts.models import OrganisationTheme
from accounts.themes import theme_of

WINE = "#8a1538"


def form_data(tokens=None, **extra):
    data = {token_field_name(name): value for name, value in (tokens or TEST_THEME_TOKENS).items()}
    data.setdefault(token_field_name("--utrecht-page-footer-background-color"), "#ffffff")
    data.setdefault(token_field_name("--utrecht-page-footer-color"), "#595c5f")
    data.update(extra)
    return data


def edit_url(municipality):
    return reverse("theme-edit", args=["gemeente", municipality.code])


def upload(content: bytes, name="logo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_functional_admin_sets_colours_and_logo(client, world):
    client.force_login(world.functional_admin)
    municipality = world.vlissingen.municipality
    response = client.post(edit_url(municipality), form_data(logo=upload(logo_png())))
    assert response.status_code == 302
    record = OrganisationTheme.objects.get(municipality=municipality)
    assert record.tokens["--nl-heading-color"] == WINE
    assert record.logo_type == "image/png"
    with record.logo.open("rb") as stored:
        assert stored.read() == logo_png()
    assert record.updated_by == world.functional_admin


def test_a_jpeg_logo_is_accepted_under_its_real_type(client, world):
    output = io.BytesIO()
    Image.new("RGB", (40, 40), "#00703c").save(output, format="JPEG")
    client.force_login(world.functional_admin)
    # Named .png, but a JPEG: the type comes from the content.
    client.post(edit_url(world.vlissingen.municipality), form_data(logo=upload(output.getvalue())))
    assert OrganisationTheme.objects.get().logo_type == "image/jpeg"


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "logo.svg",
            "Het logo moet een PNG- of JPEG-afbeelding zijn",
        ),
        (b"GIF89a" + b"\x00" * 40, "logo.png", "Het logo moet een PNG- of JPEG-afbeelding zijn"),
        (b"\x89PNG\r\n\x1a\n" + b"niet echt", "logo.png", "Het logo is geen leesbare afbeelding"),
        (logo_png(size=(2400, 10)), "logo.png", "2400 bij 10 pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 300 * 1024, "logo.png", "ten hoogste 256 kB"),
    ],
)
def test_a_logo_that_is_no_small_png_or_jpeg_is_refused_with_the_reason(
    client, world, content, name, reason
):
    client.force_login(world.functional_admin)
    response = client.post(
        edit_url(world.vlissingen.municipality), form_data(logo=upload(content, name=name))
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not OrganisationTheme.objects.exists()


def test_a_token_set_below_wcag_aa_is_refused_naming_the_pair_and_the_ratio(client, world):
    client.force_login(world.functional_admin)
    tokens = {
        **TEST_THEME_TOKENS,
        "--utrecht-page-header-background-color": "#ffd200",
        "--nl-link-color": "#777777",
    }
    response = client.post(edit_url(world.vlissingen.municipality), form_data(tokens))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Kop van de pagina: tekst (#ffffff) op Kop van de pagina: achtergrond (#ffd200) heeft "
        "een contrast van 1,45:1; WCAG 2.1 AA vraagt minstens 4,5:1 voor tekst." in page
    )
    assert "Links (#777777) op de witte pagina (#ffffff) heeft een contrast van 4,47:1" in page
    assert not OrganisationTheme.objects.exists()


def test_a_policy_officer_cannot_set_their_own_municipalitys_house_style(client, world):
    officer = world.vlissingen.policy_officer
    officer.is_key_user = True
    officer.save()
    client.force_login(officer)
    assert client.get(edit_url(world.vlissingen.municipality)).status_code == 403
    response = client.post(edit_url(world.vlissingen.municipality), form_data())
    assert response.status_code == 403
    assert not OrganisationTheme.objects.exists()


@pytest.mark.parametrize("role", ["policy_officer", "finance_officer", "board_user"])
def test_another_organisations_people_cannot_reach_the_house_style(client, world, role):
    give_theme(world.vlissingen.municipality, admin=world.functional_admin)
    client.force_login(getattr(world.middelburg, role))
    for name in ("theme-edit", "theme-css", "theme-logo"):
        url = reverse(name, args=["gemeente", world.vlissingen.municipality.code])
        assert client.get(url).status_code in (403, 404), name
    response = client.post(edit_url(world.vlissingen.municipality), form_data(tokens={}))
    assert response.status_code in (403, 404)
    assert OrganisationTheme.objects.get().tokens["--nl-heading-color"] == WINE


def test_a_school_boards_house_style_is_its_own(client, world):
    board = world.vlissingen.board
    client.force_login(world.functional_admin)
    response = client.post(reverse("theme-edit", args=["bestuur", board.number]), form_data())
    assert response.status_code == 302
    board.refresh_from_db()
    assert theme_of(board).heading_color == WINE
    css = reverse("theme-css", args=["bestuur", board.number])
    client.force_login(world.middelburg.board_user)
    assert client.get(css).status_code == 404
    client.force_login(world.vlissingen.board_user)
    assert client.get(css).status_code == 200
    assert f'href="{css}?v=' in client.get(reverse("home")).content.decode()


def test_the_themed_municipalitys_pages_link_its_stylesheet_and_logo(client, world):
    give_theme(world.vlissingen.municipality, admin=world.functional_admin)
    client.force_login(world.vlissingen.policy_officer)
    page = client.get(reverse("home")).content.decode()
    assert 'href="/huisstijl/gemeente/GM0718/stijl.css?v=' in page
    assert 'src="/huisstijl/gemeente/GM0718/logo/?v=' in page
    assert 'alt="Logo van Vlissingen"' in page
    # No <style> block: the content security policy allows stylesheets from the portal only.
    assert "<style" not in page


def test_another_municipalitys_pages_keep_the_portals_own_look(client, world):
    give_theme(world.vlissingen.municipality, admin=world.functional_admin)
    client.force_login(world.middelburg.policy_officer)
    page = client.get(reverse("home")).content.decode()
    assert "huisstijl" not in page


def test_the_stylesheet_holds_the_tokens_and_may_be_kept_for_its_version(client, world):
    give_theme(world.vlissingen.municipality, admin=world.functional_admin)
    client.force_login(world.vlissingen.finance_officer)
    version = theme_of(world.vlissingen.municipality).version
    url = reverse("theme-css", args=["gemeente", "GM0718"])
    response = client.get(f"{url}?v={version}")
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert "private" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    css = response.content.decode()
    assert f"--nl-heading-color: {WINE};" in css
    assert f"--utrecht-page-header-background-color: {WINE};" in css
    assert "--bs-primary-rgb: 138, 21, 56;" in css
    assert "no-cache" in client.get(url + "?v=old")["Cache-Control"]


def test_the_logo_is_served_to_its_own_people_under_its_type(client, world):
    give_theme(world.vlissingen.municipality, admin=world.functional_admin)
    client.force_login(world.vlissingen.policy_officer)
    response = client.get(reverse("theme-logo", args=["gemeente", "GM0718"]))
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == logo_png()


def test_a_new_version_after_each_change_and_the_old_logo_is_deleted(
    world, django_capture_on_commit_callbacks
):
    first = give_theme(world.vlissingen.municipality, admin=world.functional_admin)
    old_name, storage = first.logo.name, first.logo.storage
    old_version = theme_of(world.vlissingen.municipality).version
    with django_capture_on_commit_callbacks(execute=True):
        give_theme(
            world.vlissingen.municipality,
            admin=world.functional_admin,
            logo=logo_png(colour="#000000"),
        )
    assert theme_of(world.vlissingen.municipality).version != old_version
    assert not storage.exists(old_name)


def test_back_to_the_portals_own_look(client, world):
    give_theme(world.vlissingen.municipality, admin=world.functional_admin)
    client.force_login(world.functional_admin)
    response = client.post(edit_url(world.vlissingen.municipality), {"reset": "1"})
    assert response.status_code == 302
    assert not OrganisationTheme.objects.exists()
    client.force_login(world.vlissingen.policy_officer)
    assert "huisstijl" not in client.get(reverse("home")).content.decode()


def test_the_municipality_page_offers_the_house_style_to_the_administrator_only(client, world):
    url = reverse("municipality-detail", args=["GM0718"])
    client.force_login(world.functional_admin)
    assert edit_url(world.vlissingen.municipality) in client.get(url).content.decode()
    client.force_login(world.vlissingen.policy_officer)
    assert edit_url(world.vlissingen.municipality) not in client.get(url).content.decode()


def test_a_key_user_of_another_kind_cannot_set_it_through_the_service(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        give_theme(world.vlissingen.municipality, admin=world.vlissingen.finance_officer)
    with pytest.raises(ValidationError):
        give_theme(world.vlissingen.municipality, admin=UserFactory(username="x", is_key_user=True))


def test_the_demo_gives_vlissingen_alone_a_house_style_once(db):
    from accounts.demo import DEMO_THEME_TOKENS, seed_demo

    seed_demo()
    record = OrganisationTheme.objects.get()
    assert record.municipality.code == "GM0718"
    assert record.tokens == DEMO_THEME_TOKENS
    assert record.logo_type == "image/png"
    changed_at = record.updated_at
    seed_demo()
    assert OrganisationTheme.objects.get().updated_at == changed_at


def test_a_house_style_costs_a_page_no_query(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.vlissingen.policy_officer)
    client.get(reverse("home"))  # the session and the closing notice's cache
    with CaptureQueriesContext(connection) as plain:
        client.get(reverse("home"))
    give_theme(world.vlissingen.municipality, admin=world.functional_admin)
    client.get(reverse("home"))  # caches that follow a write to the municipality fill again
    with CaptureQueriesContext(connection) as themed:
        page = client.get(reverse("home")).content.decode()
    assert "stijl.css" in page
    assert len(themed.captured_queries) == len(plain.captured_queries)
