from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from npo_portal.charts import Series, bar_chart, chart_html, line_chart


def test_bars_reach_from_zero_to_their_value_on_a_round_axis():
    chart = bar_chart(
        title="Budget",
        categories=["2022", "2023"],
        series=[Series("Doel 1", [Decimal("30000"), Decimal("0")])],
    )
    assert [tick["label"] for tick in chart.ticks][-1] == "€\xa030.000"
    full, empty = chart.bars
    assert full["y"] == chart.plot_top and full["y"] + full["height"] == chart.plot_bottom
    assert empty["height"] == 0


def test_negative_values_hang_below_the_zero_line():
    chart = bar_chart(title="t", categories=["jan"], series=[Series("netto", [Decimal("-500")])])
    (bar,) = chart.bars
    assert bar["y"] == chart.zero_y and bar["height"] > 0


def test_svg_coordinates_are_not_localised_with_decimal_commas():
    chart = line_chart(
        title="Besteding",
        labels=["jan", "feb", "mrt"],
        series=[Series("Cumulatief", [Decimal("1.5"), Decimal("1000.25"), Decimal("2000")])],
        description="Cumulatieve besteding per maand",
    )
    with translation.override("nl"):
        svg = chart_html(chart, "c")
    points = svg.split('points="')[1].split('"')[0]
    assert [len(pair.split(",")) for pair in points.split()] == [2, 2, 2]
    assert all(float(c) >= 0 for pair in points.split() for c in pair.split(","))
    assert '<title id="c-title">Besteding</title>' in svg


def test_received_and_expected_payments_stay_apart_where_they_coincide():
    """The wide line with a dot per change shows under the thin dashed one; the legend
    draws each line's own sample, not a bare colour square."""
    same = [Decimal("0"), Decimal("100"), Decimal("100"), Decimal("250")]
    chart = line_chart(
        title="Betalingen",
        labels=["jan", "feb", "mrt", "apr"],
        series=[Series("Ontvangen", same, wide=True), Series("Verwacht", same, dashed=True)],
    )
    received, expected = chart.lines
    assert received["width"] > expected["width"] and not received["dash"] and expected["dash"]
    xs = [point.split(",")[0] for point in received["points"].split()]
    assert [str(m["x"]) for m in received["markers"]] == [xs[1], xs[3]]  # where it rises
    assert expected["markers"] == []
    with translation.override("nl"):
        svg = chart_html(chart, "p")
    assert svg.count("<circle") == 2 + 1  # two payments on the line, one in the legend
    legend = svg.split("chart-legend list-inline")[1]
    assert 'stroke-dasharray="4 3"' in legend and 'stroke-width="5"' in legend


def test_a_chart_is_inline_svg_with_its_texts_escaped_and_its_numbers_unlocalised():
    """What a page's `{% chart %}` puts in: the figure with the SVG, a bar per value with its
    tooltip, the legend under it and the description for screen readers; texts escaped,
    coordinates with a decimal point whatever the language."""
    chart = bar_chart(
        title="Doelen <1 & 2>",
        categories=["Taal", "Rekenen"],
        series=[Series("po", [Decimal("12.5"), Decimal("3")]), Series("vo", [1, 0])],
        description='Aandeel "leerlingen"',
        value_format=lambda value: f"{value}%",
    )
    with translation.override("nl"):
        html = Template('{% load portal %}{% chart chart "doelen" %}').render(
            Context({"chart": chart})
        )
    assert html.startswith('\n\n<figure class="chart mb-3" tabindex="0"')
    assert '<title id="doelen-title">Doelen &lt;1 &amp; 2&gt;</title>' in html
    assert html.count("<rect x=") == 4
    assert "<title>Taal, po: 12.5%</title>" in html
    heights = [part.split('"')[0] for part in html.split('height="')[1:]]
    assert all("," not in height for height in heights) and "." in "".join(heights)
    assert html.count('<li class="list-inline-item">') == 2
    assert '<figcaption class="visually-hidden">Aandeel &quot;leerlingen&quot;</figcaption>' in html
