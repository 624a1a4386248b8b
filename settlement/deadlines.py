"""The objection deadline of a settlement decision, as plain date arithmetic."""

from __future__ import annotations

import datetime

from dateutil.easter import easter

OBJECTION_WEEKS = 6


def public_holidays(year: int) -> set[datetime.date]:
    """The generally recognised public holidays of the Algemene termijnenwet (art. 3(1)):
    New Year's Day, Easter and Whit Sunday and Monday, Ascension Day, both Christmas days,
    the King's birthday as celebrated (27 April, the 26th when the 27th is a Sunday) and
    5 May (Liberation Day). Good Friday is not one of them."""
    easter_sunday = easter(year)
    kings_day = datetime.date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = datetime.date(year, 4, 26)
    return {
        datetime.date(year, 1, 1),
        easter_sunday,
        easter_sunday + datetime.timedelta(days=1),
        easter_sunday + datetime.timedelta(days=39),  # Ascension Day
        easter_sunday + datetime.timedelta(days=49),  # Whit Sunday
        easter_sunday + datetime.timedelta(days=50),  # Whit Monday
        kings_day,
        datetime.date(year, 5, 5),
        datetime.date(year, 12, 25),
        datetime.date(year, 12, 26),
    }


def objection_deadline(*, sent_on: datetime.date) -> datetime.date:
    """The last day to object to a decision sent on `sent_on`: the period is six weeks (Awb
    art. 6:7) and starts the day after the decision was made known (art. 6:8), so it ends six
    weeks after the day of sending, on the same weekday. A period ending on a Saturday,
    Sunday or public holiday runs on to the next day that is none of those (Algemene
    termijnenwet art. 1(1))."""
    first_day = sent_on + datetime.timedelta(days=1)
    last_day = first_day + datetime.timedelta(weeks=OBJECTION_WEEKS) - datetime.timedelta(days=1)
    while last_day.weekday() >= 5 or last_day in public_holidays(last_day.year):
        last_day += datetime.timedelta(days=1)
    return last_day
