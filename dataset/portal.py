"""The portal's data of the national data set: allocations and payments, plans, needs
rounds, and the mergers at the end."""

import datetime

from django.utils import timezone

from accounts.models import Municipality
from dataset.world import (
    BATCH,
    MEASURES,
    PER_PUPIL,
    Context,
    exists_on,
    holder_on,
    money,
    window,
)
from finance.mergers import MergerResult, merge_municipalities
from finance.models import Payment, PaymentScheduleEntry
from plans.models import (
    Allocation,
    Intervention,
    InterventionBudget,
    InterventionStatus,
    MenuItem,
    Plan,
    PlanStatus,
    SpendingGoal,
)
from schools.models import (
    AnswerStatus,
    DelayAssessment,
    Domain,
    NeedsAnswer,
    NeedsRound,
    RoundStatus,
    School,
    Severity,
)


def write_allocations_and_payments(ctx: Context) -> None:
    """An allocation for every municipality that existed when the programme started (one
    formed later holds its predecessors'), paid to whoever holds it on the payment day."""
    allocations, payments = [], []
    schedule = list(PaymentScheduleEntry.objects.filter(programme=ctx.programme))
    for m in ctx.municipalities:
        if not exists_on(m, ctx.programme.start):
            continue
        # € 118,11 per pupil for the whole programme, not per year or month (Stcrt. 2021, 42927).
        amount = money(ctx.pupils.get(m.pk, 0) * PER_PUPIL)
        ctx.allocations[m.pk] = amount
        allocations.append(
            Allocation(
                programme=ctx.programme,
                municipality=m,
                amount=amount,
                # The count the amount is based on: the monitor's size classes read it.
                pupils=ctx.pupils.get(m.pk) or None,
                decision_reference=f"OCW/NPO/{m.code}",
            )
        )
        for entry in schedule:
            day = entry.due_month + datetime.timedelta(days=ctx.rng.randrange(5, 25))
            holder = holder_on(m, day)
            payments.append(
                Payment(
                    programme=ctx.programme,
                    municipality=holder,
                    date=day,
                    amount=money(amount * entry.parts / entry.total_parts),
                    reference=f"NPO {entry.due_month:%m-%Y}",
                    recorded_by=ctx.finance[holder.pk],
                )
            )
    Allocation.objects.bulk_create(allocations, batch_size=BATCH)
    Payment.objects.bulk_create(payments, batch_size=BATCH)


def write_plans(ctx: Context) -> None:
    """A plan per municipality (concept, adopted or in progress), 5 to 60 interventions on
    random goals within its existence, and a budget per intervention and year."""
    rng, programme = ctx.rng, ctx.programme
    goals = list(SpendingGoal.objects.filter(programme=programme).order_by("order"))
    menu = list(MenuItem.objects.order_by("pk").values_list("pk", flat=True))
    statuses = [PlanStatus.CONCEPT, PlanStatus.ADOPTED, PlanStatus.IN_PROGRESS]
    Plan.objects.bulk_create(
        [
            Plan(
                municipality=m,
                programme=programme,
                title=f"NPO-plan {m.name}",
                context=f"Analyse van de onderwijsachterstanden in {m.name}.",
                status=rng.choices(statuses, weights=[15, 25, 60])[0],
            )
            for m in ctx.municipalities
        ],
        batch_size=BATCH,
    )
    plans = dict(Plan.objects.filter(programme=programme).values_list("municipality_id", "pk"))
    interventions = []
    for m in ctx.municipalities:
        first, last = window(m, programme.start, programme.end)
        for n in range(rng.randint(5, 60)):
            goal = goals[rng.randrange(len(goals))]
            start = first + datetime.timedelta(
                days=rng.randrange(min(500, (last - first).days + 1))
            )
            end = min(last, start + datetime.timedelta(days=rng.randrange(90, 900)))
            interventions.append(
                Intervention(
                    plan_id=plans[m.pk],
                    code=f"I-{n + 1:02d}",
                    title=rng.choice(MEASURES),
                    goal=goal,
                    menu_item_id=rng.choice(menu) if menu and rng.random() < 0.7 else None,
                    target_groups=rng.sample(["po", "vo", "so", "voorschool"], rng.randint(1, 2)),
                    partners=[],
                    start=start,
                    end=end,
                    planned_reach=rng.randint(20, 800),
                    status=rng.choice(list(InterventionStatus.values)),
                )
            )
    Intervention.objects.bulk_create(interventions, batch_size=BATCH)
    budgets = []
    rows = Intervention.objects.filter(plan__programme=programme).values_list(
        "pk", "plan__municipality_id", "goal_id", "goal__code", "start", "end"
    )
    for pk, municipality_id, goal_id, goal_code, start, end in rows.order_by("pk"):
        ctx.interventions.setdefault(municipality_id, []).append((pk, goal_id, goal_code))
        for year in range(start.year, end.year + 1):
            budgets.append(
                InterventionBudget(
                    intervention_id=pk,
                    year=year,
                    amount=money(rng.randint(1, 40) * 500),
                )
            )
    InterventionBudget.objects.bulk_create(budgets, batch_size=BATCH)


