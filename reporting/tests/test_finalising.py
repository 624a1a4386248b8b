"""Marking a report final: a confirmation page that says what becomes fixed, the SiSa
confirmation gate, and the signature block filled from whoever marks it final."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from finance.factories import ExpenditureFactory
from plans.factories import goal
from reporting.models import SisaYear
from reporting.tests.test_report_figures import build, pdf_lines


def finalise_url(report):
    return reverse("reporting:report-finalise", args=[report.municipality.code, report.pk])


def unconfirm(year, reason=""):
    SisaYear.objects.filter(year=year).update(grant_code_confirmed=False, override_reason=reason)


def test_the_confirmation_page_says_what_becomes_fixed(
    client, hand_made, django_capture_on_commit_callbacks
):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    client.force_login(hand_made.finance_officer)
    page = client.get(finalise_url(report)).content.decode()
    assert "De uitgaven van 2022 zijn vergrendeld" in page
    assert "De cijfers liggen vast" in page
    assert "Alleen de functioneel beheerder kan het jaar heropenen" in page
    # Nothing happens without ticking the confirmation.
    assert client.post(finalise_url(report), {"function": "Controller"}).status_code == 200
    report.refresh_from_db()
    assert not report.is_final


def test_marking_final_fills_the_signature_block_of_the_pdf(
    client, hand_made, django_capture_on_commit_callbacks
):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    concept = "\n".join(pdf_lines(report))
    officer = hand_made.finance_officer
    assert officer.get_full_name() not in concept
    client.force_login(officer)
    response = client.post(finalise_url(report), {"function": "Controller", "confirm": "on"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_final
    assert (report.signatory_name, report.signatory_function) == (
        officer.get_full_name(),
        "Controller",
    )
    lines = pdf_lines(report)
    today = timezone.localdate().strftime("%d-%m-%Y")
    assert f"Naam {officer.get_full_name()} Datum {today}" in lines
    assert any(line.startswith("Functie Controller") for line in lines)
    with report.pdf.open("rb") as stored:
        import hashlib

        assert hashlib.sha256(stored.read()).hexdigest() == report.pdf_sha256


def test_an_unconfirmed_uitkeringscode_blocks_finalising_and_warns_everywhere(
    client, world, hand_made, django_capture_on_commit_callbacks
):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    unconfirm(2022)
    client.force_login(hand_made.finance_officer)
    page = client.get(finalise_url(report)).content.decode()
    assert "zijn niet bevestigd" in page
    assert 'name="confirm"' not in page
    refused = client.post(finalise_url(report), {"function": "Controller", "confirm": "on"})
    assert refused.status_code == 200
    report.refresh_from_db()
    assert not report.is_final
    listing = reverse("reporting:report-list", args=[report.municipality.code])
    assert "SiSa 2022 zijn niet bevestigd" in client.get(listing).content.decode()

    client.force_login(world.functional_admin)
    admin_page = client.get(reverse("admin:reporting_sisayear_changelist"), follow=True)
    assert "Niet bevestigd aan de hand van de bijlage van het ministerie: 2022" in (
        admin_page.content.decode()
    )
    batch = client.post(reverse("reporting:batch-list"), {"year": 2022}, follow=True)
    assert "SiSa 2022 zijn niet bevestigd" in batch.content.decode()


def test_an_override_with_a_reason_lets_the_report_become_final(
    client, hand_made, django_capture_on_commit_callbacks
):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    unconfirm(2022, reason="Bijlage 2022 nog niet gepubliceerd; code volgens beschikking.")
    client.force_login(hand_made.finance_officer)
    assert (
        "met deze reden: Bijlage 2022"
        in client.get(
            reverse("reporting:report-list", args=[report.municipality.code])
        ).content.decode()
    )
    client.post(finalise_url(report), {"function": "Controller", "confirm": "on"})
    report.refresh_from_db()
    assert report.is_final


def test_the_admin_records_who_confirmed_the_code(client, world):
    sisa = SisaYear.objects.get(year=2023)
    sisa.grant_code_confirmed = False
    sisa.save()
    client.force_login(world.functional_admin)
    url = reverse("admin:reporting_sisayear_change", args=[sisa.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "grant_code_confirmed": "on",
            "indicators-TOTAL_FORMS": "0",
            "indicators-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    sisa.refresh_from_db()
    assert sisa.grant_code_confirmed and sisa.confirmed_by == world.functional_admin


def test_a_report_whose_figures_changed_since_it_was_built_is_not_marked_final(
    client, hand_made, django_capture_on_commit_callbacks
):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    ExpenditureFactory(
        municipality=hand_made.municipality,
        goal=goal("thuiszitters"),
        date=datetime.date(2022, 11, 1),
        amount=Decimal("10.00"),
    )
    client.force_login(hand_made.finance_officer)
    page = client.post(finalise_url(report), {"function": "Controller", "confirm": "on"})
    assert "De cijfers zijn veranderd sinds versie 1" in page.content.decode()
    report.refresh_from_db()
    assert not report.is_final
