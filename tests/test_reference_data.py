"""What a transactional test's flush empties comes back as the migrations left it."""

import pytest
from django.db import connection

from accounts.models import Municipality, SplitPlace
from tests.reference_data import load_reference_data


def register():
    return (
        sorted(
            Municipality.objects.values_list(
                "code", "name", "valid_from", "valid_until", "successor__code"
            )
        ),
        sorted(SplitPlace.objects.values_list("municipality__code", "place", "successor__code")),
    )


@pytest.mark.django_db
def test_the_register_since_2016_comes_back_whole_after_a_flush():
    migrated = register()
    assert len(migrated[0]) == 408 and len(migrated[1]) == 65
    with connection.cursor() as cursor:  # as tests/flush.py empties the tables
        cursor.execute(f"DELETE FROM {SplitPlace._meta.db_table}")  # noqa: S608 - a model's table
        cursor.execute(f"DELETE FROM {Municipality._meta.db_table}")  # noqa: S608
    load_reference_data()
    assert register() == migrated
