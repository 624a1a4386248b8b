"""The national monitor: every municipality's grant, spending, report and settlement in one
year, by size class and province."""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from finance.selectors import (
    finance_programme,
)
from insight.models import FrozenMonitorRow
from insight.services import fresh_figures, months_of
from plans.models import (
    Allocation,
    Plan,
    PlanStatus,
    Programme,
)
from schools.models import (
    AnswerStatus,
    NeedsAnswer,
    NeedsRound,
    School,
)
from settlement.models import Closure, Settlement

ZERO = Decimal("0.00")


SIZE_CLASSES = [
    (0, _("fewer than 2,500 pupils")),
    (2_500, _("2,500 to 10,000 pupils")),
    (10_000, _("10,000 to 25,000 pupils")),
    (25_000, _("25,000 pupils or more")),
]
REPORT_STATUS_LABELS = {
    "": _("none"),
    "built": _("built"),
    "final": _("final"),
    "eindverantwoording": _("eindverantwoording"),
}


def size_class(pupils: int | None) -> str:
    """The size class of a municipality by the pupils its allocation counts (1-10-2020)."""
    if pupils is None:
        return str(_("unknown"))
    label = SIZE_CLASSES[0][1]
    for floor, name in SIZE_CLASSES:
        if pupils >= floor:
            label = name
    return str(label)


@dataclass
class MonitorRow:
    municipality: Municipality
    predecessors: list[str]
    province: str
    size_class: str
    allocation: Decimal
    received: Decimal
    spent_year: Decimal
    spent_cumulative: Decimal
    at_risk: Decimal
    plan_status: str
    report_status: str
    response_rate: Decimal | None
    # The Minister's settlement decision (issue 30): recorded or not, the programme closed or
    # not, and its amount to repay (negative: still to receive).
    settled: bool = False
    closed: bool = False
    to_repay: Decimal = ZERO
    # What the labels above are made of, kept when the row is frozen (insight.FrozenMonitorRow).
    pupils: int | None = None
    plan_code: str = ""
    report_code: str = ""
    # (first day of the month, cumulative eligible spending, cumulative payments expected)
    months: list[tuple[datetime.date, Decimal, Decimal]] = field(default_factory=list)

    @property
    def share_spent(self) -> Decimal | None:
        """Cumulative eligible spending as a percentage of the allocation."""
        if not self.allocation:
            return None
        return (self.spent_cumulative * 100 / self.allocation).quantize(Decimal("0.1"))


@dataclass
class MonitorGroup:
    name: str
    count: int = 0
    allocation: Decimal = ZERO
    received: Decimal = ZERO
    spent_year: Decimal = ZERO
    spent_cumulative: Decimal = ZERO
    at_risk: Decimal = ZERO
    settled: int = 0
    closed: int = 0
    # The decisions' amounts to repay, those still to receive apart.
    reclaimed: Decimal = ZERO
    paid_out: Decimal = ZERO

    def add(self, row: MonitorRow) -> None:
        self.count += 1
        self.settled += row.settled
        self.closed += row.closed
        if row.to_repay > 0:
            self.reclaimed += row.to_repay
        else:
            self.paid_out -= row.to_repay
        self.allocation += row.allocation
        self.received += row.received
        self.spent_year += row.spent_year
        self.spent_cumulative += row.spent_cumulative
        self.at_risk += row.at_risk

    @property
    def share_spent(self) -> Decimal | None:
        if not self.allocation:
            return None
        return (self.spent_cumulative * 100 / self.allocation).quantize(Decimal("0.1"))


@dataclass
class NationalMonitor:
    year: int
    rows: list[MonitorRow]
    total: MonitorGroup
    provinces: list[MonitorGroup]
    size_classes: list[MonitorGroup]
    # (first day of the month, cumulative eligible spending, cumulative payments expected)
    months: list[tuple[datetime.date, Decimal, Decimal]]


