"""Bar and line charts drawn as inline SVG on the server.

No JavaScript and no CDN: the same markup works on the page, in print and in WeasyPrint's
PDF. Each chart has a title and a description for screen readers; pages show the numbers
in a table beside it, so the chart is never the only way to read them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from npo_portal.formatting import format_euro

PALETTE = ["#154273", "#e17000", "#39870c", "#a90061", "#007bc7", "#673327", "#5a5a5a", "#8fcae7"]

WIDTH = 720
PLOT_LEFT = 96
PLOT_RIGHT = 16
PLOT_TOP = 16
PLOT_HEIGHT = 220
LABEL_BAND = 32


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | int]
    dashed: bool = False
    # A wide line with a dot wherever its value changes: where a thin dashed series runs on
    # top of it (payments expected over payments received), both stay visible.
    wide: bool = False


@dataclass
class Chart:
    title: str
    description: str
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    ticks: list[dict] = field(default_factory=list)
    categories: list[dict] = field(default_factory=list)
    bars: list[dict] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    legend: list[dict] = field(default_factory=list)
    zero_y: Decimal = Decimal(0)


def _nice_step(span: Decimal, steps: int = 4) -> Decimal:
    """A round tick step (1, 2 or 5 times a power of ten) covering `span` in about `steps`."""
    if span <= 0:
        return Decimal(1)
    raw = span / steps
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal("0.1")
    for factor in (1, 2, 5, 10):
        if raw <= magnitude * factor:
            return magnitude * factor
    return magnitude * 10


def _frame(
    title: str,
    description: str,
    series: Sequence[Series],
    labels: Sequence[str],
    value_format: Callable[[Decimal], str],
) -> tuple[Chart, Callable[[Decimal], Decimal]]:
    values = [Decimal(v) for s in series for v in s.values] or [Decimal(0)]
    low, high = min(min(values), Decimal(0)), max(max(values), Decimal(0))
    step = _nice_step(high - low)
    top = (high / step).to_integral_value(rounding="ROUND_CEILING") * step if high > 0 else step
    bottom = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    plot_bottom = PLOT_TOP + PLOT_HEIGHT
    chart = Chart(
        title=title,
        description=description,
        width=WIDTH,
        height=plot_bottom + LABEL_BAND,
        plot_left=PLOT_LEFT,
        plot_right=WIDTH - PLOT_RIGHT,
        plot_top=PLOT_TOP,
        plot_bottom=plot_bottom,
    )

    def y(value: Decimal) -> Decimal:
        share = (Decimal(value) - bottom) / (top - bottom)
        return round(Decimal(plot_bottom) - share * PLOT_HEIGHT, 1)

    tick = bottom
    whole = step == step.to_integral_value()
    while tick <= top:
        chart.ticks.append({"y": y(tick), "label": _axis_label(tick, value_format, whole)})
        tick += step
    chart.zero_y = y(Decimal(0))
    if len(series) > 1:
        for index, s in enumerate(series):
            # The legend is HTML under the chart, so it stays readable however far the
            # chart is scaled down or scrolled on a phone.
            chart.legend.append(
                {
                    "label": s.label,
                    "colour": PALETTE[index % len(PALETTE)],
                    "dash": "4 3" if s.dashed else "",
                    "width": 5 if s.wide else 2.5,
                    "marker": s.wide,
                }
            )
    return chart, y


def _axis_label(value: Decimal, value_format: Callable[[Decimal], str], whole: bool) -> str:
    """An axis tick in round euros reads € 10.000, not € 10.000,00."""
    if whole and value_format is format_euro:
        return "€\N{NO-BREAK SPACE}" + number_format(int(value), force_grouping=True)
    return value_format(value)


def bar_chart(
    *,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    description: str = "",
    value_format: Callable[[Decimal], str] = format_euro,
) -> Chart:
    """Grouped bars: one group per category, one bar per series."""
    chart, y = _frame(title, description, series, categories, value_format)
    slot = Decimal(chart.plot_right - chart.plot_left) / max(len(categories), 1)
    bar_width = round(slot * Decimal("0.8") / max(len(series), 1), 1)
    for c_index, category in enumerate(categories):
        left = chart.plot_left + slot * c_index + slot * Decimal("0.1")
        chart.categories.append({"label": category, "x": round(left + slot * Decimal("0.4"), 1)})
        for s_index, s in enumerate(series):
            value = Decimal(s.values[c_index])
            top, bottom = sorted((y(value), chart.zero_y))
            chart.bars.append(
                {
                    "x": round(left + bar_width * s_index, 1),
                    "y": top,
                    "width": bar_width,
                    "height": bottom - top,
                    "colour": PALETTE[s_index % len(PALETTE)],
                    "tooltip": f"{category}, {s.label}: {value_format(value)}",
                }
            )
    return chart


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    description: str = "",
    value_format: Callable[[Decimal], str] = format_euro,
    label_every: int = 1,
) -> Chart:
    """One line per series over the same points (e.g. months); every `label_every`th point
    gets its label on the axis."""
    chart, y = _frame(title, description, series, labels, value_format)
    gap = Decimal(chart.plot_right - chart.plot_left) / max(len(labels) - 1, 1)
    xs = [round(chart.plot_left + gap * index, 1) for index in range(len(labels))]
    for index, label in enumerate(labels):
        if index % label_every == 0:
            chart.categories.append({"label": label, "x": xs[index]})
    for s_index, s in enumerate(series):
        coordinates = [(x, y(Decimal(v))) for x, v in zip(xs, s.values, strict=True)]
        markers = []
        if s.wide:
            markers = [
                {"x": x, "y": point_y}
                for index, (x, point_y) in enumerate(coordinates)
                if index and s.values[index] != s.values[index - 1]
            ]
        chart.lines.append(
            {
                "points": " ".join(f"{x},{point_y}" for x, point_y in coordinates),
                "colour": PALETTE[s_index % len(PALETTE)],
                "label": s.label,
                "dash": "7 5" if s.dashed else "",
                "width": 5 if s.wide else 2.5,
                "markers": markers,
            }
        )
    return chart


def _number(value) -> str:
    """A coordinate as the chart's template printed it with localisation off: a point, no
    grouping, a Decimal in full (not in exponent form)."""
    return f"{value:f}" if isinstance(value, Decimal) else str(value)


def chart_html(chart: Chart, id: str) -> SafeString:
    """The chart as inline SVG in a figure, with its legend and caption (the page's numbers
    stay in a table beside it). Built here rather than by a template: a chart's 20-odd bars
    with six attributes each cost a template half a millisecond (issue 32, the needs picture);
    the markup is the same."""
    n, e = _number, escape
    parts = [
        f'\n\n<figure class="chart mb-3" tabindex="0" aria-labelledby="{e(id)}-title">\n'
        f'  <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n(chart.width)} '
        f'{n(chart.height)}" role="img" aria-labelledby="{e(id)}-title {e(id)}-desc" '
        'class="w-100 h-auto">\n'
        f'    <title id="{e(id)}-title">{e(chart.title)}</title>\n'
        f'    <desc id="{e(id)}-desc">{e(chart.description)}</desc>\n    '
    ]
    left, right = n(chart.plot_left), n(chart.plot_right)
    for tick in chart.ticks:
        parts.append(
            f'\n      <line x1="{left}" x2="{right}" y1="{n(tick["y"])}" y2="{n(tick["y"])}" '
            'stroke="#d9d9d9" stroke-width="1"/>\n'
            f'      <text x="{n(chart.plot_left - 6)}" y="{n(tick["y"])}" font-size="11" '
            f'text-anchor="end" dominant-baseline="middle" fill="#333">{e(tick["label"])}</text>\n'
            "    "
        )
    parts.append("\n    ")
    for bar in chart.bars:
        parts.append(
            f'\n      <rect x="{n(bar["x"])}" y="{n(bar["y"])}" width="{n(bar["width"])}" '
            f'height="{n(bar["height"])}" fill="{e(bar["colour"])}"><title>{e(bar["tooltip"])}'
            "</title></rect>\n    "
        )
    parts.append("\n    ")
    for line in chart.lines:
        dash = f' stroke-dasharray="{e(line["dash"])}"' if line["dash"] else ""
        markers = "".join(
            f'<circle cx="{n(marker["x"])}" cy="{n(marker["y"])}" r="5" '
            f'fill="{e(line["colour"])}" stroke="#fff" stroke-width="1.5"/>'
            for marker in line["markers"]
        )
        parts.append(
            f'\n      <polyline points="{e(line["points"])}" fill="none" '
            f'stroke="{e(line["colour"])}" stroke-width="{n(line["width"])}"{dash}>'
            f"<title>{e(line['label'])}</title></polyline>\n      {markers}\n    "
        )
    parts.append(
        f'\n    <line x1="{left}" x2="{right}" y1="{n(chart.zero_y)}" y2="{n(chart.zero_y)}" '
        'stroke="#333" stroke-width="1"/>\n    '
    )
    for category in chart.categories:
        parts.append(
            f'\n      <text x="{n(category["x"])}" y="{n(chart.plot_bottom + 18)}" '
            f'font-size="11" text-anchor="middle" fill="#333">{e(category["label"])}</text>\n    '
        )
    parts.append("\n  </svg>\n  ")
    if chart.legend:
        parts.append('<ul class="chart-legend list-inline small mb-0">')
        for item in chart.legend:
            if chart.lines:
                dash = f' stroke-dasharray="{e(item["dash"])}"' if item["dash"] else ""
                marker = (
                    f'<circle cx="16" cy="6" r="4.5" fill="{e(item["colour"])}" stroke="#fff" '
                    'stroke-width="1"/>'
                    if item["marker"]
                    else ""
                )
                sample = (
                    '<svg class="chart-legend-line" width="32" height="12" aria-hidden="true" '
                    f'focusable="false"><line x1="1" x2="31" y1="6" y2="6" '
                    f'stroke="{e(item["colour"])}" stroke-width="{n(item["width"])}"{dash}/>'
                    f"{marker}</svg>"
                )
            else:
                sample = (
                    '<svg width="12" height="12" aria-hidden="true" focusable="false">'
                    f'<rect width="12" height="12" fill="{e(item["colour"])}"/></svg>'
                )
            parts.append(f'<li class="list-inline-item">{sample} {e(item["label"])}</li>')
        parts.append("</ul>")
    parts.append("\n  ")
    if chart.description:
        parts.append(f'<figcaption class="visually-hidden">{e(chart.description)}</figcaption>')
    parts.append("\n</figure>\n\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
