import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.factories import AllocationFactory, ExpenditureFactory, PaymentFactory

PDF = b"%PDF-1.7\n% vaststellingsbeschikking\n"


def letter(data: bytes = PDF, name: str = "beschikking.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@pytest.fixture
def middelburg_books(world):
    """Middelburg's grant, worked out by hand: allocation 100.000,00, all received;
    eligible 90.000,00 + 2.500,00; 1.000,00 after the period. Expected vaststelling
    92.500,00, expected reclaim 7.500,00."""
    municipality = world.middelburg.municipality
    AllocationFactory(municipality=municipality, amount=Decimal("100000.00"))
    PaymentFactory(municipality=municipality, date=datetime.date(2021, 12, 20), amount="100000.00")
    ExpenditureFactory(municipality=municipality, amount=Decimal("90000.00"))
    ExpenditureFactory(
        municipality=municipality, date=datetime.date(2024, 5, 1), amount=Decimal("2500.00")
    )
    ExpenditureFactory(
        municipality=municipality, date=datetime.date(2025, 8, 1), amount=Decimal("1000.00")
    )
    return municipality


def decision(**changes) -> dict:
    """The decision as the Minister set it for `middelburg_books`, € 10,00 lower: one
    invoice of € 10,00 was not accepted."""
    fields = {
        "decided_on": datetime.date(2026, 11, 2),
        "sent_on": datetime.date(2026, 11, 3),
        "reference": "OCW/NPO/VS/2026/0687",
        "allocation": Decimal("100000.00"),
        "received": Decimal("100000.00"),
        "amount_set": Decimal("92490.00"),
        "amount_to_repay": Decimal("7510.00"),
        "explanation": "Het ministerie nam factuur F-00012 (€ 10,00 aan bankkosten) niet "
        "mee in de vaststelling: bankkosten vallen niet onder de bestedingsdoelen.",
    }
    fields.update(changes)
    return fields
