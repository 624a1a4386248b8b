"""Allocations uploaded on /financien/toekenningen/importeren/ and the import's template file."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from finance.services import EXPENDITURE_COLUMNS
from plans.models import Allocation

UPLOAD = reverse("finance:allocation-import")


def allocations_file(*rows: str) -> SimpleUploadedFile:
    data = "\n".join(["gemeentecode;gemeente;bedrag", *rows]).encode()
    return SimpleUploadedFile("toekenningen.csv", data, content_type="text/csv")


def test_functional_admin_uploads_allocations_with_a_decision_reference(client, world):
    client.force_login(world.functional_admin)
    response = client.post(
        UPLOAD,
        {"file": allocations_file("GM0687;Middelburg;1.214.683,00"), "decision_reference": "B-1"},
        follow=True,
    )
    allocation = Allocation.objects.get(municipality=world.middelburg.municipality)
    assert (allocation.amount, allocation.decision_reference) == (Decimal("1214683.00"), "B-1")
    assert "Toekenningen geïmporteerd: 1 nieuw" in response.content.decode()


def test_a_file_past_the_memory_limit_is_read_from_its_temporary_file(
    client, world, settings, monkeypatch
):
    """Django streams a large upload to a temporary file; the import reads that file and
    never the whole upload into memory."""
    from django.core.files.uploadedfile import TemporaryUploadedFile

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    monkeypatch.setattr(
        TemporaryUploadedFile, "read", lambda *a: pytest.fail("the upload was read whole")
    )
    client.force_login(world.functional_admin)
    client.post(UPLOAD, {"file": allocations_file("GM0687;Middelburg;1.214.683,00")})
    allocation = Allocation.objects.get(municipality=world.middelburg.municipality)
    assert allocation.amount == Decimal("1214683.00")


def test_a_bad_row_imports_nothing_and_is_named(client, world):
    client.force_login(world.functional_admin)
    response = client.post(
        UPLOAD, {"file": allocations_file("GM0687;Middelburg;1000", "XX12;Nergens;5")}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Er is niets geïmporteerd" in body and "Rij 3" in body
    assert not Allocation.objects.exists()


def test_only_the_functional_admin_may_upload_allocations(client, world):
    for user in (
        world.middelburg.finance_officer,
        world.middelburg.policy_officer,
        world.middelburg.board_user,
    ):
        client.force_login(user)
        assert client.get(UPLOAD).status_code == 403
        response = client.post(UPLOAD, {"file": allocations_file("GM0687;Middelburg;1000")})
        assert response.status_code == 403
    assert not Allocation.objects.exists()


def test_the_allocation_page_offers_the_upload_instead_of_a_command(client, world):
    client.force_login(world.functional_admin)
    body = client.get(reverse("finance:allocation-list")).content.decode()
    assert "manage.py" not in body
    assert UPLOAD in body


def test_the_import_template_holds_the_import_columns_and_reads_back(client, world):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    page = client.get(reverse("finance:import", kwargs={"code": municipality.code}))
    xlsx_url = reverse("finance:import-template", kwargs={"code": municipality.code, "fmt": "xlsx"})
    csv_url = reverse("finance:import-template", kwargs={"code": municipality.code, "fmt": "csv"})
    assert xlsx_url in page.content.decode() and csv_url in page.content.decode()

    response = client.get(csv_url)
    assert response["Content-Disposition"] == 'attachment; filename="uitgaven-importsjabloon.csv"'
    headings = [column.capitalize() for column in EXPENDITURE_COLUMNS]
    assert response.content.decode("utf-8-sig").strip() == ";".join(headings)

    response = client.get(xlsx_url)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [cell.value for cell in next(workbook.active.iter_rows(max_row=1))]
    assert header == headings


def test_the_import_template_is_the_finance_officers_alone(client, world):
    municipality = world.middelburg.municipality
    url = reverse("finance:import-template", kwargs={"code": municipality.code, "fmt": "csv"})
    client.force_login(world.middelburg.policy_officer)
    assert client.get(url).status_code == 403


def test_the_expenditure_form_offers_dutch_empty_choices(client, world):
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    body = client.get(
        reverse("finance:expenditure-create", kwargs={"code": municipality.code})
    ).content.decode()
    assert "---------" not in body
    assert "Kies een bestedingsdoel of categorie" in body and "Geen interventie" in body


def test_the_dashboard_explains_sisa_and_eindverantwoording(client, world, settings):
    settings.PORTAL_HELP_CONTACT = ""
    municipality = world.middelburg.municipality
    client.force_login(world.middelburg.finance_officer)
    body = client.get(reverse("finance:dashboard", kwargs={"code": municipality.code}))
    body = body.content.decode()
    assert "<dt>SiSa</dt>" in body and "<dt>Eindverantwoording</dt>" in body
    assert "Vragen?" not in body
