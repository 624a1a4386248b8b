"""A lookup that tells PostgreSQL a subquery gives a few rows.

`id IN (SELECT …)` over the schools of one municipality or round (a few hundred of the
country's 6,700) made PostgreSQL hash-join the subquery's rows with a scan of every school:
0.7-1 ms per query, which the largest municipality's needs picture and round detail paid
four times and the smallest, whose one school PostgreSQL looks up by its key, did not
(issue 32, bench/README.md). `id = ANY(ARRAY(SELECT …))` makes it look the rows up by key.
"""

from __future__ import annotations

from django.db.models import Lookup


class InFewRows(Lookup):
    """`lhs IN (subquery)`, as `lhs = ANY(ARRAY(subquery))` on PostgreSQL, for a subquery of
    a few rows whose value is a key of `lhs`'s table: `Model.objects.filter(InFewRows(F("pk"),
    queryset.values("pk")))`."""

    lookup_name = "in_few_rows"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
