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


def test_within_a_request_the_cache_is_asked_once_per_municipality_and_a_closing_is_seen(
    monkeypatch,
):
    """Issue 32: a page asks whether the programme is closed several times; the first answer
    is kept for the rest of the request, but a closing during the request is seen at once."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from settlement import closed

    # As the test client does: the signals without closing the test's database connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _answers_within_a_request(closed, request_started, request_finished, monkeypatch)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _answers_within_a_request(closed, request_started, request_finished, monkeypatch):

    asked = []
    original = closed.cache.get_or_set

    def counted(*args, **kwargs):
        asked.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(closed.cache, "get_or_set", counted)
    settlement = SettlementFactory()
    municipality = settlement.municipality
    request_started.send(sender=None)
    try:
        assert not closed.is_closed_id(municipality.pk)
        assert not closed.is_closed_id(municipality.pk)
        assert not closed.is_closed(municipality)
        assert len(asked) == 2  # the generation and the answer, once
        ClosureFactory(settlement=settlement)
        assert closed.is_closed_id(municipality.pk)
    finally:
        request_finished.send(sender=None)
    asked.clear()
    assert closed.is_closed_id(municipality.pk)
    assert closed.is_closed_id(municipality.pk)
    assert len(asked) == 4  # outside a request nothing is kept
