"""Log the writes to the plan's budget and to the closed years as well.

`finance_totals` also reads the plans, their interventions and budgets and the closed years,
so the finance pages' cached figures (`insight.figures`) must see those changes: a budget
edited without a single euro moving changes the dashboard's budget column. Interventions
and budgets name no municipality; their triggers find it through the plan.
"""

from django.db import migrations

LOG = "insight_moneychange"
# Tables with a municipality_id of their own: 0001's functions log them.
OWN = ["finance_yearclosing", "plans_plan"]
# Tables that reach the municipality through other tables: (table, joins to plans_plan p).
VIA_PLAN = {
    "plans_intervention": "JOIN plans_plan p ON p.id = r.plan_id",
    "plans_interventionbudget": (
        "JOIN plans_intervention i ON i.id = r.intervention_id JOIN plans_plan p ON p.id = i.plan_id"
    ),
}


def _function(table: str, kind: str) -> str:
    return f"insight_log_{table}_{kind}"


def postgresql_statements() -> tuple[list[str], list[str]]:
    forward, backward = [], []

    def statement_triggers(table: str, new: str, old: str, both: str) -> None:
        forward.extend(
            [
                f"CREATE TRIGGER {table}_ins_log AFTER INSERT ON {table} REFERENCING NEW TABLE "
                f"AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {new}()",
                f"CREATE TRIGGER {table}_del_log AFTER DELETE ON {table} REFERENCING OLD TABLE "
                f"AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {old}()",
                f"CREATE TRIGGER {table}_upd_log AFTER UPDATE ON {table} REFERENCING OLD TABLE "
                f"AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {both}()",
                f"CREATE TRIGGER {table}_trunc_log AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION insight_log_everyone()",
            ]
        )
        backward.extend(
            f"DROP TRIGGER IF EXISTS {table}_{suffix}_log ON {table}"
            for suffix in ("ins", "del", "upd", "trunc")
        )

    for table in OWN:
        statement_triggers(table, "insight_log_new", "insight_log_old", "insight_log_both")
    for table, joins in VIA_PLAN.items():
        municipalities = "SELECT p.municipality_id FROM {rows} r " + joins
        bodies = {
            "new": municipalities.format(rows="new_rows"),
            "old": municipalities.format(rows="old_rows"),
            "both": municipalities.format(rows="new_rows")
            + " UNION "
            + municipalities.format(rows="old_rows"),
        }
        for kind, select in bodies.items():
            forward.append(
                f"CREATE FUNCTION {_function(table, kind)}() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN INSERT INTO {LOG} (municipality_id) SELECT DISTINCT "
                f"municipality_id FROM ({select}) AS touched; RETURN NULL; END $$"
            )
            backward.append(f"DROP FUNCTION IF EXISTS {_function(table, kind)}() CASCADE")
        statement_triggers(
            table, _function(table, "new"), _function(table, "old"), _function(table, "both")
        )
    return forward, backward


def sqlite_statements() -> tuple[list[str], list[str]]:
    """Row-level triggers (SQLite has no others); its databases are the tests' small ones."""
    sources = {table: "VALUES ({row}.municipality_id, 1)" for table in OWN}
    sources["plans_intervention"] = (
        "SELECT municipality_id, 1 FROM plans_plan WHERE id = {row}.plan_id"
    )
    sources["plans_interventionbudget"] = (
        "SELECT p.municipality_id, 1 FROM plans_intervention i JOIN plans_plan p "
        "ON p.id = i.plan_id WHERE i.id = {row}.intervention_id"
    )
    forward, backward = [], []
    for table, source in sources.items():
        for event, rows in (("INSERT", ["NEW"]), ("DELETE", ["OLD"]), ("UPDATE", ["OLD", "NEW"])):
            name = f"{table}_{event.lower()}_log"
            body = " ".join(
                f"INSERT INTO {LOG} (municipality_id, weight) {source.format(row=row)};"
                for row in rows
            )
            forward.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def statements(schema_editor) -> tuple[list[str], list[str]]:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return postgresql_statements()
    if vendor == "sqlite":
        return sqlite_statements()
    raise NotImplementedError(vendor)  # pragma: no cover - PostgreSQL, and SQLite in tests


def create_triggers(apps, schema_editor):
    for statement in statements(schema_editor)[0]:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    for statement in statements(schema_editor)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0002_spending_summary_log_and_weight"),
        ("plans", "0011_school_reach"),
        ("finance", "0008_expenditure_import_upload_file"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
