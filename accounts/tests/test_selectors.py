"""The grant's members: a municipality and, level by level, those merged into it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import register
from accounts.models import Municipality, SplitPlace
from accounts.selectors import grant_members


@pytest.fixture
def shipped_register(db):
    """The register since 2016 as its migration loads it: a transactional test's flush
    empties it, and the reference data loaded again after it is the 2021 list only."""
    if Municipality.objects.count() != 408:
        register.load_register(
            data=register.read_shipped_register(),
            municipality_model=Municipality,
            place_model=SplitPlace,
        )


def _level_by_level(municipality, on):
    """The rule as the register reads: the municipality, then those whose successor is a
    member and that ended before `on`, each level in the order of their end and code."""
    members, level = [municipality], [municipality]
    while level:
        level = sorted(
            (
                merged
                for merged in Municipality.objects.all()
                if merged.successor_id in {m.pk for m in level}
                and merged.valid_until is not None
                and merged.valid_until < on
            ),
            key=lambda m: (m.valid_until, m.code),
        )
        members.extend(level)
    return members


@pytest.mark.parametrize(
    "on", [datetime.date(2019, 1, 1), datetime.date(2022, 3, 25), datetime.date(2026, 12, 7)]
)
def test_every_municipality_of_the_register_holds_its_predecessors_grant_in_one_query(
    shipped_register, on
):
    register = list(Municipality.objects.order_by("code"))
    assert len(register) == 408
    merged_into = 0
    for municipality in register:
        with CaptureQueriesContext(connection) as queries:
            members = grant_members(municipality=municipality, on=on)
        assert len(queries) == 1
        assert members[0] is municipality
        assert [m.pk for m in members] == [m.pk for m in _level_by_level(municipality, on)]
        merged_into += len(members) > 1
    assert merged_into > 10  # the register's mergers are in it


def test_a_municipality_not_stored_holds_only_its_own_grant(db):
    unsaved = Municipality(code="GM9999", name="Nergens", valid_from=datetime.date(2021, 1, 1))
    assert grant_members(municipality=unsaved, on=datetime.date(2024, 1, 1)) == [unsaved]
