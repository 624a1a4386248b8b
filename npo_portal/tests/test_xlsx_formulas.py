"""A spreadsheet's formula cells are refused by name, never imported as their stored result:
that result may be outdated or missing, and an external link's comes from another workbook
(README: "Formulas")."""

import io

import pytest
from openpyxl import Workbook

from npo_portal import tables
from tests import hostile_files

GOOD = hostile_files.GOOD_ROW.split(";")
EXPLANATION = "De import leest geen formules"


def cell(reference: str, xml: str) -> str:
    return f'<c r="{reference}">{xml}</c>'


def sheet_with(*cells: str, row: int = 2) -> bytes:
    """The expenditure header, then a good row whose amount (B) is replaced by `cells`."""
    plain = "".join(
        f'<c r="{hostile_files.column(i)}{row}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(GOOD)
        if i != 1
    )
    rows = hostile_files.xml_row(1, hostile_files.COLUMNS) + f'<row r="{row}">'
    rows += plain[: plain.index(f'<c r="C{row}"')] + "".join(cells)
    rows += plain[plain.index(f'<c r="C{row}"') :] + "</row>"
    return rows


def test_a_formula_written_by_a_spreadsheet_program_is_refused_by_its_cell():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(hostile_files.COLUMNS)
    sheet.append(["01-03-2022", 100, "bovenschools", "", "Zomerschool", "L", "F-1"])
    sheet.append(["02-03-2022", "=B2*2", "bovenschools", "", "Zomerschool", "L", "F-2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(tables.TableError) as refused:
        tables.read_all(buffer.getvalue())
    assert str(refused.value).startswith("Cel B3 bevat een formule. " + EXPLANATION)


def test_a_formula_with_a_stored_result_is_refused_not_read_as_that_result():
    data = hostile_files.xlsx(sheet_with(cell("B2", "<f>SUM(100,0)</f><v>100</v>")))
    with pytest.raises(tables.TableError, match="Cel B2 bevat een formule"):
        tables.read_all(data)


def test_an_external_link_formula_is_refused_by_its_cell():
    """Excel writes a link to another workbook as `[1]Blad1!B2`, with the result it last saw;
    the other workbook is not in the upload."""
    link = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<externalBook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships" r:id="rId1"><sheetNames><sheetName val="Blad1"/></sheetNames>'
        "</externalBook></externalLink>"
    )
    link_rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="file:///C:/begroting.xlsx" TargetMode="External" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'externalLinkPath"/></Relationships>'
    )
    data = hostile_files.xlsx(
        sheet_with(cell("B2", "<f>[1]Blad1!B2</f><v>500</v>")),
        extra={
            "xl/externalLinks/externalLink1.xml": link.encode(),
            "xl/externalLinks/_rels/externalLink1.xml.rels": link_rels.encode(),
        },
    )
    with pytest.raises(tables.TableError, match=r"Cel B2 bevat een formule.*andere werkmap"):
        tables.read_all(data)


def test_many_formula_cells_are_named_up_to_ten():
    rows = hostile_files.xml_row(1, hostile_files.COLUMNS) + "".join(
        f'<row r="{n}"><c r="B{n}"><f>1+1</f><v>2</v></c></row>' for n in range(2, 14)
    )
    with pytest.raises(tables.TableError) as refused:
        tables.read_all(hostile_files.xlsx(rows))
    assert str(refused.value).startswith(
        "De cellen B2, B3, B4, B5, B6, B7, B8, B9, B10, B11 en nog 2 bevatten formules."
    )


def test_a_text_that_looks_like_a_formula_and_a_charts_reference_are_read():
    """Only a cell's formula element is refused: a text starting with '=' is text, and a
    chart's series reference (<c:f>) is no cell of the sheet."""
    chart = (
        '<?xml version="1.0" encoding="UTF-8"?><c:chartSpace xmlns:c="http://schemas.'
        'openxmlformats.org/drawingml/2006/chart"><c:f>Uitgaven!$B$2</c:f></c:chartSpace>'
    )
    row = [*GOOD[:4], "=Zomerschool=", *GOOD[5:]]
    data = hostile_files.xlsx(
        hostile_files.good_xlsx_rows(row), extra={"xl/charts/chart1.xml": chart.encode()}
    )
    _header, rows = tables.read_all(data)
    assert rows[0][1]["omschrijving"] == "=Zomerschool="


def test_the_expenditure_import_refuses_a_workbook_with_formulas_and_saves_nothing(world):
    from finance.models import Expenditure
    from finance.services import ImportRejected, import_expenditures

    data = hostile_files.xlsx(sheet_with(cell("B2", "<f>[1]Blad1!B2</f><v>500</v>")))
    with pytest.raises(ImportRejected) as rejected:
        import_expenditures(municipality=world.middelburg.municipality, data=data, user=None)
    assert "Cel B2 bevat een formule" in rejected.value.errors[0]
    assert not Expenditure.objects.exists()
