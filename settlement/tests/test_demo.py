"""The demo's Middelburg over the whole programme (issue 30's "Must show"): its final
position, a decision € 10,00 below the expected vaststelling with its explanation, the
repayment, and the closed state by the documented command."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.demo import seed_demo as seed_accounts
from accounts.models import Municipality
from finance.demo import seed_demo as seed_money
from finance.selectors import final_position
from settlement.closed import is_closed
from settlement.demo import seed_demo
from settlement.models import Repayment, Settlement
from settlement.selectors import components


@pytest.fixture
def demo(db):
    seed_accounts()
    seed_money()
    seed_demo()
    return Municipality.objects.get(code="GM0687")


def test_middelburgs_settlement_is_ten_euros_below_the_expected_and_explained(demo):
    position = final_position(municipality=demo)
    settlement = Settlement.objects.get(municipality=demo)
    differences = {c.name: c.difference for c in components(settlement=settlement)}
    assert list(differences.values()) == [
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("-10.00"),
        Decimal("10.00"),
    ]
    assert settlement.expected_amount_set == position.expected_settlement
    assert settlement.expected_amount_to_repay == position.expected_reclaim
    assert "bankkosten" in settlement.explanation
    assert settlement.letter.read(5) == b"%PDF-"
    assert Repayment.objects.get(settlement=settlement).amount == position.expected_reclaim + 10
    assert not is_closed(demo)  # the demo users keep an open programme to try things in
    seed_demo()
    assert Settlement.objects.count() == 1


def test_the_documented_command_closes_and_reopens_middelburg(demo):
    with pytest.raises(CommandError, match="mag"):
        call_command("close_programme", "GM0687", "--as", "financien")
    out = StringIO()
    call_command("close_programme", "GM0687", "--as", "beheer", stdout=out)
    assert is_closed(demo)
    report = StringIO()
    call_command("final_position", "GM0687", stdout=report)
    assert "Programma afgesloten." in report.getvalue()
    assert "-10,00" in report.getvalue()
    call_command("close_programme", "GM0687", "--as", "beheer", "--reopen", "Demo weer open")
    assert not is_closed(demo)
