import io

import pytest
from openpyxl import Workbook

HEADER = "datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer"


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return "\n".join([header, *rows]).encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def middelburg(world):
    return world.middelburg.municipality
