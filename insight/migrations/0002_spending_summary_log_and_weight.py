"""Log the spending summary's writes as well, and let the log be compacted.

`finance_totals` reads the spending summary (finance 0006), not the expenditures, so the
monitor's figures must be recomputed when the summary changes: a summary rebuilt after a bulk
load around the services changes no expenditure, and without these triggers the figures
computed from the stale summary in between would stay. `weight` lets `compact_money_changes`
fold many log rows of a municipality into one carrying their number.
"""

import importlib

from django.db import migrations, models

TABLE = "finance_spendingsummary"
FIRST = importlib.import_module("insight.migrations.0001_monitor_figures")


def drop_first_sqlite_triggers(apps, schema_editor):
    """SQLite rebuilds the log's table to add a column; triggers writing into it would point
    at the table it drops, so 0001's are dropped first and made again afterwards."""
    if schema_editor.connection.vendor == "sqlite":
        for statement in FIRST.sqlite_triggers()[1]:
            schema_editor.execute(statement)


def make_first_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in FIRST.sqlite_triggers()[0]:
            schema_editor.execute(statement)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # The functions of migration 0001: one log row per municipality per statement.
        statements = [
            f"CREATE TRIGGER {TABLE}_ins_log AFTER INSERT ON {TABLE} REFERENCING NEW TABLE AS "
            "new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_log_new()",
            f"CREATE TRIGGER {TABLE}_del_log AFTER DELETE ON {TABLE} REFERENCING OLD TABLE AS "
            "old_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_log_old()",
            f"CREATE TRIGGER {TABLE}_upd_log AFTER UPDATE ON {TABLE} REFERENCING OLD TABLE AS "
            "old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_log_both()",
            f"CREATE TRIGGER {TABLE}_trunc_log AFTER TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION insight_log_everyone()",
        ]
    elif vendor == "sqlite":
        statements = []
        for event, rows in (("INSERT", ["NEW"]), ("DELETE", ["OLD"]), ("UPDATE", ["OLD", "NEW"])):
            body = " ".join(
                f"INSERT INTO insight_moneychange (municipality_id, weight) "
                f"VALUES ({row}.municipality_id, 1);"
                for row in rows
            )
            statements.append(
                f"CREATE TRIGGER {TABLE}_{event.lower()}_log AFTER {event} ON {TABLE} "
                f"FOR EACH ROW BEGIN {body} END"
            )
    else:  # pragma: no cover - the portal runs on PostgreSQL and tests on SQLite
        raise NotImplementedError(vendor)
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for suffix in ("ins", "del", "upd", "trunc"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{suffix}_log ON {TABLE}")
    else:
        for event in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{event}_log")


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0001_monitor_figures"),
        ("finance", "0006_spending_summary"),
    ]

    operations = [
        migrations.RunPython(drop_first_sqlite_triggers, make_first_sqlite_triggers),
        migrations.AddField(
            model_name="moneychange",
            name="weight",
            field=models.PositiveBigIntegerField(db_default=1),
        ),
        migrations.RunPython(make_first_sqlite_triggers, drop_first_sqlite_triggers),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
