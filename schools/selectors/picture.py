"""The municipal needs picture of a round (and its cached form and chart), and the summary
of the latest needs the plan pages show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from npo_portal.changelog import logged_changes, logged_changes_subquery
from npo_portal.charts import Chart, Series, bar_chart
from npo_portal.lookups import InFewRows
from npo_portal.paging import Counted
from plans.models import SpendingGoal
from schools.models import (
    AnswerStatus,
    DelayAssessment,
    Domain,
    NeedRequest,
    NeedsAnswer,
    NeedsChange,
    NeedsRound,
    QuestionAnswer,
    School,
    Sector,
    Severity,
)
from schools.selectors.rounds import (
    RESPONSE_LABELS,
    SERIOUS,
    SHORT_DOMAIN_LABELS,
    SchoolResponse,
    response_page,
    responses,
)

# ---------------------------------------------------------------------------------------
# The municipal picture


@dataclass
class DelayRow:
    domain: str
    sector: str
    schools: int
    per_severity: dict[str, int]
    average_share: Decimal

    @property
    def domain_label(self) -> str:
        return str(Domain(self.domain).label)

    @property
    def sector_label(self) -> str:
        return str(Sector(self.sector).label)

    @property
    def severity_counts(self) -> list[int]:
        return [self.per_severity.get(severity, 0) for severity in Severity.values]

    @property
    def serious(self) -> int:
        return sum(self.per_severity.get(severity, 0) for severity in SERIOUS)


@dataclass
class NeedItem:
    school: School
    description: str


@dataclass
class GoalNeeds:
    goal: SpendingGoal
    needs: list[NeedItem]


@dataclass
class QuestionAnswers:
    question: str
    answers: list[NeedItem]


class _Delays:
    """The delays' figures of a picture with `delay_rows` and `counts` (per response)."""

    delay_rows: list[DelayRow]
    counts: dict[str, int]

    @property
    def sectors(self) -> list[str]:
        present = {row.sector for row in self.delay_rows}
        return [sector for sector in Sector.values if sector in present]

    def average_share(self, domain: str, sector: str | None = None) -> Decimal:
        """The mean share of pupils affected in `domain` (optionally one sector)."""
        rows = [
            row
            for row in self.delay_rows
            if row.domain == domain and (sector is None or row.sector == sector)
        ]
        schools = sum(row.schools for row in rows)
        if not schools:
            return Decimal(0)
        total = sum(row.average_share * row.schools for row in rows)
        return (total / schools).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.counts.get(status, 0)) for status, label in RESPONSE_LABELS.items()
        ]


@dataclass
class _DelayFigures(_Delays):
    delay_rows: list[DelayRow]
    counts: dict[str, int]


@dataclass
class NeedsPicture(_Delays):
    needs_round: NeedsRound
    responses: list[SchoolResponse]
    delay_rows: list[DelayRow]
    needs_by_goal: list[GoalNeeds]
    menu_items: list[tuple[str, int]]
    free_texts: list[NeedItem]
    questions: list[QuestionAnswers]
    counts: dict[str, int] = field(default_factory=dict)


def _percentage(total: int, count: int) -> Decimal:
    return (Decimal(total) / count).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def municipal_picture(*, needs_round: NeedsRound) -> NeedsPicture:
    """The bundled picture of a round: who responded, the delays per domain and sector, the
    needs per spending goal and the free texts; only submitted answers count. A fixed number
    of queries, whatever the number of schools."""
    submitted = Q(answer__round=needs_round, answer__status=AnswerStatus.SUBMITTED)
    school_responses = responses(
        needs_round=needs_round,
        schools=School.objects.in_round(needs_round).order_by("board__name", "name"),
    )
    counts: dict[str, int] = defaultdict(int)
    for response in school_responses:
        counts[response.status] += 1

    delay_rows = _delay_rows(needs_round)

    needs_per_goal: dict[int, list[NeedItem]] = defaultdict(list)
    for need in (
        NeedRequest.objects.filter(submitted)
        .select_related("answer__school")
        .prefetch_related("goals")
        .order_by("answer__school__name", "pk")
    ):
        for goal in need.goals.all():
            needs_per_goal[goal.pk].append(NeedItem(need.answer.school, need.description))
    goals = SpendingGoal.objects.order_by("order")
    needs_by_goal = [GoalNeeds(goal, needs_per_goal.get(goal.pk, [])) for goal in goals]

    menu_items = _menu_items(needs_round)

    free_texts = [
        NeedItem(answer.school, answer.free_text)
        for answer in NeedsAnswer.objects.filter(round=needs_round, status=AnswerStatus.SUBMITTED)
        .exclude(free_text="")
        .select_related("school")
        .order_by("school__name")
    ]

    per_question: dict[int, list[NeedItem]] = defaultdict(list)
    for answer in (
        QuestionAnswer.objects.filter(submitted)
        .select_related("answer__school")
        .order_by("answer__school__name")
    ):
        per_question[answer.question_id].append(NeedItem(answer.answer.school, answer.text))
    questions = [
        QuestionAnswers(question.text, per_question.get(question.pk, []))
        for question in needs_round.questions.all()
    ]
    return NeedsPicture(
        needs_round=needs_round,
        responses=school_responses,
        delay_rows=delay_rows,
        needs_by_goal=needs_by_goal,
        menu_items=menu_items,
        free_texts=free_texts,
        questions=questions,
        counts=dict(counts),
    )


