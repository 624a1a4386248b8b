"""The plan's PDF as a reader meets it (issue 31): the annex gives its total once, at its end
and labelled, each total a row with its label on the left and its amount on the right, and a
long intervention or a school reached by many interventions runs on over the page instead of
leaving the rest of a page empty."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from insight.tests.test_golden_thread import hand_made  # noqa: F401 - the fixture
from plans.factories import InterventionFactory
from tests.pdftext import pdf_text

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="poppler-utils absent"
)

# A4 at 30 dpi: 351 pixel rows; the page's margins are 20 mm above and 22 mm below.
DPI = 30
TOP = round(20 / 25.4 * DPI)
BOTTOM = round((297 - 22) / 25.4 * DPI)


def pages(pdf: bytes) -> list[str]:
    return [page for page in pdf_text(pdf, layout=True).split("\f") if page.strip()]


def filled(pdf: bytes, folder) -> list[float]:
    """Per page, how far down the text area the last printed line reaches (0 to 1); the
    footer below the text area is not counted."""
    from PIL import Image

    (folder / "plan.pdf").write_bytes(pdf)
    subprocess.run(
        [shutil.which("pdftoppm"), "-r", str(DPI), "-gray", folder / "plan.pdf", folder / "page"],
        check=True,
    )
    shares = []
    for image in sorted(folder.glob("page-*.pgm"), key=lambda p: int(p.stem.split("-")[1])):
        page = Image.open(image)
        width = page.width
        inked = [
            row
            for row in range(TOP, BOTTOM)
            if min(page.getpixel((x, row)) for x in range(width)) < 200
        ]
        shares.append(((max(inked) - TOP) / (BOTTOM - TOP)) if inked else 0.0)
    return shares


def test_the_annex_total_stands_once_at_its_end_as_label_and_amount_on_one_row(
    client,
    hand_made,  # noqa: F811
    world,
):
    client.force_login(world.middelburg.policy_officer)
    pdf = client.get(reverse("plans:pdf", args=[hand_made["plan"].pk])).content
    texts = pages(pdf)
    whole = "\f".join(texts)
    # What the schools received (1,833.34) is printed once, not at the foot of every page.
    assert whole.count("€ 1.833,34") == 1
    assert "Besteed aan interventies op deze scholen" not in whole
    assert whole.count("Totalen van de bijlage") == 1
    last = texts[-1]
    assert "Totalen van de bijlage" in last
    for label, amount in (
        ("Totaal besteed (subsidiabel)", "€ 2.033,34"),
        ("waarvan aan interventies op de bereikte scholen", "€ 1.833,34"),
        ("waarvan aan interventies die geen school bereiken", "€ 0,00"),
        ("waarvan niet op een interventie", "€ 200,00"),
    ):
        # On one line, the amount after the label (the draft's watermark may follow it).
        assert re.search(rf"{re.escape(label)} +{re.escape(amount)}\b", last), last


def test_long_interventions_and_a_school_they_all_reach_leave_no_page_mostly_empty(
    client,
    hand_made,  # noqa: F811
    world,
    tmp_path,
):
    """Twelve interventions of about half a page each, all reaching one school: kept whole,
    each pushed the next to a fresh page and the school's row did the same in the annex."""
    plan, school = hand_made["plan"], hand_made["a"]
    text = " ".join(["Leerlingen krijgen begeleiding in kleine groepen na schooltijd."] * 40)
    for number in range(12):
        intervention = InterventionFactory(
            plan=plan, code=f"L-{number:02}", title=f"Lang {number}", description=text
        )
        intervention.schools.add(school)
    client.force_login(world.middelburg.policy_officer)
    pdf = client.get(reverse("plans:pdf", args=[plan.pk])).content
    texts = pages(pdf)
    shares = filled(pdf, tmp_path)
    assert len(shares) == len(texts)
    annex = next(i for i, page in enumerate(texts) if "Bijlage: van behoefte" in page)
    # The page before the annex (which starts on a page of its own) and the last page may
    # end early; every other page is filled at least two thirds of the way down.
    exempt = {annex - 1, len(shares) - 1}
    short = {i + 1: round(share, 2) for i, share in enumerate(shares) if share < 2 / 3}
    assert set(short) - {i + 1 for i in exempt} == set(), short
