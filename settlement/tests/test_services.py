import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from settlement import (
    selectors,
    services,
    tasks,  # noqa: F401  registers the tasks enqueued by name
)
from settlement.closed import is_closed
from settlement.models import Closure, Settlement
from settlement.tests.conftest import decision, letter


def record(world, municipality, **changes):
    return services.record_settlement(
        municipality=municipality,
        user=world.middelburg.finance_officer,
        letter=changes.pop("letter", letter()),
        **decision(**changes),
    )


def test_the_decision_is_kept_beside_the_expected_figures_and_its_difference_explained(
    world, middelburg_books
):
    settlement = record(world, middelburg_books)
    figures = {
        c.name: (c.decision, c.expected, c.difference)
        for c in selectors.components(settlement=settlement)
    }
    assert list(figures.values()) == [
        (Decimal("100000.00"), Decimal("100000.00"), Decimal("0.00")),
        (Decimal("100000.00"), Decimal("100000.00"), Decimal("0.00")),
        (Decimal("92490.00"), Decimal("92500.00"), Decimal("-10.00")),
        (Decimal("7510.00"), Decimal("7500.00"), Decimal("10.00")),
    ]
    # Sent Tuesday 03-11-2026: six weeks from Wednesday 04-11 end on Tuesday 15-12-2026.
    assert settlement.objection_deadline == datetime.date(2026, 12, 15)
    assert settlement.letter.read().startswith(b"%PDF")
    assert settlement.letter_name == "beschikking.pdf"
    assert len(settlement.letter_sha256) == 64


def test_a_difference_without_explanation_is_refused(world, middelburg_books):
    with pytest.raises(ValidationError) as refused:
        record(world, middelburg_books, explanation="  ")
    assert "explanation" in refused.value.message_dict
    assert not Settlement.objects.exists()


def test_a_decision_that_agrees_needs_no_explanation(world, middelburg_books):
    settlement = record(
        world,
        middelburg_books,
        amount_set=Decimal("92500.00"),
        amount_to_repay=Decimal("7500.00"),
        explanation="",
    )
    assert not any(c.differs for c in selectors.components(settlement=settlement))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 not a pdf", "geen PDF"),
        (b"%PDF-" + b"0" * (1024 * 1024), "groter dan 1 MB"),
    ],
)
@override_settings(SETTLEMENT_LETTER_MAX_MB=1)
def test_a_letter_that_is_no_pdf_or_too_large_is_refused(world, middelburg_books, data, message):
    with pytest.raises(ValidationError, match=message):
        record(world, middelburg_books, letter=letter(data, name="beschikking.pdf"))
    assert not Settlement.objects.exists()


def test_only_the_municipalitys_own_finance_officer_records_the_decision(world, middelburg_books):
    for user in (
        world.middelburg.policy_officer,
        world.vlissingen.finance_officer,
        world.functional_admin,
    ):
        with pytest.raises(PermissionDenied):
            services.record_settlement(
                municipality=middelburg_books, user=user, letter=letter(), **decision()
            )


def test_the_repayment_settles_the_decision_in_full(world, middelburg_books):
    settlement = record(world, middelburg_books)
    officer = world.middelburg.finance_officer
    with pytest.raises(ValidationError, match=r"7\.510,00"):
        services.record_repayment(
            settlement=settlement, user=officer, date=datetime.date(2026, 11, 27), amount=1
        )
    repayment = services.record_repayment(
        settlement=settlement,
        user=officer,
        date=datetime.date(2026, 11, 27),
        amount=Decimal("7510.00"),
    )
    assert repayment.amount == Decimal("7510.00")
    assert selectors.is_paid(settlement=settlement)
    with pytest.raises(ValidationError):  # the decision no longer changes
        record(world, middelburg_books)


def test_closing_needs_the_paid_settlement_and_reopening_a_reason_which_is_logged(
    world, middelburg_books
):
    admin = world.functional_admin
    with pytest.raises(ValidationError, match="beschikking"):
        services.close_programme(municipality=middelburg_books, user=admin)
    settlement = record(world, middelburg_books)
    with pytest.raises(ValidationError, match="terugbetaling"):
        services.close_programme(municipality=middelburg_books, user=admin)
    services.record_repayment(
        settlement=settlement,
        user=world.middelburg.finance_officer,
        date=datetime.date(2026, 11, 27),
        amount=Decimal("7510.00"),
    )
    with pytest.raises(PermissionDenied):
        services.close_programme(
            municipality=middelburg_books, user=world.middelburg.finance_officer
        )
    closure = services.close_programme(municipality=middelburg_books, user=admin)
    assert is_closed(middelburg_books)
    assert not is_closed(world.vlissingen.municipality)

    with pytest.raises(PermissionDenied):
        services.reopen_programme(
            municipality=middelburg_books, user=world.middelburg.finance_officer, reason="x"
        )
    with pytest.raises(ValidationError):
        services.reopen_programme(municipality=middelburg_books, user=admin, reason=" ")
    services.reopen_programme(
        municipality=middelburg_books, user=admin, reason="Correctie na bezwaar"
    )
    assert not is_closed(middelburg_books)
    closure.refresh_from_db()
    assert (closure.reopened_by, closure.reopen_reason) == (admin, "Correctie na bezwaar")
    last = closure.history.first()
    assert (last.history_user, last.history_change_reason) == (admin, "Correctie na bezwaar")
    # Closed again: a new row; the log keeps both.
    services.close_programme(municipality=middelburg_books, user=admin)
    assert Closure.objects.filter(municipality=middelburg_books).count() == 2
    assert is_closed(middelburg_books)


def test_the_finance_officers_are_reminded_once_before_the_objection_deadline(
    world, middelburg_books, settings, django_capture_on_commit_callbacks
):
    settings.OBJECTION_REMINDER_DAYS_BEFORE_DEADLINE = 14
    settlement = record(world, middelburg_books)  # deadline 15-12-2026
    assert services.queue_objection_reminders(today=datetime.date(2026, 11, 30)) == []
    # Tasks run eagerly in unit tests: queueing sends, once the transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.queue_objection_reminders(today=datetime.date(2026, 12, 1))
    assert queued == [settlement.pk]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.middelburg.finance_officer.email]
    assert "15-12-2026" in mail.outbox[0].subject
    assert "Awb" in mail.outbox[0].body
    assert services.queue_objection_reminders(today=datetime.date(2026, 12, 2)) == []
    assert services.send_objection_reminder(settlement_id=settlement.pk) == []
    assert len(mail.outbox) == 1
