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

    def counting(name):
        original = getattr(closed.cache, name)

        def counted(*args, **kwargs):
            asked.append((name, args[0]))
            return original(*args, **kwargs)

        return counted

    for name in ("get_many", "get_or_set", "set"):
        monkeypatch.setattr(closed.cache, name, counting(name))
    settlement = SettlementFactory()
    municipality = settlement.municipality
    request_started.send(sender=None)
    try:
        assert not closed.is_closed_id(municipality.pk)
        assert not closed.is_closed_id(municipality.pk)
        assert not closed.is_closed(municipality)
        # Asked once: the generation and the answer in one round trip; as neither was cached
        # yet, the generation is started and the database's answer stored.
        assert [name for name, _key in asked] == ["get_many", "get_or_set", "set"]
        asked.clear()
        request_finished.send(sender=None)
        request_started.send(sender=None)
        assert not closed.is_closed_id(municipality.pk)
        assert not closed.is_closed(municipality)
        assert [name for name, _key in asked] == ["get_many"]  # cached: one round trip
        ClosureFactory(settlement=settlement)
        assert closed.is_closed_id(municipality.pk)
    finally:
        request_finished.send(sender=None)
    asked.clear()
    assert closed.is_closed_id(municipality.pk)
    assert closed.is_closed_id(municipality.pk)
    assert [name for name, _key in asked] == ["get_many", "get_many"]  # nothing kept outside
