"""A municipality's house style reaches its e-mails and its PDFs: the plan, the accountability
report, the invitation and the needs round's reminder (issue 31, item 7)."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.factories import TEST_THEME_TOKENS, give_theme, logo_png
from accounts.services import send_invitation_mail
from plans.factories import InterventionFactory, PlanFactory
from reporting.tests.conftest import hand_made_data
from reporting.tests.test_report_figures import build
from schools import services as school_services
from schools.factories import NeedsRoundFactory
from tests.theme_checks import as_fill, figure_alts, mail_html_and_logo, pdf_images_and_fill_colours

WINE = TEST_THEME_TOKENS["--nl-heading-color"]


@pytest.fixture
def themed(world):
    give_theme(world.middelburg.municipality, admin=world.functional_admin)
    return world.middelburg


def test_the_plan_pdf_carries_the_logo_and_the_heading_colour(client, world, themed):
    plan = PlanFactory(municipality=themed.municipality, title="Plan Middelburg")
    InterventionFactory(plan=plan, title="Zomerschool", budgets={2022: "1000.00"})
    client.force_login(themed.policy_officer)
    content = client.get(reverse("plans:pdf", kwargs={"pk": plan.pk})).content
    images, colours, pdf = pdf_images_and_fill_colours(content)
    assert len(images) == 1
    assert (int(images[0].Width), int(images[0].Height)) == (80, 40)
    assert as_fill(WINE) in colours
    assert "Logo van Middelburg (Z.)" in figure_alts(pdf)


def test_another_municipalitys_plan_pdf_keeps_the_portals_look(client, world, themed):
    plan = PlanFactory(municipality=world.vlissingen.municipality)
    client.force_login(world.vlissingen.policy_officer)
    content = client.get(reverse("plans:pdf", kwargs={"pk": plan.pk})).content
    images, colours, _pdf = pdf_images_and_fill_colours(content)
    assert images == []
    assert as_fill(WINE) not in colours


def test_the_report_pdf_carries_the_logo_and_the_heading_colour(
    world, django_capture_on_commit_callbacks
):
    hand_made = hand_made_data(world.middelburg)
    give_theme(world.middelburg.municipality, admin=world.functional_admin)
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    with report.pdf.open("rb") as stored:
        images, colours, pdf = pdf_images_and_fill_colours(stored.read())
    assert len(images) == 1
    assert as_fill(WINE) in colours
    assert "Logo van Middelburg (Z.)" in figure_alts(pdf)


def test_the_invitation_is_sent_in_the_municipalitys_colours_with_its_logo(world, themed):
    send_invitation_mail(user=themed.finance_officer)
    (message,) = mail.outbox
    html, logo = mail_html_and_logo(message)
    assert f"background-color:{WINE}" in html
    assert 'src="cid:logo@npo-portal"' in html
    assert f'<a style="color:{WINE}" href="http' in html  # the link to set a password
    assert 'alt="Logo van Middelburg (Z.)"' in html
    assert logo["Content-ID"] == "<logo@npo-portal>"
    assert logo.get_payload(decode=True) == logo_png()
    assert "wachtwoord" in message.body  # the text part stays for readers without HTML


def test_an_unthemed_municipalitys_mail_has_the_portals_colours_and_no_logo(world, themed):
    send_invitation_mail(user=world.vlissingen.finance_officer)
    html, logo = mail_html_and_logo(mail.outbox[0])
    assert "background-color:#154273" in html
    assert WINE not in html
    assert logo is None


def test_the_needs_reminder_to_a_board_wears_the_municipalitys_style(
    world, themed, django_capture_on_commit_callbacks
):
    needs_round = NeedsRoundFactory(municipality=themed.municipality, title="Peiling voorjaar")
    with django_capture_on_commit_callbacks(execute=True):
        school_services.send_reminders(needs_round=needs_round)
    assert mail.outbox
    html, logo = mail_html_and_logo(mail.outbox[0])
    assert f"color:{WINE}" in html
    assert logo is not None


def test_the_password_reset_mail_wears_the_municipalitys_style(client, world, themed):
    client.post(reverse("password_reset"), {"email": themed.policy_officer.email})
    (message,) = mail.outbox
    html, logo = mail_html_and_logo(message)
    assert f"background-color:{WINE}" in html
    assert f'<a style="color:{WINE}" href="http' in html  # the link to set a new password
    assert logo.get_payload(decode=True) == logo_png()
    assert message.subject == "NPO Portal: stel een nieuw wachtwoord in"
    assert "/wachtwoord-instellen/" in message.body
