"""Loading the signed-in user on every request, with the organisation the pages ask for.

Nearly every page asks for the user's municipality or school board (the menu, the house
style, the permission functions); Django's `ModelBackend` loads the user alone, so that
cost one more query per request (issue 32). `UserBackend` is `ModelBackend` that loads
both with the user, in the same query.

A session remembers the dotted path of the backend that signed it in, and Django signs a
session out whose path is no longer in `AUTHENTICATION_BACKENDS`. Sessions signed in before
`UserBackend` replaced `ModelBackend` hold Django's path: `REPLACED_BACKENDS` names the path
that replaces it, and `accounts.middleware.AuthenticationMiddleware` writes that into such a
session at its next request, so no one is signed out by the change.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

USER_BACKEND = "accounts.backends.UserBackend"
# Paths sessions may still hold, and the path that now loads their users.
REPLACED_BACKENDS = {"django.contrib.auth.backends.ModelBackend": USER_BACKEND}
# What the user's pages read of their organisation, loaded with the user.
ORGANISATION = ("municipality", "school_board")


def users_with_organisation():
    """Users with their municipality and school board (either may be none), one query."""
    return get_user_model()._default_manager.select_related(*ORGANISATION)


@cache
def _user_select(alias: str) -> tuple[str, list]:
    """The SQL of `users_with_organisation` for one user, and per model its fields and their
    columns' converters: written once per process and database. The ORM compiling this
    three-table select on every request cost 0.9 of the 1.3 ms of loading the user."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    user_model = get_user_model()
    models = [(user_model, None)] + [
        (user_model._meta.get_field(name).related_model, name) for name in ORGANISATION
    ]
    user_table = quote(user_model._meta.db_table)
    columns, joins, parts = [], [], []
    for model, relation in models:
        table = quote(model._meta.db_table)
        if relation is None:
            alias_sql = table
        else:
            alias_sql = quote(f"with_{relation}")
            column = quote(user_model._meta.get_field(relation).column)
            joins.append(
                f"LEFT OUTER JOIN {table} {alias_sql}"
                f" ON {user_table}.{column} = {alias_sql}.{quote(model._meta.pk.column)}"
            )
        fields = model._meta.concrete_fields
        converters = []
        for field in fields:
            columns.append(f"{alias_sql}.{quote(field.column)}")
            col = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            converters.append((col, found))
        parts.append((model, relation, [field.attname for field in fields], converters))
    where = f"{user_table}.{quote(user_model._meta.pk.column)} = %s"
    # Names from the models' meta, quoted; the id is a parameter.
    sql = f"SELECT {', '.join(columns)} FROM {user_table} {' '.join(joins)} WHERE {where}"  # noqa: S608
    return sql, parts


def user_with_organisation(user_id):
    """`users_with_organisation().get(pk=user_id)`, or None: the same instances, read by the
    same one query, without compiling it each time."""
    alias = router.db_for_read(get_user_model())
    connection = connections[alias]
    sql, parts = _user_select(alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        return None
    user, start = None, 0
    for model, relation, attnames, converters in parts:
        values = list(row[start : start + len(attnames)])
        start += len(attnames)
        for index, (col, found) in enumerate(converters):
            for converter in found:
                values[index] = converter(values[index], col, connection)
        if relation is None:
            user = model.from_db(alias, attnames, values)
        else:
            # A user without this organisation: its columns are all NULL.
            related = model.from_db(alias, attnames, values) if values[0] is not None else None
            user._meta.get_field(relation).set_cached_value(user, related)
    return user


class UserBackend(ModelBackend):
    """Django's ModelBackend (password sign-in, permissions, inactive users signed out),
    loading the user's municipality and school board with the user."""

    def get_user(self, user_id):
        user = user_with_organisation(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await users_with_organisation().aget(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