def _menu_items(needs_round: NeedsRound) -> list[tuple[str, int]]:
    """The menukaart's interventions the submitted answers run, with their schools."""
    through = NeedsAnswer.menu_items.through
    return [
        (f"{row['menuitem__area__letter']}. {row['menuitem__name']}", row["schools"])
        for row in through.objects.filter(
            needsanswer__round=needs_round, needsanswer__status=AnswerStatus.SUBMITTED
        )
        .values("menuitem__area__letter", "menuitem__name")
        .annotate(schools=Count("pk"))
        .order_by("-schools", "menuitem__area__letter", "menuitem__name")
    ]


def _answering_schools(needs_round: NeedsRound, path: str) -> InFewRows:
    """`path` (a school id) is one of the schools that answered the round: true of every row
    of the round's answers, said so that PostgreSQL looks their schools up by key instead of
    hash-joining them with all 6,700 schools (`npo_portal.lookups`; issue 32)."""
    answered = NeedsAnswer.objects.filter(round=needs_round).order_by().values("school_id")
    return InFewRows(F(path), answered)


def _delay_rows(needs_round: NeedsRound) -> list[DelayRow]:
    """The delays of the round's submitted answers per domain and sector; one query."""
    grouped: dict[tuple[str, str], dict] = {}
    for row in (
        DelayAssessment.objects.filter(
            _answering_schools(needs_round, "answer__school_id"),
            answer__round=needs_round,
            answer__status=AnswerStatus.SUBMITTED,
        )
        .values("domain", "answer__school__sector", "severity")
        .annotate(schools=Count("pk"), share=Sum("share_of_pupils"))
        .order_by()
    ):
        key = (row["domain"], row["answer__school__sector"])
        entry = grouped.setdefault(key, {"schools": 0, "share": 0, "per_severity": {}})
        entry["schools"] += row["schools"]
        entry["share"] += row["share"] or 0
        entry["per_severity"][row["severity"]] = row["schools"]
    return [
        DelayRow(
            domain=domain,
            sector=sector,
            schools=grouped[(domain, sector)]["schools"],
            per_severity=grouped[(domain, sector)]["per_severity"],
            average_share=_percentage(
                grouped[(domain, sector)]["share"], grouped[(domain, sector)]["schools"]
            ),
        )
        for domain in Domain.values
        for sector in Sector.values
        if (domain, sector) in grouped
    ]


def needs_changes(*, municipality_ids: list[int]) -> int:
    """The statements logged on these municipalities' needs data and on everyone's (the
    triggers of migration 0005): a count that grows with every write the picture reads."""
    return logged_changes(NeedsChange, municipality_ids=municipality_ids)


def cached_municipal_picture(*, needs_round: NeedsRound) -> NeedsPicture:
    """`municipal_picture`, from the cache while nothing it reads has changed. The count is
    read first, so a write committed meanwhile makes the cached picture newer than its key,
    never older."""
    changes = needs_changes(municipality_ids=[needs_round.municipality_id])
    return cache.get_or_set(
        f"needs-picture:{needs_round.pk}:{changes}",
        lambda: municipal_picture(needs_round=needs_round),
        settings.FIGURES_CACHE_SECONDS,
    )


