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
