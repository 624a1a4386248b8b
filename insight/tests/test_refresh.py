"""The nightly refresh of the national monitor and the compaction of its change log."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction

from finance.factories import AllocationFactory, ExpenditureFactory
from finance.models import Expenditure
from insight.models import MoneyChange, MonitorFigures
from insight.selectors import monitor_years, national_monitor
from insight.services import change_counts, compact_money_changes
from insight.tasks import refresh_monitor
from npo_portal.celery import app as celery_app
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory
from schools.models import NeedsChange
from tests.world import build_world

YEAR = 2023


def spend(municipality, amount: str, month: int = 2) -> None:
    ExpenditureFactory(
        municipality=municipality, date=datetime.date(YEAR, month, 1), amount=Decimal(amount)
    )


def figures_of(municipality) -> MonitorFigures:
    return MonitorFigures.objects.get(municipality=municipality, year=YEAR)


@pytest.mark.usefixtures("small_register")
def test_compaction_leaves_one_row_per_municipality_and_no_figures_stale(world):
    mdb, vls = world.middelburg.municipality, world.vlissingen.municipality
    AllocationFactory(municipality=mdb, amount=Decimal("10000.00"))
    for amount in ("100.00", "50.00", "25.00"):
        spend(mdb, amount)
    spend(vls, "10.00")
    national_monitor(year=YEAR)
    computed = {m: figures_of(m).computed_at for m in (mdb, vls)}
    counts = change_counts()
    logged = MoneyChange.objects.count()
    assert logged > len(counts)

    removed = compact_money_changes()

    assert removed == logged - len(counts)
    assert MoneyChange.objects.count() == len(counts)
    assert change_counts() == counts
    national_monitor(year=YEAR)
    assert {m: figures_of(m).computed_at for m in (mdb, vls)} == computed
    # After the compaction a change still moves the figures.
    spend(mdb, "5.00", month=4)
    row = next(r for r in national_monitor(year=YEAR).rows if r.municipality == mdb)
    assert row.spent_year == Decimal("180.00")
    assert figures_of(vls).computed_at == computed[vls]
    # Compacting again folds only the rows written since.
    written_since = MoneyChange.objects.count() - len(counts)
    assert compact_money_changes() == written_since
    assert MoneyChange.objects.count() == len(change_counts())


@pytest.mark.usefixtures("small_register")
def test_the_nightly_task_stores_every_years_figures_and_folds_the_log(world):
    spend(world.middelburg.municipality, "100.00")
    years = monitor_years()
    assert YEAR in years
    NeedsAnswerFactory(round=NeedsRoundFactory(municipality=world.middelburg.municipality))
    needs_logged = NeedsChange.objects.count()
    removed = refresh_monitor.delay().get()
    assert removed > 0
    assert MoneyChange.objects.count() == len(change_counts())
    # The needs log is folded the same night, to one row per municipality.
    assert NeedsChange.objects.count() < needs_logged
    assert (
        NeedsChange.objects.count()
        == NeedsChange.objects.values("municipality_id").distinct().count()
    )
    listed = len(national_monitor(year=YEAR).rows)
    for year in years:
        assert MonitorFigures.objects.filter(year=year).count() == len(
            national_monitor(year=year).rows
        )
    assert MonitorFigures.objects.filter(year=YEAR).count() == listed
    # Re-running changes nothing that was fresh.
    stamps = list(MonitorFigures.objects.order_by("pk").values_list("computed_at", flat=True))
    assert refresh_monitor.delay().get() == 0
    assert stamps == list(
        MonitorFigures.objects.order_by("pk").values_list("computed_at", flat=True)
    )


@pytest.mark.usefixtures("small_register")
def test_the_command_refreshes_the_years_asked_for(world, capsys):
    spend(world.middelburg.municipality, "100.00")
    call_command("refresh_monitor", "--year", str(YEAR))
    out = capsys.readouterr().out
    assert f"{YEAR}: " in out and "rows folded away" in out
    assert set(MonitorFigures.objects.values_list("year", flat=True)) == {YEAR}


def test_beat_runs_the_refresh_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-national-monitor"]
    assert entry["task"] == "insight.tasks.refresh_monitor"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {2}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data")
def test_a_write_committing_during_the_compaction_is_neither_lost_nor_counted_twice():
    """Real concurrency on PostgreSQL: a writer's log row, inserted before the compaction
    starts and committed after it ends, stays in the log and counts once."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL; SQLite serialises writers.")
    world = build_world()
    mdb = world.middelburg.municipality
    spend(mdb, "100.00")
    spend(mdb, "50.00")
    before = change_counts()
    written, compacted = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with transaction.atomic():
                Expenditure.objects.filter(municipality=mdb).update(amount=Decimal("1.00"))
                written.set()
                assert compacted.wait(timeout=20)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=writer)
    thread.start()
    assert written.wait(timeout=20)
    # The writer's row is not committed: the compaction neither sees nor waits for it.
    assert compact_money_changes() > 0
    assert change_counts() == before
    compacted.set()
    thread.join(timeout=30)
    assert not errors
    after = change_counts()
    assert after[mdb.pk] == before[mdb.pk] + 1
    assert MoneyChange.objects.filter(municipality_id=mdb.pk).count() == 2
