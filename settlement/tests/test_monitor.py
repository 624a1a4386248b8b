"""The national monitor counts settled and closed municipalities and the amounts their
decisions reclaim, per province and size class (issue 30)."""

import re
from decimal import Decimal

from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import Role
from finance.factories import AllocationFactory
from insight.selectors import national_monitor
from settlement.factories import ClosureFactory, SettlementFactory


def test_settled_and_closed_municipalities_and_their_reclaim_per_province_and_size(client, world):
    middelburg, vlissingen = world.middelburg.municipality, world.vlissingen.municipality
    AllocationFactory(municipality=middelburg, pupils=4000)
    AllocationFactory(municipality=vlissingen, pupils=3000)
    settled = SettlementFactory(municipality=middelburg, amount_to_repay=Decimal("7510.00"))
    ClosureFactory(settlement=settled, municipality=middelburg)
    SettlementFactory(municipality=vlissingen, amount_to_repay=Decimal("-250.00"))

    monitor = national_monitor(year=2026)
    zeeland = next(g for g in monitor.provinces if g.name == "Zeeland")
    assert (zeeland.settled, zeeland.closed) == (2, 1)
    assert (zeeland.reclaimed, zeeland.paid_out) == (Decimal("7510.00"), Decimal("250.00"))
    size = next(g for g in monitor.size_classes if g.count and g.settled)
    assert (size.settled, size.reclaimed) == (2, Decimal("7510.00"))
    assert monitor.total.settled == 2 and monitor.total.count > 300

    client.force_login(
        UserFactory(username="monitor", role=Role.MONITOR, municipality=None, school_board=None)
    )
    page = re.sub(
        r"\s+", " ", client.get(reverse("insight:monitor") + "?jaar=2026").content.decode()
    )
    assert "Vaststelling per provincie en grootteklasse" in page
    assert "€ 7.510,00" in page
