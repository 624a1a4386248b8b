"""The test database emptied with DELETE instead of TRUNCATE after a transactional test.

Django ends every transactional test (and every live-server test) with `flush`: one TRUNCATE
of all ~100 tables. PostgreSQL gives each truncated table and index a new file, which costs
about 3 s of the server's time even when the tables are empty; deleting the few rows a test
wrote costs about 0.2 s (bench/README.md, issue 32). The result is the same: every table
empty, the sequences where they were.

A superuser (as the test runs connect) deletes with `session_replication_role = replica` for
the flush's transaction: no trigger fires, neither the foreign keys' checks at the commit (about
0.3-0.5 s for the reference data's ~360 municipalities and what points at them) nor the
change-log triggers, whose rows would be deleted with their tables anyway. Otherwise Django's
foreign keys are DEFERRABLE INITIALLY DEFERRED, so the order of the deletes within the one
transaction does not matter to them; it does to the change-log triggers, which write a row
into a log table for each delete: the tables with triggers are emptied first, the log tables
(which have none) after them.

The content types and permissions that the migrated database had are kept: the flush would
delete them, and Django's post-migrate handlers would at once create the same rows again
under new ids (about 0.5 s a test at load 7, against 0.1 s to find them all there). Rows a
test added (ids above the migrated database's) are deleted as before. The statements go to
the server in one round trip.
"""

from __future__ import annotations

from django.db.backends.postgresql.operations import DatabaseOperations

from tests.reference_data import load_reference_data

_truncate = DatabaseOperations.sql_flush
MIGRATED_ROWS_KEPT = ("django_content_type", "auth_permission")
_kept_up_to: dict[tuple[str, str], int] = {}
# Whether a flush has emptied the reference data since `reload_after_flush` loaded it again.
_emptied = False
# Fixtures that make a test transactional: it ends with a flush instead of a rollback.
TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
TABLES_WITH_TRIGGERS = (
    "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
)


def keep_migrated_rows(connection) -> None:
    """Note the last id of the kept tables in the freshly migrated (or copied) test database."""
    with connection.cursor() as cursor:
        for table in MIGRATED_ROWS_KEPT:
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {name}")  # noqa: S608 - ours
            _kept_up_to[connection.alias, table] = cursor.fetchone()[0]


def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    global _emptied
    _emptied = True
    if reset_sequences or allow_cascade:
        return _truncate(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    with self.connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        (superuser,) = cursor.fetchone()
        if not superuser:
            cursor.execute(TABLES_WITH_TRIGGERS)
            triggered = {name.strip('"') for (name,) in cursor.fetchall()}
    deletes = []
    for table in tables if superuser else sorted(tables, key=lambda t: t not in triggered):
        delete = f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))}"
        kept = _kept_up_to.get((self.connection.alias, table))
        deletes.append(f"{delete} WHERE id > {kept};" if kept is not None else f"{delete};")
    if superuser:
        replica = "SET LOCAL session_replication_role = {};"
        deletes = [replica.format("replica"), *deletes, replica.format("DEFAULT")]
    # One round trip instead of ~100 (psycopg sends the statements together).
    return ["\n".join(deletes)]


def reload_after_flush(item) -> None:
    """Before a test in a rolled-back transaction: when xdist handed this process one of
    its transactional tests earlier (whose flush emptied every table), load the migrations'
    reference data again and commit it, before the test's own transaction begins."""
    global _emptied
    if not _emptied:
        return
    names = set(item.fixturenames)
    marker = item.get_closest_marker("django_db")
    transactional = names & TRANSACTIONAL_FIXTURES or (marker and marker.kwargs.get("transaction"))
    if transactional or ("db" not in names and marker is None):
        return
    from pytest_django.plugin import blocking_manager_key

    with item.config.stash[blocking_manager_key].unblock():
        load_reference_data()
    _emptied = False
