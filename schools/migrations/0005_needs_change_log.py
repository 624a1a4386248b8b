"""A log of the writes to a municipality's needs data, kept by triggers like insight's money log.

Each table maps to the municipalities a written row belongs to: a school to its municipality
and to the municipalities of the rounds it answered (a moved school's name shows in its old
round), an answer and everything on it to its round's municipality, an intervention's schools
and reach to its plan's municipality. Tables whose rows every municipality shows (boards, the
register, goals, the menukaart) log municipality 0. Statement-level triggers on PostgreSQL (one
row per municipality per statement), row-level ones on SQLite (the tests' small databases).
"""

from django.db import migrations, models

LOG = "schools_needschange"
ROUND = "JOIN schools_needsround nr ON nr.id = {on}.round_id"
ANSWER = "JOIN schools_needsanswer a ON a.id = {on}.answer_id " + ROUND.format(on="a")
PLAN = "JOIN plans_intervention i ON i.id = r.intervention_id JOIN plans_plan p ON p.id = i.plan_id"
# table -> the municipality ids of the rows in transition table `{rows}` (alias r).
OWNERS = {
    "schools_school": (
        "SELECT r.municipality_id FROM {rows} r UNION SELECT nr.municipality_id FROM {rows} r "
        "JOIN schools_needsanswer a ON a.school_id = r.id " + ROUND.format(on="a")
    ),
    "schools_needsround": "SELECT r.municipality_id FROM {rows} r",
    "schools_roundquestion": "SELECT nr.municipality_id FROM {rows} r " + ROUND.format(on="r"),
    "schools_needsanswer": "SELECT nr.municipality_id FROM {rows} r " + ROUND.format(on="r"),
    "schools_delayassessment": "SELECT nr.municipality_id FROM {rows} r " + ANSWER.format(on="r"),
    "schools_needrequest": "SELECT nr.municipality_id FROM {rows} r " + ANSWER.format(on="r"),
    "schools_questionanswer": "SELECT nr.municipality_id FROM {rows} r " + ANSWER.format(on="r"),
    "schools_needrequest_goals": (
        "SELECT nr.municipality_id FROM {rows} r JOIN schools_needrequest q "
        "ON q.id = r.needrequest_id " + ANSWER.format(on="q")
    ),
    "schools_needsanswer_menu_items": (
        "SELECT nr.municipality_id FROM {rows} r JOIN schools_needsanswer a "
        "ON a.id = r.needsanswer_id " + ROUND.format(on="a")
    ),
    "plans_intervention_schools": "SELECT p.municipality_id FROM {rows} r " + PLAN,
    "plans_schoolreach": "SELECT p.municipality_id FROM {rows} r " + PLAN,
}
EVERYONE = [
    "accounts_schoolboard",
    "accounts_municipality",
    "plans_spendinggoal",
    "plans_menuitem",
    "plans_menuarea",
]


def postgresql_statements() -> tuple[list[str], list[str]]:
    forward = [
        f"""CREATE FUNCTION schools_needs_log_everyone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO {LOG} (municipality_id) VALUES (0); RETURN NULL; END $$"""
    ]
    backward = ["DROP FUNCTION IF EXISTS schools_needs_log_everyone() CASCADE"]
    for table, owners in OWNERS.items():
        selects = {
            "new": owners.format(rows="new_rows"),
            "old": owners.format(rows="old_rows"),
            "both": owners.format(rows="new_rows") + " UNION " + owners.format(rows="old_rows"),
        }
        for kind, select in selects.items():
            function = f"schools_needs_log_{table}_{kind}"
            forward.append(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO {LOG} (municipality_id) SELECT DISTINCT municipality_id "
                f"FROM ({select}) AS touched; RETURN NULL; END $$"
            )
            backward.append(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
        prefix = f"schools_needs_log_{table}"
        forward += [
            f"CREATE TRIGGER {table}_ins_needs AFTER INSERT ON {table} REFERENCING NEW TABLE "
            f"AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_new()",
            f"CREATE TRIGGER {table}_del_needs AFTER DELETE ON {table} REFERENCING OLD TABLE "
            f"AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_old()",
            f"CREATE TRIGGER {table}_upd_needs AFTER UPDATE ON {table} REFERENCING OLD TABLE "
            f"AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {prefix}_both()",
            f"CREATE TRIGGER {table}_trunc_needs AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION schools_needs_log_everyone()",
        ]
    for table in EVERYONE:
        forward.append(
            f"CREATE TRIGGER {table}_needs AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "
            f"{table} FOR EACH STATEMENT EXECUTE FUNCTION schools_needs_log_everyone()"
        )
        backward.append(f"DROP TRIGGER IF EXISTS {table}_needs ON {table}")
    return forward, backward


def sqlite_statements() -> tuple[list[str], list[str]]:
    """The same owners, one row at a time: `{rows} r` becomes the row itself."""
    forward, backward = [], []
    for table, owners in OWNERS.items():
        for event, rows in (("INSERT", ["NEW"]), ("DELETE", ["OLD"]), ("UPDATE", ["OLD", "NEW"])):
            name = f"{table}_{event.lower()}_needs"
            body = " ".join(
                f"INSERT INTO {LOG} (municipality_id, weight) SELECT municipality_id, 1 FROM "
                f"({_one_row(table, owners, row)});"
                for row in rows
            )
            forward.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {body} END"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    for table in EVERYONE:
        for event in ("INSERT", "DELETE", "UPDATE"):
            name = f"{table}_{event.lower()}_needs"
            forward.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN "
                f"INSERT INTO {LOG} (municipality_id, weight) VALUES (0, 1); END"
            )
            backward.append(f"DROP TRIGGER IF EXISTS {name}")
    return forward, backward


def _one_row(table: str, owners: str, row: str) -> str:
    """`owners` over a one-row table made of the trigger's NEW or OLD row."""
    columns = COLUMNS[table]
    values = ", ".join(f"{row}.{column} AS {column}" for column in columns)
    return owners.replace("{rows} r", f"(SELECT {values}) r")


# The columns `OWNERS` reads of each table's rows.
COLUMNS = {
    "schools_school": ["id", "municipality_id"],
    "schools_needsround": ["municipality_id"],
    "schools_roundquestion": ["round_id"],
    "schools_needsanswer": ["round_id"],
    "schools_delayassessment": ["answer_id"],
    "schools_needrequest": ["answer_id"],
    "schools_questionanswer": ["answer_id"],
    "schools_needrequest_goals": ["needrequest_id"],
    "schools_needsanswer_menu_items": ["needsanswer_id"],
    "plans_intervention_schools": ["intervention_id"],
    "plans_schoolreach": ["intervention_id"],
}


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
        ('schools', '0004_school_closed_on'),
        ('plans', '0011_school_reach'),
    ]

    operations = [
        migrations.CreateModel(
            name='NeedsChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('municipality_id', models.BigIntegerField(db_index=True)),
                ('weight', models.PositiveBigIntegerField(db_default=1)),
            ],
            options={
                'verbose_name': 'needs change',
                'verbose_name_plural': 'needs changes',
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
