import pytest
from django.db.models import Q

from accounts.models import Municipality, SplitPlace

# The world's two municipalities and two mergers: Amsterdam with Weesp (2022) and Voorne aan
# Zee (2023) with its three predecessors, whose grants the monitor counts in their
# successor's row.
SMALL_REGISTER = ["GM0687", "GM0718", "GM0363", "GM1992"]


@pytest.fixture
def small_register(db):
    """The municipal register cut down to SMALL_REGISTER (the migrations load all 400-odd
    municipalities since 2016). The monitor computes and stores figures for every
    municipality of every year, so its tests check the same rules on eight municipalities
    instead of 400, at a fraction of the cost."""
    keep = list(
        Municipality.objects.filter(
            Q(code__in=SMALL_REGISTER) | Q(successor__code__in=SMALL_REGISTER)
        ).values_list("pk", flat=True)
    )
    SplitPlace.objects.exclude(municipality_id__in=keep, successor_id__in=keep).delete()
    gone = Municipality.objects.exclude(pk__in=keep)
    # Successor links are protected; those among the municipalities that go, go with them.
    gone.update(successor=None)
    gone.delete()
    assert Municipality.objects.count() == len(keep) == 8
