import datetime

import pytest

from settlement.deadlines import objection_deadline, public_holidays


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def test_a_decision_sent_on_a_friday_can_be_contested_until_the_friday_six_weeks_later():
    # Sent Friday 2027-09-03: the period starts Saturday the 4th and runs 42 days.
    assert objection_deadline(sent_on=d("2027-09-03")) == d("2027-10-15")
    assert d("2027-10-15").weekday() == 4


def test_the_period_runs_across_the_end_of_the_month_in_days_not_calendar_months():
    # Sent 31 January: starts 1 February; six weeks of February (28 days) and March.
    assert objection_deadline(sent_on=d("2028-01-31")) == d("2028-03-13")  # 2028: leap year
    assert objection_deadline(sent_on=d("2027-01-29")) == d("2027-03-12")


def test_a_period_ending_on_a_weekend_runs_on_to_the_monday():
    # Sent on a Saturday (post sent on a Saturday): the period ends on a Saturday.
    assert objection_deadline(sent_on=d("2027-09-04")) == d("2027-10-18")


def test_a_period_ending_on_a_public_holiday_runs_on_to_the_next_working_day():
    # Six weeks after Monday 2028-03-06 is Easter Monday 2028-04-17.
    assert d("2028-04-17") in public_holidays(2028)
    assert objection_deadline(sent_on=d("2028-03-06")) == d("2028-04-18")
    # 2027-12-25 is a Saturday, 26th a Sunday: on to Monday 27 December.
    assert objection_deadline(sent_on=d("2027-11-13")) == d("2027-12-27")


@pytest.mark.parametrize(
    ("year", "kings_day"), [(2027, "2027-04-27"), (2025, "2025-04-26"), (2028, "2028-04-27")]
)
def test_kings_day_moves_to_saturday_when_the_27th_is_a_sunday(year, kings_day):
    assert d(kings_day) in public_holidays(year)


def test_good_friday_is_no_public_holiday_for_deadlines():
    # Easter 2027: 28 March; Good Friday 26 March. Sent 2027-02-12 ends on 2027-03-26.
    assert d("2027-03-26") not in public_holidays(2027)
    assert objection_deadline(sent_on=d("2027-02-12")) == d("2027-03-26")
