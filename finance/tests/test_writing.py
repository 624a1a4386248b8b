"""The one write path takes its rows from a file's COPY (a generator) or, for a short list
(the form, an API request), from one JSON parameter: both record the same expenditures,
history records and summary."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from finance.models import Expenditure, SpendingSummary
from finance.selectors import finance_programme
from finance.services.rules import duplicate_key
from finance.services.writing import write_expenditures
from plans.factories import InterventionFactory, PlanFactory, goal

# Texts that CSV and JSON each have to escape: quotes, a backslash, a percent sign, commas,
# characters beyond ASCII; an empty supplier; no intervention and no extern id.
TEXTS = [
    ('Zomerschool "Zeeland", 50% \\ deel', "Café 't Hoekje", "F-1"),
    ("Bijles {rekenen} [groep 8]", "", "F-2"),
    ("Schoolmaaltijd", "Stichting ☀", ""),
]


def _rows(municipality, intervention):
    rows = []
    for number, (description, supplier, invoice) in enumerate(TEXTS):
        day = datetime.date(2023, 3, 1 + number)
        amount = Decimal("-12.30") if number == 1 else Decimal("1500.00") + number
        rows.append(
            {
                "date": day,
                "amount": amount,
                "description": description,
                "supplier": supplier,
                "invoice_number": invoice,
                "duplicate_key": duplicate_key(
                    municipality_code=municipality.code,
                    date=day,
                    amount=amount,
                    goal_code="bovenschools",
                    invoice_number=invoice,
                    supplier=supplier,
                    description=description,
                ),
                "goal": goal("bovenschools"),
                "intervention": intervention if number == 0 else None,
                "extern_id": f"EXT-{number}" if number < 2 else None,
            }
        )
    return rows


def _recorded(municipality):
    fields = ("date", "amount", "description", "supplier", "invoice_number", "goal_id")
    expenditures = [
        (*(getattr(e, name) for name in fields), e.intervention_id is not None, e.extern_id)
        for e in Expenditure.objects.filter(municipality=municipality).order_by("pk")
    ]
    history = sorted(
        (h.description, h.history_type, h.history_user_id, h.history_change_reason)
        for h in Expenditure.history.filter(municipality=municipality)
    )
    summary = sorted(
        (s.month, s.goal_id, s.intervention_id is not None, s.total, s.count)
        for s in SpendingSummary.objects.filter(municipality=municipality)
    )
    return expenditures, history, summary


def test_a_list_and_a_generator_record_the_same(world):
    programme = finance_programme()
    officer = world.middelburg.finance_officer
    recorded = []
    for place, as_list in ((world.middelburg, True), (world.vlissingen, False)):
        municipality = place.municipality
        plan = PlanFactory(municipality=municipality)
        intervention = InterventionFactory(plan=plan, goal=goal("bovenschools"))
        rows = _rows(municipality, intervention)
        written = write_expenditures(
            rows if as_list else (row for row in rows),
            municipality=municipality,
            programme=programme,
            user=officer,
            change_reason="via test",
            with_ids=True,
        )
        assert written.count == len(rows)
        # Ids in the rows' order, each under its row's duplicate key.
        assert [written.ids[row["duplicate_key"]] for row in rows] == sorted(written.ids.values())
        recorded.append(_recorded(municipality))
    expenditures, history, summary = recorded[0]
    assert recorded[0] == recorded[1]
    assert [e[2:5] for e in expenditures] == list(TEXTS)
    assert [e[-2:] for e in expenditures] == [(True, "EXT-0"), (False, "EXT-1"), (False, None)]
    assert {h[1:] for h in history} == {("+", officer.pk, "via test")}
    assert sum(s[3] for s in summary) == Decimal("1500.00") - Decimal("12.30") + Decimal("1502")


def test_a_write_within_a_transaction_sets_no_savepoint_and_a_duplicate_undoes_the_caller(world):
    """Nested in its caller's transaction the write adds no savepoint of its own; a row
    recorded twice still raises IntegrityError, and the caller's savepoint undoes all."""
    municipality = world.middelburg.municipality
    plan = PlanFactory(municipality=municipality)
    rows = _rows(municipality, InterventionFactory(plan=plan, goal=goal("bovenschools")))
    programme = finance_programme()
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        write_expenditures(rows[:1], municipality=municipality, programme=programme, user=None)
    if connection.vendor == "postgresql":  # elsewhere django-simple-history's bulk sets one
        # Only the test's own block sets (and releases) a savepoint.
        assert len([q for q in queries if "SAVEPOINT" in q["sql"]]) == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        write_expenditures(rows, municipality=municipality, programme=programme, user=None)
    assert Expenditure.objects.filter(municipality=municipality).count() == 1
    assert SpendingSummary.objects.filter(municipality=municipality).get().count == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="elsewhere a recorded row raises")
def test_a_write_that_skips_recorded_rows_leaves_them_out_of_history_and_summary(world):
    """Rows whose duplicate key or extern_id is recorded get no expenditure, no history
    record and no sum; the others are written, each under its own key."""
    municipality = world.middelburg.municipality
    plan = PlanFactory(municipality=municipality)
    rows = _rows(municipality, InterventionFactory(plan=plan, goal=goal("bovenschools")))
    programme = finance_programme()
    first = write_expenditures(
        [{**rows[0], "extern_id": None}, rows[1]],
        municipality=municipality,
        programme=programme,
        user=None,
        with_ids=True,
    )
    # rows[0] by its duplicate key (under another extern id), rows[1] by its extern id.
    again = [{**rows[0], "extern_id": "EXT-9"}, {**rows[1], "duplicate_key": "other"}, rows[2]]
    written = write_expenditures(
        again,
        municipality=municipality,
        programme=programme,
        user=None,
        with_ids=True,
        skip_recorded=True,
    )
    assert list(written.ids) == [rows[2]["duplicate_key"]]
    assert Expenditure.objects.filter(municipality=municipality).count() == 3
    assert Expenditure.history.filter(municipality=municipality).count() == 3
    assert sum(s.count for s in SpendingSummary.objects.filter(municipality=municipality)) == 3
    assert set(first.ids.values()) < set(
        Expenditure.objects.filter(municipality=municipality).values_list("pk", flat=True)
    )
