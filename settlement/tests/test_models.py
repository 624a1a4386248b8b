import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from settlement.closed import is_closed
from settlement.factories import ClosureFactory, SettlementFactory
from settlement.models import Closure

pytestmark = pytest.mark.django_db


def test_a_municipality_has_one_current_closure_and_a_reopening_needs_a_reason():
    closure = ClosureFactory()
    assert is_closed(closure.municipality)
    with pytest.raises(IntegrityError), transaction.atomic():
        Closure.objects.create(municipality=closure.municipality, settlement=closure.settlement)
    with pytest.raises(IntegrityError), transaction.atomic():
        Closure.objects.filter(pk=closure.pk).update(reopened_at=timezone.now())
    closure.reopened_at, closure.reopen_reason = timezone.now(), "x"
    closure.save()
    assert not is_closed(closure.municipality)


def test_a_decision_is_recorded_once_per_municipality():
    settlement = SettlementFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SettlementFactory(municipality=settlement.municipality)