def write_needs(ctx: Context) -> None:
    """A round for 2022 and 2023 in each municipality that exists on its deadline, answered
    for the schools it holds on that day."""
    rng = ctx.rng
    now, today = timezone.now(), timezone.localdate()
    # The open round still runs: its deadline lies ahead, whenever the set is made.
    deadlines = {2022: datetime.date(2022, 11, 1), 2023: today + datetime.timedelta(30)}
    rounds = [
        NeedsRound(
            municipality=m,
            title=f"Behoeftepeiling {year}",
            school_year=f"{year}-{year + 1}",
            deadline=deadline,
            status=RoundStatus.CLOSED if year < 2023 else RoundStatus.OPEN,
            opened_by=ctx.policy[m.pk],
            opened_at=now - datetime.timedelta(days=365 * (2024 - year)),
            closed_at=now if year < 2023 else None,
        )
        for m in ctx.municipalities
        for year, deadline in deadlines.items()
        if exists_on(m, deadline)
    ]
    NeedsRound.objects.bulk_create(rounds, batch_size=BATCH)
    round_ids = {
        (municipality_id, int(school_year[:4])): pk
        for pk, municipality_id, school_year in NeedsRound.objects.values_list(
            "pk", "municipality_id", "school_year"
        )
    }
    by_pk = {m.pk: m for m in ctx.municipalities}
    answers = []
    schools = School.objects.values_list("pk", "municipality_id", "board_id").order_by("pk")
    for school_id, municipality_id, board_id in schools:
        for year, deadline in deadlines.items():
            round_id = round_ids.get((holder_on(by_pk[municipality_id], deadline).pk, year))
            if round_id is None:
                continue
            if rng.random() < 0.8:
                submitted = rng.random() < 0.7
                user = ctx.board_users[board_id]
                answers.append(
                    NeedsAnswer(
                        round_id=round_id,
                        school_id=school_id,
                        board_id=board_id,
                        status=AnswerStatus.SUBMITTED if submitted else AnswerStatus.DRAFT,
                        free_text="Veel leerlingen lopen achter bij begrijpend lezen.",
                        updated_by=user,
                        submitted_at=now if submitted else None,
                        submitted_by=user if submitted else None,
                    )
                )
    NeedsAnswer.objects.bulk_create(answers, batch_size=BATCH)
    domains, severities = list(Domain.values), list(Severity.values)
    delays = []
    for answer_id in NeedsAnswer.objects.values_list("pk", flat=True).order_by("pk"):
        for domain in rng.sample(domains, 3):
            delays.append(
                DelayAssessment(
                    answer_id=answer_id,
                    domain=domain,
                    severity=rng.choice(severities),
                    share_of_pupils=rng.randint(0, 60),
                )
            )
    DelayAssessment.objects.bulk_create(delays, batch_size=BATCH)


def run_mergers(ctx: Context) -> list[MergerResult]:
    """Record each merger of the register through the portal's service, in date order. The
    data is already split by date, so only the school locations and the users move."""
    groups: dict[tuple[datetime.date, int], list[Municipality]] = {}
    for m in ctx.municipalities:
        if m.successor is not None:
            groups.setdefault((m.valid_until, m.successor.pk), []).append(m)
    by_pk = {m.pk: m for m in ctx.municipalities}
    return [
        merge_municipalities(
            successor=by_pk[successor_id],
            predecessors=predecessors,
            day=last_day + datetime.timedelta(days=1),
            move_users=True,
            user=None,
        )
        for (last_day, successor_id), predecessors in sorted(groups.items())
    ]