# ---------------------------------------------------------------------------------------
# The picture's page: its figures over all schools, its lists a page at a time


# The group of the answers in their own words that holds the answers' free texts (query
# parameter `vraag`; the round's own questions go by their id).
OTHER_REMARKS = "overig"


@dataclass
class TextGroup:
    """An own question of the round, or the other remarks, with its number of answers."""

    key: str
    title: str
    answers: int


@dataclass
class PictureOverview(_Delays):
    """What the picture's page shows over all schools: the counts per response, the delays,
    the number of needs per goal, the menukaart and the number of texts per question. A fixed
    number of aggregate queries, cached like the picture; the lists come a page at a time
    (`need_rows`, `text_rows`, `response_page`)."""

    needs_round: NeedsRound
    counts: dict[str, int]
    delay_rows: list[DelayRow]
    goals: list[tuple[SpendingGoal, int]]
    menu_items: list[tuple[str, int]]
    text_groups: list[TextGroup]

    def goal(self, code: str) -> tuple[SpendingGoal, int] | None:
        """The goal with `code`, else the first with needs (else the first)."""
        for entry in self.goals:
            if entry[0].code == code:
                return entry
        return next((e for e in self.goals if e[1]), self.goals[0] if self.goals else None)

    def text_group(self, key: str) -> TextGroup:
        """The group with `key`, else the first with answers (else the other remarks)."""
        for group in self.text_groups:
            if group.key == key:
                return group
        return next((g for g in self.text_groups if g.answers), self.text_groups[-1])