def monitor_years() -> list[int]:
    """The reporting years the monitor offers: the programme's, up to its final accounting."""
    programme = Programme.objects.order_by("pk").first()
    if programme is None:
        return []
    last = programme.final_accounting_last_year or programme.end.year
    return list(range(programme.start.year, last + 1))


def national_monitor(*, year: int) -> NationalMonitor:
    """Every municipality accounting for `year` (those existing on 31 December; a
    predecessor's grant is in its successor's row): its money as `finance_totals` gives it,
    plan and report status and the response to its needs rounds of the year, grouped per
    province and size class. Aggregates only: no expenditure, text or person. A fixed number
    of queries, however many municipalities (see insight/models.py for the figures kept)."""
    last_day = datetime.date(year, 12, 31)
    everyone = list(Municipality.objects.order_by("name", "code"))
    predecessors: dict[int, list[int]] = defaultdict(list)
    for municipality in everyone:
        if municipality.successor_id:
            predecessors[municipality.successor_id].append(municipality.pk)
    names = {m.pk: m.name for m in everyone}
    listed = [
        m
        for m in everyone
        if (m.valid_from is None or m.valid_from <= last_day)
        and (m.valid_until is None or m.valid_until >= last_day)
    ]
    figures = fresh_figures(municipalities=listed, year=year, predecessors=predecessors)
    plan_status = dict(
        Plan.objects.filter(programme=finance_programme()).values_list("municipality_id", "status")
    )
    pupils: dict[int, int] = {}
    for municipality_id, count in Allocation.objects.values_list("municipality_id", "pupils"):
        if count is not None:
            pupils[municipality_id] = count
    reports = _report_statuses(year)
    rates = _response_rates(year, predecessors)
    decisions = dict(Settlement.objects.values_list("municipality_id", "amount_to_repay"))
    closed = set(Closure.objects.current().values_list("municipality_id", flat=True))
    provinces = province_of()

    frozen = {
        row.municipality_id: row
        for row in FrozenMonitorRow.objects.filter(
            year=year, municipality_id__in=[m.pk for m in listed]
        )
    }
    rows, months_total = [], {}
    for municipality in listed:
        members = _grant(municipality.pk, predecessors)
        counted = [pupils[m] for m in members if m in pupils]
        # A municipality whose records were destroyed shows the row kept before.
        stored = frozen.get(municipality.pk) or figures[municipality.pk]
        if municipality.pk in frozen:
            pupil_count = stored.pupils
            plan_code, report_code, rate = (
                stored.plan_status,
                stored.report_status,
                stored.response_rate,
            )
        else:
            pupil_count = sum(counted) if counted else None
            plan_code = plan_status.get(municipality.pk, "")
            report_code = reports.get(municipality.pk, "")
            rate = rates.get(municipality.pk)
        row = MonitorRow(
            municipality=municipality,
            predecessors=sorted(names[m] for m in members if m != municipality.pk),
            province=provinces.get(municipality.code, str(_("unknown"))),
            size_class=size_class(pupil_count),
            allocation=stored.allocation,
            received=stored.received,
            spent_year=stored.spent_year,
            spent_cumulative=stored.spent_cumulative,
            at_risk=stored.at_risk,
            plan_status=str(PlanStatus(plan_code).label) if plan_code else str(_("no plan")),
            report_status=str(REPORT_STATUS_LABELS[report_code]),
            response_rate=rate,
            pupils=pupil_count,
            plan_code=plan_code,
            report_code=report_code,
            months=months_of(stored),
            settled=municipality.pk in decisions,
            closed=municipality.pk in closed,
            to_repay=decisions.get(municipality.pk, ZERO),
        )
        rows.append(row)
        for day, spent, expected in row.months:
            before = months_total.get(day, (ZERO, ZERO))
            months_total[day] = (before[0] + spent, before[1] + expected)

    total = MonitorGroup(name=str(_("The Netherlands")))
    by_province: dict[str, MonitorGroup] = {}
    by_size: dict[str, MonitorGroup] = {}
    for row in rows:
        total.add(row)
        by_province.setdefault(row.province, MonitorGroup(name=row.province)).add(row)
        by_size.setdefault(row.size_class, MonitorGroup(name=row.size_class)).add(row)
    size_order = [str(label) for _floor, label in SIZE_CLASSES] + [str(_("unknown"))]
    return NationalMonitor(
        year=year,
        rows=rows,
        total=total,
        provinces=sorted(by_province.values(), key=lambda g: g.name),
        size_classes=sorted(by_size.values(), key=lambda g: size_order.index(g.name)),
        months=[(day, *months_total[day]) for day in sorted(months_total)],
    )


