"""A push records what is new and answers for every row what it is recorded as: on
PostgreSQL the write leaves out the rows already recorded and only those are looked up
after, with the same outcomes as looking every row up first."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finance.models import Expenditure, SpendingSummary
from finance.services import record_expenditures

# One booking per invoice number (the rows differ in nothing else), so that rows repeat a
# booking recorded before or earlier in the request, under the same or another extern id.
INVOICES = ["F-1", "F-2", "F-3", "F-4"]
EXTERN_IDS = [None, "A", "B", "C", "D"]

pushed_rows = st.lists(
    st.tuples(st.sampled_from(INVOICES), st.sampled_from(EXTERN_IDS)),
    min_size=1,
    max_size=5,
).filter(
    # A request naming one extern id twice is refused whole (api/tests).
    lambda rows: len([e for _i, e in rows if e]) == len({e for _i, e in rows if e})
)


def _row(invoice: str, extern_id: str | None) -> dict:
    return {
        "datum": "2023-03-01",
        "bedrag": "750.00",
        "bestedingsdoel": "bovenschools",
        "interventie": "",
        "omschrijving": "Zomerschool",
        "leverancier": "Stichting Zomerschool",
        "factuurnummer": invoice,
        "extern_id": extern_id or "",
    }


def _expected(municipality, rows: list[tuple[str, str | None]]) -> list[tuple]:
    """The outcomes by looking every row up before writing (the rule as the API documents
    it): recorded by extern_id, else by booking; else the same as an earlier row; else new."""
    recorded = list(Expenditure.objects.filter(municipality=municipality))
    by_extern = {e.extern_id: (e.pk, e.extern_id) for e in recorded if e.extern_id}
    by_invoice = {e.invoice_number: (e.pk, e.extern_id) for e in recorded}
    first_of: dict[str, int] = {}
    expected = []
    for index, (invoice, extern_id) in enumerate(rows):
        existing = (by_extern.get(extern_id) if extern_id else None) or by_invoice.get(invoice)
        if existing is not None:
            expected.append(("recorded", *existing))
        elif invoice in first_of:
            expected.append(("same as", first_of[invoice]))
        else:
            first_of[invoice] = index
            expected.append(("new", invoice, extern_id))
    return expected


def _outcomes(results) -> list[tuple]:
    outcomes = []
    for result in results:
        if result.created:
            stored = Expenditure.objects.get(pk=result.id)
            assert result.extern_id == stored.extern_id
            outcomes.append(("new", stored.invoice_number, stored.extern_id))
        elif result.same_as_row is not None:
            first = results[result.same_as_row]
            assert (result.id, result.extern_id) == (first.id, first.extern_id)
            outcomes.append(("same as", result.same_as_row))
        else:
            outcomes.append(("recorded", result.id, result.extern_id))
    return outcomes


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pushes=st.lists(pushed_rows, min_size=1, max_size=4))
def test_a_push_answers_for_every_row_as_looking_each_up_first_would(world, pushes):
    municipality = world.middelburg.municipality
    new = []
    with transaction.atomic():
        for rows in pushes:
            expected = _expected(municipality, rows)
            results = record_expenditures(
                municipality=municipality, rows=[_row(*row) for row in rows], user=None
            )
            assert _outcomes(results) == expected
            new += [outcome[1] for outcome in expected if outcome[0] == "new"]
        recorded = Expenditure.objects.filter(municipality=municipality)
        # The new rows only, each with its history record and its sum.
        assert sorted(recorded.values_list("invoice_number", flat=True)) == sorted(new)
        assert Expenditure.history.filter(municipality=municipality).count() == recorded.count()
        summary = SpendingSummary.objects.get(municipality=municipality)
        assert summary.count == recorded.count()
        transaction.set_rollback(True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the write's own skipping")
def test_a_push_of_new_bookings_does_not_search_before_writing(world):
    municipality = world.middelburg.municipality
    record_expenditures(municipality=municipality, rows=[_row("F-1", "A")], user=None)
    with CaptureQueriesContext(connection) as queries:
        results = record_expenditures(
            municipality=municipality,
            rows=[_row("F-1", None), _row("F-2", "B"), _row("F-3", "A")],
            user=None,
        )
    searches = [q for q in queries if "= ANY(" in q["sql"] and "duplicate_key" in q["sql"]]
    # The one search after the write is for the two rows it left out, not for all three.
    assert len(searches) == 1
    assert [r.created for r in results] == [False, True, False]
    assert results[0].id == results[2].id


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the write's own skipping")
def test_a_left_out_row_whose_recorded_expenditure_is_gone_is_saved_meanwhile(world, monkeypatch):
    """Deleted between the write and the look-up after it: nothing is answered wrongly, the
    request fails as one that met another's rows (409, send it again)."""
    from finance.services import push

    municipality = world.middelburg.municipality
    record_expenditures(municipality=municipality, rows=[_row("F-1", "A")], user=None)
    monkeypatch.setattr(push, "_recorded", lambda municipality, parsed: ({}, {}))
    with pytest.raises(IntegrityError):
        record_expenditures(municipality=municipality, rows=[_row("F-1", "A")], user=None)
