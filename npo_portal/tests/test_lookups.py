from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from npo_portal.lookups import InFewRows
from schools.factories import NeedsAnswerFactory, NeedsRoundFactory, SchoolFactory
from schools.models import NeedsAnswer, School


def test_in_few_rows_keeps_the_rows_an_in_subquery_keeps(world):
    mdb = world.middelburg
    elsewhere = SchoolFactory(municipality=world.vlissingen.municipality)
    needs_round = NeedsRoundFactory(municipality=mdb.municipality)
    NeedsAnswerFactory(round=needs_round, school=elsewhere)
    answered = NeedsAnswer.objects.filter(round=needs_round).order_by().values("school_id")
    ids = School.objects.filter(municipality=mdb.municipality).order_by().values("pk")
    for subquery in (answered, ids, ids.union(answered), answered.none()):
        with CaptureQueriesContext(connection) as queries:
            found = set(School.objects.filter(InFewRows(F("pk"), subquery)))
        assert found == set(School.objects.filter(pk__in=subquery))
        if connection.vendor == "postgresql" and queries.captured_queries:
            assert "= ANY(ARRAY(" in queries.captured_queries[0]["sql"]
    assert elsewhere in School.objects.filter(InFewRows(F("pk"), ids.union(answered)))
    assert elsewhere not in School.objects.filter(InFewRows(F("pk"), ids))