def picture_overview(*, needs_round: NeedsRound) -> PictureOverview:
    submitted = Q(answer__round=needs_round, answer__status=AnswerStatus.SUBMITTED)
    per_goal = _needs_per_goal(needs_round)
    per_question = dict(
        QuestionAnswer.objects.filter(submitted)
        .values_list("question_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    remarks = (
        NeedsAnswer.objects.filter(round=needs_round, status=AnswerStatus.SUBMITTED)
        .exclude(free_text="")
        .count()
    )
    return PictureOverview(
        needs_round=needs_round,
        counts=_response_counts(needs_round),
        delay_rows=_delay_rows(needs_round),
        goals=[(goal, per_goal.get(goal.pk, 0)) for goal in SpendingGoal.objects.order_by("order")],
        menu_items=_menu_items(needs_round),
        text_groups=[
            TextGroup(str(question.pk), question.text, per_question.get(question.pk, 0))
            for question in needs_round.questions.all()
        ]
        + [TextGroup(OTHER_REMARKS, "", remarks)],
    )


def _response_counts(needs_round: NeedsRound) -> dict[str, int]:
    """The round's schools per response (submitted, draft, not started); one query."""
    return response_page(
        needs_round=needs_round, schools=School.objects.in_round(needs_round)
    ).counts


def _needs_per_goal(needs_round: NeedsRound) -> dict[int, int]:
    """The submitted needs per spending goal id (a need in two goals counts in each)."""
    return dict(
        NeedRequest.goals.through.objects.filter(
            needrequest__answer__round=needs_round,
            needrequest__answer__status=AnswerStatus.SUBMITTED,
        )
        .values_list("spendinggoal_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


def cached_picture_overview(
    *, needs_round: NeedsRound, changes: int | None = None
) -> PictureOverview:
    """`picture_overview`, from the cache while nothing it reads has changed (the key of
    `cached_municipal_picture`; `changes` is its count when the caller has read it)."""
    if changes is None:
        changes = needs_changes(municipality_ids=[needs_round.municipality_id])
    return cache.get_or_set(
        f"needs-overview:{needs_round.pk}:{changes}",
        lambda: picture_overview(needs_round=needs_round),
        settings.FIGURES_CACHE_SECONDS,
    )


def need_rows(*, needs_round: NeedsRound, goal: SpendingGoal, count: int) -> Counted:
    """The submitted needs in `goal`, by school, to be paged: `count` is the overview's."""
    rows = (
        NeedRequest.objects.filter(
            _answering_schools(needs_round, "answer__school_id"),
            answer__round=needs_round,
            answer__status=AnswerStatus.SUBMITTED,
            goals=goal,
        )
        .select_related("answer__school")
        .only("description", "answer__school__name")
        .order_by("answer__school__name", "pk")
    )
    return Counted(rows, count, lambda need: NeedItem(need.answer.school, need.description))


def text_rows(*, needs_round: NeedsRound, group: TextGroup) -> Counted:
    """The submitted answers' texts in `group` (an own question or the other remarks), by
    school, to be paged; only the text and the school's name are read (the page shows no
    more, and a page of 25 whole answers and schools cost a third more)."""
    if group.key == OTHER_REMARKS:
        answers = (
            NeedsAnswer.objects.filter(
                _answering_schools(needs_round, "school_id"),
                round=needs_round,
                status=AnswerStatus.SUBMITTED,
            )
            .exclude(free_text="")
            .select_related("school")
            .only("free_text", "school__name")
            .order_by("school__name", "pk")
        )
        return Counted(answers, group.answers, lambda a: NeedItem(a.school, a.free_text))
    texts = (
        QuestionAnswer.objects.filter(
            _answering_schools(needs_round, "answer__school_id"),
            answer__round=needs_round,
            answer__status=AnswerStatus.SUBMITTED,
            question_id=int(group.key),
        )
        .select_related("answer__school")
        .only("text", "answer__school__name")
        .order_by("answer__school__name", "pk")
    )
    return Counted(texts, group.answers, lambda a: NeedItem(a.answer.school, a.text))


def _percent(value: Decimal) -> str:
    return f"{value:.0f}%"


def delay_chart(*, picture: _Delays) -> Chart:
    """Bars of the mean share of pupils affected, per domain, one bar per sector."""
    sectors = picture.sectors
    return bar_chart(
        title=str(_("Share of pupils affected per domain and sector")),
        description=str(
            _(
                "Mean share of pupils with a delay, as estimated by the school boards, per "
                "domain; one bar per sector. The table below gives the numbers."
            )
        ),
        categories=[str(SHORT_DOMAIN_LABELS[Domain(domain)]) for domain in Domain.values],
        series=[
            Series(
                label=str(Sector(sector).label),
                values=[picture.average_share(domain, sector) for domain in Domain.values],
            )
            for sector in sectors
        ]
        or [Series(label="", values=[0] * len(Domain.values))],
        value_format=_percent,
    )


# ---------------------------------------------------------------------------------------
# For the plan pages


@dataclass
class DomainSummary:
    label: str
    schools: int
    serious: int
    average_share: Decimal


@dataclass
class NeedsSummary:
    needs_round: NeedsRound
    submitted: int
    schools: int
    domains: list[DomainSummary]
    goals: list[tuple[SpendingGoal, int]]


def needs_summary(*, municipality: Municipality) -> NeedsSummary | None:
    """What the municipality's latest round says, for beside the plan's needs analysis: the
    delays per domain and the number of needs per spending goal; None without a round.

    Cached on its own under the picture's change count (and the language of its labels),
    read with the latest round in one query; when not cached, counted by the database in
    three aggregates (issue 32: it built the whole municipal picture, every school's answer,
    needs and texts, to show these few numbers)."""
    latest = (
        NeedsRound.objects.filter(municipality=municipality)
        .annotate(changes=logged_changes_subquery(NeedsChange, municipality_ids=[municipality.pk]))
        .order_by("-opened_at", "-pk")
        .first()
    )
    if latest is None:
        return None
    return cache.get_or_set(
        f"needs-summary:{latest.pk}:{latest.changes or 0}:{translation.get_language()}",
        lambda: _needs_summary(latest),
        settings.FIGURES_CACHE_SECONDS,
    )


def _needs_summary(latest: NeedsRound) -> NeedsSummary:
    delays = _DelayFigures(delay_rows=_delay_rows(latest), counts=_response_counts(latest))
    domains = []
    for domain in Domain.values:
        rows = [row for row in delays.delay_rows if row.domain == domain]
        domains.append(
            DomainSummary(
                label=str(Domain(domain).label),
                schools=sum(row.schools for row in rows),
                serious=sum(row.serious for row in rows),
                average_share=delays.average_share(domain),
            )
        )
    per_goal = _needs_per_goal(latest)
    return NeedsSummary(
        needs_round=latest,
        submitted=delays.counts.get(AnswerStatus.SUBMITTED, 0),
        schools=sum(delays.counts.values()),
        domains=domains,
        goals=[(goal, per_goal.get(goal.pk, 0)) for goal in SpendingGoal.objects.order_by("order")],
    )
