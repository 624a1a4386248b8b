"""The report PDF read back with pikepdf: page furniture is an artifact, every other text is
reachable from the structure tree, and the chart's layout box lies on its page in points."""

import io

import pikepdf
import pytest

from reporting.tests.test_report_figures import build, pdf_lines


@pytest.fixture
def report_pdf(hand_made, django_capture_on_commit_callbacks):
    report = build(hand_made, 2022, django_capture_on_commit_callbacks)
    with report.pdf.open("rb") as stored:
        return pikepdf.open(io.BytesIO(stored.read())), report


def structure_elements(pdf):
    """Every structure element reachable from the root, by object id."""
    found, pending = {}, [pdf.Root.StructTreeRoot]
    while pending:
        element = pending.pop()
        if not isinstance(element, pikepdf.Dictionary) or element.objgen in found:
            continue
        found[element.objgen] = element
        kids = element.get("/K")
        if isinstance(kids, pikepdf.Array):
            pending.extend(kids)
        elif isinstance(kids, pikepdf.Dictionary):
            pending.append(kids)
    return found


def parent_tree(pdf) -> dict[int, pikepdf.Array]:
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def text_runs(page):
    """(text, stack of marked-content tags and properties) for each text-showing operator."""
    stack, runs = [], []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BDC", "BMC"):
            properties = operands[1] if len(operands) > 1 else None
            stack.append((str(operands[0]), properties))
        elif name == "EMC":
            stack.pop()
        elif name in ("Tj", "TJ"):
            runs.append(list(stack))
    return runs


def test_footer_is_an_artifact_and_all_other_text_is_in_the_structure_tree(report_pdf):
    pdf, report = report_pdf
    reachable = structure_elements(pdf)
    tree = parent_tree(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        runs = text_runs(page)
        artifacts = [run for run in runs if any(tag == "/Artifact" for tag, _ in run)]
        # The footer's two texts: the identifier and "pagina N van M".
        assert len(artifacts) >= 2, number
        for run in runs:
            if run in artifacts:
                continue
            mcids = [p.MCID for tag, p in run if isinstance(p, pikepdf.Dictionary) and "/MCID" in p]
            assert mcids, (number, run)
            element = tree[int(page.StructParents)][int(mcids[-1])]
            assert element.objgen in reachable, (number, mcids[-1])
    lines = pdf_lines(report)
    assert any(line.endswith("pagina 1 van " + str(len(pdf.pages))) for line in lines)


def test_the_charts_bounding_box_lies_on_its_page_in_points(report_pdf):
    pdf, _report = report_pdf
    figures = [e for e in structure_elements(pdf).values() if e.get("/S") == "/Figure"]
    # One figure: the chart. Its legend's colour swatches are decoration (artifacts), their
    # labels text beside them.
    assert len(figures) == 1
    (figure,) = figures
    assert str(figure.Alt) == "Begroting en besteding per doel"
    x1, y1, x2, y2 = (float(v) for v in figure.A.BBox)
    llx, lly, urx, ury = (float(v) for v in figure.Pg.MediaBox)
    assert llx <= x1 < x2 <= urx and lly <= y1 < y2 <= ury, (x1, y1, x2, y2)


def test_the_charts_legend_swatches_are_small_artifacts_beside_their_labels(report_pdf):
    pdf, report = report_pdf
    layout_artifacts = 0
    for page in pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) == "BDC" and str(operands[0]) == "/Artifact":
                layout_artifacts += operands[1].get("/Type") == "/Layout"
    assert layout_artifacts == 3  # one swatch per series: budget, spent in the year, cumulative
    lines = pdf_lines(report)
    legend = [line for line in lines if "Begroting in het plan" in line]
    assert legend and "Besteed in het jaar" in legend[0], legend


def test_the_pdf_still_declares_pdf_ua_1(report_pdf):
    pdf, _report = report_pdf
    assert pdf.Root.MarkInfo.Marked
    assert str(pdf.Root.Lang) == "nl"
    assert pdf.Root.ViewerPreferences.DisplayDocTitle
    with pdf.open_metadata() as metadata:
        assert metadata.get("pdfuaid:part") == "1"
        assert metadata.get("dc:title")
    for page in pdf.pages:
        for font in page.Resources.Font.values():
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.FontDescriptor
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
