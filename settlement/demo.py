"""Demo data: Middelburg's settlement decision, € 10,00 below the portal's expected figures
with its explanation, and its repayment. The programme stays open, so that the demo users can
go on trying everything; `manage.py close_programme GM0687 --as beheer` closes it (README).
Idempotent: a recorded decision is left as it is."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import Municipality, User
from finance.selectors import final_position
from npo_portal.pdf import render_pdf
from settlement import services
from settlement.models import Settlement

DIFFERENCE = Decimal("10.00")
EXPLANATION = (
    "Het ministerie heeft € 10,00 aan bankkosten, die bij een uitgave voor huiswerkbegeleiding "
    "waren meegeboekt, niet als besteding op de bestedingsdoelen aanvaard. De gemeente legt "
    "zich daarbij neer; de terugbetaling is daarom € 10,00 hoger dan verwacht."
)


class _Draft:
    """The decision's figures before it is recorded, for the demo letter."""

    def __init__(self, **fields):
        self.__dict__.update(fields)


def seed_demo() -> str:
    municipality = Municipality.objects.filter(code="GM0687").first()
    officer = User.objects.filter(username="financien").first()
    if municipality is None or officer is None:
        return "Vaststelling: geen demogemeente."
    if Settlement.objects.filter(municipality=municipality).exists():
        return "Vaststelling: de beschikking van Middelburg bestond al."
    position = final_position(municipality=municipality)
    amount_set = position.expected_settlement - DIFFERENCE
    figures = {
        "decided_on": datetime.date(2026, 11, 2),
        "sent_on": datetime.date(2026, 11, 3),
        "reference": "OCW/NPO/VS/2026/0687 (demo)",
        "allocation": position.allocation,
        "received": position.received,
        "amount_set": amount_set,
        "amount_to_repay": position.received - amount_set,
    }
    letter = render_pdf(
        "settlement/demo_letter.html",
        {"settlement": _Draft(**figures), "municipality": municipality},
        base_url=".",
    )
    with transaction.atomic():
        settlement = services.record_settlement(
            municipality=municipality,
            user=officer,
            explanation=EXPLANATION,
            letter=SimpleUploadedFile("vaststellingsbeschikking-demo.pdf", letter),
            **figures,
        )
        services.record_repayment(
            settlement=settlement,
            user=officer,
            date=datetime.date(2026, 11, 27),
            amount=settlement.amount_to_repay,
            reference="Terugbetaling vaststelling NPO",
        )
    return (
        f"Vaststelling: beschikking {settlement.reference} van Middelburg vastgelegd, "
        f"€ 10,00 onder de verwachte vaststelling, met terugbetaling; het programma blijft open."
    )
