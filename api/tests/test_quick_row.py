"""The bulk push's quick check of a row never differs from the serializer: it takes a row
only when the serializer would take it, and reads the same values from it."""

from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import exceptions

from api.serializers import MAX_BULK_ROWS, BulkShapeSerializer, ExpenditureInputSerializer

MISSING = object()

# Values near each field's edges: the forms the quick check takes and the ones it leaves to
# the serializer (other types, padding, null and surrogate characters, long texts, numbers).
texts = st.one_of(
    st.sampled_from(["", " ", "po", " vo ", "I-01", "Zomerschool", "a\x00b", "\ud800", "x" * 30]),
    st.text(max_size=40),
    st.text(min_size=95, max_size=305),
    st.none(),
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.just(MISSING),
)
days = st.one_of(
    st.dates().map(lambda day: day.isoformat()),
    st.sampled_from(["2023-02-30", "2023-2-3", "20230203", " 2023-02-03", "2023-02-03T00:00", ""]),
    st.text(max_size=12),
    st.none(),
    st.integers(),
    st.just(MISSING),
)
amounts = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["12", "12.5", "-0.01", "1e3", "1,50", " 3.00", "999999999999.99", "1" * 13]),
    st.text(max_size=12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(),
    st.none(),
    st.just(MISSING),
)
FIELDS = {
    "datum": days,
    "bedrag": amounts,
    "bestedingsdoel": texts,
    "interventie": texts,
    "omschrijving": texts,
    "leverancier": texts,
    "factuurnummer": texts,
    "extern_id": texts,
}
rows = st.fixed_dictionaries(FIELDS).map(
    lambda row: {name: value for name, value in row.items() if value is not MISSING}
)


def serializer_row(serializer, raw):
    try:
        return serializer.as_row(serializer.run_validation(raw))
    except exceptions.ValidationError:
        return None


@settings(max_examples=400, deadline=None)
@given(raw=rows)
def test_the_quick_check_takes_a_row_only_as_the_serializer_reads_it(raw):
    serializer = ExpenditureInputSerializer()
    quick = serializer.quick_row(raw)
    if quick is not None:
        assert quick == serializer_row(serializer, raw)


def test_the_quick_check_takes_the_rows_a_financial_system_sends():
    serializer = ExpenditureInputSerializer()
    raw = {
        "datum": "2023-03-15",
        "bedrag": "-1234.50",
        "bestedingsdoel": "po",
        "interventie": None,
        "omschrijving": " Zomerschool ",
        "leverancier": "Bureau B",
        "extern_id": "FIN-1",
    }
    assert serializer.quick_row(raw) == serializer_row(serializer, raw)
    assert serializer.quick_row(raw)["omschrijving"] == "Zomerschool"


def test_the_quick_shape_check_takes_a_body_only_as_the_serializer_reads_it():
    bodies = [
        {},
        [],
        "rijen",
        {"rijen": []},
        {"rijen": "x"},
        {"rijen": {"0": {}}},
        {"rijen": [1]},
        {"rijen": [{}, None]},
        {"rijen": [{"datum": None, "bedrag": [1]}]},
        {"rijen": [{}] * MAX_BULK_ROWS},
        {"rijen": [{}] * (MAX_BULK_ROWS + 1)},
        {"rijen": [{"datum": "2023-01-01"}], "anders": 1},
    ]
    taken = 0
    for body in bodies:
        quick = BulkShapeSerializer.quick_rows(body)
        if quick is None:
            continue
        taken += 1
        shape = BulkShapeSerializer(data=body)
        assert shape.is_valid(), body
        assert quick == shape.validated_data["rijen"]
    assert taken == 3
