import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD, UserFactory
from accounts.models import Municipality
from finance.factories import AllocationFactory, ExpenditureFactory
from finance.mergers import merge_municipalities
from plans.factories import programme
from plans.models import Allocation
from tests.browser.conftest import assert_accessible, log_in, screenshot
from tests.jobs import hold_jobs
from tests.pdftext import pdf_text

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]

HEADER = "datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer"
GOOD_ROW = "15-03-2022;1.234,56;bovenschools;;Zomerschool;Stichting Zomer;F-2022-001"


def check(page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, name)


def upload(page, second_row: str) -> None:
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(
        {
            "name": "uitgaven-2022.csv",
            "mimeType": "text/csv",
            "buffer": "\n".join([HEADER, GOOD_ROW, second_row]).encode(),
        }
    )
    page.get_by_role("button", name="Importeren").click()


def test_finance_officer_imports_expenditures_and_downloads_the_accountability_report(
    page, world, monkeypatch
):
    middelburg = world.middelburg
    Allocation.objects.create(
        programme=programme(), municipality=middelburg.municipality, amount=Decimal("100000.00")
    )
    log_in(page, middelburg.finance_officer.username, TEST_PASSWORD)
    assert_accessible(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Financiën").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Financieel dashboard")
    spent = page.locator(".card", has_text="Besteed (subsidiabel)")
    expect(spent).to_contain_text("€ 0,00")
    check(page, "finance-dashboard-before")

    page.get_by_role("link", name="Importeren", exact=True).click()
    check(page, "finance-import")
    upload(page, "16-03-2022;twaalf;bovenschools;;Huiswerkbegeleiding;Stichting Zomer;F-2022-002")
    refusal = page.get_by_role("alert").filter(has_text="Er is niets geïmporteerd")
    expect(refusal).to_contain_text("Rij 3: kolom 'bedrag': 'twaalf' is geen bedrag.")
    check(page, "finance-import-refused")
    page.get_by_role("link", name="Dashboard").click()
    expect(spent).to_contain_text("€ 0,00")

    page.get_by_role("link", name="Importeren", exact=True).click()
    upload(page, "16-03-2022;2.000,00;bovenschools;;Huiswerkbegeleiding;Stichting Zomer;F-2022-002")
    expect(page.get_by_role("status")).to_contain_text("2 uitgaven geïmporteerd.")
    check(page, "finance-import-done")
    page.get_by_role("link", name="Dashboard").click()
    expect(spent).to_contain_text("€ 3.234,56")
    check(page, "finance-dashboard-after")
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check(page, "finance-dashboard-320px")
    page.set_viewport_size({"width": 1280, "height": 720})

    page.get_by_role("link", name="Verantwoordingsrapportages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporten voor de verantwoording")
    check(page, "reporting-list-empty")
    # Hold the report in the queue, so that the page shows its progress while it is built.
    held_jobs = hold_jobs(monkeypatch)
    page.get_by_label("Verantwoordingsjaar").select_option("2022")
    page.get_by_role("button", name="Rapport maken").click()
    expect(page.get_by_role("alert").first).to_contain_text("staat in de wachtrij")
    report_row = page.get_by_role("row").filter(has_text="2022 · versie 1")
    progress = report_row.get_by_role("progressbar", name="Voortgang")
    expect(progress).to_have_attribute("aria-valuenow", "5")
    expect(report_row).to_contain_text("In de wachtrij")
    check(page, "reporting-list-queued")

    assert held_jobs.task_names == ["reporting.tasks.build_report"]
    held_jobs.release()
    # report-progress.js polls the status, shows the finished state, then reloads the page.
    expect(progress).to_have_attribute("aria-valuenow", "100")
    expect(report_row.get_by_role("link", name="PDF")).to_be_visible()
    expect(report_row).to_contain_text("Klaar")
    check(page, "reporting-list-done")

    with page.expect_download() as pdf_download:
        report_row.get_by_role("link", name="PDF").click()
    pdf = pdf_download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Middelburg" in text

    with page.expect_download() as xlsx_download:
        report_row.get_by_role("link", name="Excel").click()
    workbook = load_workbook(io.BytesIO(xlsx_download.value.path().read_bytes()))
    assert "SiSa" in workbook.sheetnames


def test_a_successor_reads_its_merged_grant_and_the_predecessors_books(page, live_server):
    weesp, amsterdam = (Municipality.objects.get(code=code) for code in ("GM0457", "GM0363"))
    AllocationFactory(municipality=weesp, amount=Decimal("50000.00"))
    AllocationFactory(municipality=amsterdam, amount=Decimal("1000000.00"))
    ExpenditureFactory(municipality=weesp, amount=Decimal("2300.00"))  # 15-03-2022
    ExpenditureFactory(municipality=amsterdam, amount=Decimal("20000.00"))
    officer = UserFactory(municipality=weesp, finance=True)
    merge_municipalities(
        successor=amsterdam,
        predecessors=[weesp],
        day=datetime.date(2022, 3, 24),
        move_users=True,
        user=None,
    )

    log_in(page, officer.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}/financien/GM0363/")
    shares = page.locator("#shares")
    expect(shares).to_contain_text("Weesp")
    expect(shares.locator("tfoot")).to_contain_text("€ 22.300,00")
    check(page, "merged-dashboard")

    shares.get_by_role("link", name="Weesp").click()
    expect(page.get_by_role("alert").or_(page.locator(".alert-info")).first).to_contain_text(
        "opgegaan in Amsterdam"
    )
    check(page, "merged-predecessor-dashboard")


def test_the_final_accounting_checkbox_follows_the_chosen_year(page, world):
    municipality = world.middelburg.municipality
    log_in(page, world.middelburg.finance_officer.username, TEST_PASSWORD)
    page.goto(f"/verantwoording/{municipality.code}/")
    year = page.get_by_label("Verantwoordingsjaar")
    box = page.get_by_label("Dit is de eindverantwoording")

    year.select_option("2022")
    expect(box).to_be_hidden()
    year.select_option("2024")
    expect(box).to_be_visible()
    expect(box).to_be_enabled()
    expect(box).not_to_be_checked()
    box.check()
    year.select_option("2026")
    expect(box).to_be_checked()
    expect(box).to_be_disabled()
    check(page, "reporting-final-accounting-last-year")
    year.select_option("2025")
    expect(box).to_be_checked()  # the choice made for 2024 stays
    box.uncheck()
    year.select_option("2026")
    expect(box).to_be_checked()