def _grant(municipality_id: int, predecessors: dict[int, list[int]]) -> list[int]:
    members, frontier = [], [municipality_id]
    while frontier:
        current = frontier.pop()
        if current not in members:
            members.append(current)
            frontier.extend(predecessors.get(current, []))
    return members


def _report_statuses(year: int) -> dict[int, str]:
    """The report status per municipality from the provider in settings: the monitor must
    not import `reporting` (nothing does), so reporting offers it through
    INSIGHT_REPORT_STATUSES."""
    path = getattr(settings, "INSIGHT_REPORT_STATUSES", "")
    return import_string(path)(year=year) if path else {}


def _response_rates(year: int, predecessors: dict[int, list[int]]) -> dict[int, Decimal]:
    """Per municipality the share of the schools asked in its needs rounds with a deadline
    in `year` (its own and its predecessors') that submitted an answer, in percent. A
    school is asked when it lay in the round's municipality on the day the round opened
    and was not closed, or when it answered (as `School.objects.in_round` says)."""
    rounds = list(
        NeedsRound.objects.filter(deadline__year=year).values_list(
            "pk", "municipality_id", "opened_at"
        )
    )
    if not rounds:
        return {}
    open_schools: dict[int, list[tuple[int, datetime.date | None]]] = defaultdict(list)
    for pk, municipality_id, closed_on in School.objects.values_list(
        "pk", "municipality_id", "closed_on"
    ):
        open_schools[municipality_id].append((pk, closed_on))
    answered: dict[int, set[int]] = defaultdict(set)
    submitted: dict[int, set[int]] = defaultdict(set)
    for round_id, school_id, status in NeedsAnswer.objects.filter(
        round_id__in=[r[0] for r in rounds]
    ).values_list("round_id", "school_id", "status"):
        answered[round_id].add(school_id)
        if status == AnswerStatus.SUBMITTED:
            submitted[round_id].add(school_id)
    asked_per_municipality: dict[int, int] = defaultdict(int)
    submitted_per_municipality: dict[int, int] = defaultdict(int)
    for pk, municipality_id, opened_at in rounds:
        opened = timezone.localdate(opened_at)
        asked = {
            school_id
            for school_id, closed_on in open_schools[municipality_id]
            if closed_on is None or closed_on > opened
        } | answered[pk]
        asked_per_municipality[municipality_id] += len(asked)
        submitted_per_municipality[municipality_id] += len(submitted[pk])
    rates = {}
    successors = {p: s for s, ps in predecessors.items() for p in ps}
    holders: dict[int, list[int]] = defaultdict(list)
    for municipality_id in asked_per_municipality:
        holder = municipality_id
        while holder in successors:
            holder = successors[holder]
        holders[holder].append(municipality_id)
    for holder, members in holders.items():
        asked = sum(asked_per_municipality[m] for m in members)
        if asked:
            done = sum(submitted_per_municipality[m] for m in members)
            rates[holder] = (Decimal(done) * 100 / asked).quantize(Decimal("0.1"))
    return rates


def province_of() -> dict[str, str]:
    """The province of every municipality by CBS code (insight/data/provincies.csv)."""
    return dict(_PROVINCES)


def _load_provinces() -> dict[str, str]:
    with open(Path(__file__).parent.parent / "data" / "provincies.csv", encoding="utf-8") as stream:
        return {
            row["gemeentecode"]: row["provincie"] for row in csv.DictReader(stream, delimiter=";")
        }


_PROVINCES = _load_provinces()
