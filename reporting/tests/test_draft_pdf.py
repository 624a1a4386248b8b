"""A draft looks like a draft on every printed page, and a municipality without a plan reads
"geen plan" where a budget would stand (issue 31)."""

import datetime
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from reporting.rendering import ReportMeta, render_html
from reporting.selectors import report_data
from reporting.tests.test_report_figures import build


def page_texts(pdf: bytes) -> list[str]:
    pdftotext = shutil.which("pdftotext")
    text = subprocess.run([pdftotext, "-", "-"], input=pdf, capture_output=True, check=True)
    return [page for page in text.stdout.decode().split("\f") if page.strip()]


def watermark_pixels(pdf: bytes, folder) -> list[int]:
    """Per page, the light grey pixels of the watermark (neither paper nor print)."""
    from PIL import Image

    (folder / "report.pdf").write_bytes(pdf)
    subprocess.run(
        [shutil.which("pdftoppm"), "-r", "30", "-png", folder / "report.pdf", folder / "page"],
        check=True,
    )
    return [
        sum(Image.open(png).convert("L").histogram()[200:241])
        for png in sorted(folder.glob("page-*.png"))
    ]


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
def test_every_page_of_a_draft_says_concept_and_the_final_report_does_not(
    client, hand_made, django_capture_on_commit_callbacks, tmp_path
):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    with report.pdf.open("rb") as stored:
        draft = stored.read()
    client.force_login(hand_made.finance_officer)
    finalise = reverse("reporting:report-finalise", args=[report.municipality.code, report.pk])
    client.post(finalise, {"function": "Controller", "confirm": "on"})
    report.refresh_from_db()
    assert report.is_final
    with report.pdf.open("rb") as stored:
        final = stored.read()

    draft_pages, final_pages = page_texts(draft), page_texts(final)
    assert len(draft_pages) >= 2
    assert all("CONCEPT · niet definitief" in page for page in draft_pages)
    assert not any("CONCEPT" in page for page in final_pages)
    # The watermark lies across every draft page: each has far more light grey than the
    # same page of the final report (about 2,500 pixels more at 30 dpi, against some tens
    # for the signature block that only the final one fills).
    (tmp_path / "draft").mkdir(), (tmp_path / "final").mkdir()
    draft_grey = watermark_pixels(draft, tmp_path / "draft")
    final_grey = watermark_pixels(final, tmp_path / "final")
    assert len(draft_grey) == len(final_grey) == len(draft_pages)
    assert all(d - f > 1000 for d, f in zip(draft_grey, final_grey, strict=True)), (
        draft_grey,
        final_grey,
    )


def test_without_a_plan_the_report_says_geen_plan_instead_of_a_negative_budget(world):
    from finance.factories import ExpenditureFactory
    from plans.factories import goal

    municipality = world.vlissingen.municipality  # no plan
    ExpenditureFactory(
        municipality=municipality, goal=goal("bovenschools"), date=datetime.date(2022, 3, 1)
    )
    data = report_data(municipality=municipality, year=2022, final_accounting=False)
    assert not data.has_plan
    meta = ReportMeta(identifier="NPO-test", version="1", date=datetime.date(2026, 12, 7))
    with translation.override("nl"):
        html = render_html(data, meta)
    goals = html.split('id="goals"')[1].split("</table>")[0]
    assert goals.count("geen plan") == 2 * len(data.goals) + 1  # budget and left, and the total
    assert "€ -" not in goals and "-€" not in goals
