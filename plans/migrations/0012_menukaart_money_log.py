"""Log the menukaart's writes in the money change log, for every municipality.

The plan page caches its figures (budget, interventions, what to check) under the count of
`insight.MoneyChange` rows for the plan's municipality (`plans.selectors.figures_version`).
Those figures also show each intervention's menu item and check it against the menu's dates,
so a write to the menu's items or areas logs a change for everyone (municipality 0), as the
programme and its goals already do (insight migration 0001). The function is insight's.
"""

from django.db import migrations

LOG = "insight_moneychange"
TABLES = ["plans_menuitem", "plans_menuarea"]


def statements(schema_editor) -> tuple[list[str], list[str]]:
    vendor = schema_editor.connection.vendor
    forward, backward = [], []
    if vendor == "postgresql":
        for table in TABLES:
            forward.append(
                f"CREATE TRIGGER {table}_log AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
                f"{table} FOR EACH STATEMENT EXECUTE FUNCTION insight_log_everyone()"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {table}_log ON {table}")
    elif vendor == "sqlite":  # row-level only; the tests' small databases
        for table in TABLES:
            for event in ("INSERT", "DELETE", "UPDATE"):
                name = f"{table}_{event.lower()}_log"
                forward.append(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
                    f"INSERT INTO {LOG} (municipality_id, weight) VALUES (0, 1); END"
                )
                backward.append(f"DROP TRIGGER IF EXISTS {name}")
    else:  # pragma: no cover - PostgreSQL, and SQLite in tests
        raise NotImplementedError(vendor)
    return forward, backward


def create_triggers(apps, schema_editor):
    for statement in statements(schema_editor)[0]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in statements(schema_editor)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0011_school_reach"),
        ("insight", "0003_plan_and_year_closing_log"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
