"""What every step of the national data set shares: its sizes, its vocabulary, the
municipalities' days of existence and the context one run builds up."""

import datetime
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from accounts.models import Municipality, SchoolBoard, User

BATCH = 5000


COPY_CHUNK = 100_000


PER_PUPIL = Decimal("118.11")


# The allocation counts the pupils of 1 October 2020 (Stcrt. 2021, 42927), so the schools
# lie in the municipalities of that day, before any merger of the programme.
PUPIL_COUNT_DAY = datetime.date(2020, 10, 1)


# Expenditures are dated over these years; the days outside the programme come out ineligible.
FIRST_DAY, LAST_DAY = datetime.date(2021, 1, 1), datetime.date(2025, 12, 31)


CENT = Decimal("0.01")


USER_PREFIX = "nat-"


# Well away from the demo's boards (41001, 41002) and BRINs (11MB, 22VL).
FIRST_BOARD_NUMBER = 60000


FIRST_BRIN_DIGITS = 30


SUPPLIERS = [
    "Stichting Leerkracht",
    "Bibliotheek Zuid",
    "GGD Regio",
    "Sportbedrijf",
    "Huiswerkbegeleiding Plus",
    "Taalhuis",
    "Kinderopvang De Vlinder",
    "Jeugdzorg Noord",
    "Muziekschool",
    "Onderwijsadvies BV",
]


MEASURES = [
    "Bijles rekenen",
    "Zomerschool",
    "Voorlezen in de klas",
    "Schoolmaatschappelijk werk",
    "Extra handen in de klas",
    "Sport na school",
    "Taalklas nieuwkomers",
    "Huiswerkbegeleiding",
    "Verlengde schooldag",
    "Ouderbetrokkenheid",
    "Coaching thuiszitters",
    "Tutoring door studenten",
]


SCHOOL_WORDS = ["De Regenboog", "Het Kompas", "De Wegwijzer", "Sint Jozef", "De Fontein"]
SCHOOL_WORDS += ["Het Baken", "De Horizon", "Prins Willem", "De Klimop", "Het Anker"]


def money(value: float) -> Decimal:
    """A generated amount as euros and cents."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def brin_code(index: int) -> str:
    """The `index`-th generated BRIN (two digits, two letters), clear of the demo's."""
    letters = (index % 676) // 26, index % 26
    return f"{FIRST_BRIN_DIGITS + index // 676:02d}{chr(65 + letters[0])}{chr(65 + letters[1])}"


def holder_on(m: Municipality, day: datetime.date) -> Municipality:
    """The municipality that holds `m`'s grant on `day`: `m` itself, or the one it merged into."""
    while m.successor is not None and m.valid_until < day:
        m = m.successor
    return m


def exists_on(m: Municipality, day: datetime.date) -> bool:
    """Whether `m` exists on `day` (between its start and its merger)."""
    return (m.valid_from is None or m.valid_from <= day) and (
        m.valid_until is None or day <= m.valid_until
    )


def window(m: Municipality, first: datetime.date, last: datetime.date):
    """The part of `first`..`last` in which `m` exists."""
    return max(first, m.valid_from or first), min(last, m.valid_until or last)


@dataclass
class Context:
    """What one run has built so far and the later steps read: the random source, the
    municipalities, boards, pupils, allocations, users and interventions."""

    rng: random.Random
    programme: object
    municipalities: list[Municipality]
    board_numbers: set[str] = field(default_factory=set)
    boards: list[SchoolBoard] = field(default_factory=list)
    pupils: dict[int, int] = field(default_factory=dict)
    allocations: dict[int, Decimal] = field(default_factory=dict)
    policy: dict[int, User] = field(default_factory=dict)
    finance: dict[int, User] = field(default_factory=dict)
    board_users: dict[int, User] = field(default_factory=dict)
    interventions: dict[int, list[tuple[int, int, str]]] = field(default_factory=dict)
