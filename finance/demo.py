"""Demo money for Middelburg and Vlissingen: allocations, payments following the schedule, and
expenditures over 2021-2025 (a credit note and ineligible ones included); and Weesp merging
into Amsterdam on 24-03-2022, each with its own books until then. Deterministic and
idempotent: running it again adds nothing."""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Municipality
from finance.mergers import describe, merge_municipalities
from finance.models import Expenditure, Payment, PaymentScheduleEntry
from finance.selectors import expected_payments, finance_programme
from finance.services import close_year, duplicate_key
from finance.summary import refresh_spending_summary
from plans.models import Allocation, Intervention, SpendingGoal

ALLOCATIONS = {
    # Informatietool OCW of 22-07-2021, rounded for the demo (the plans demo, which runs
    # first, records the same two).
    "GM0687": Decimal("1214683.00"),
    "GM0718": Decimal("1408315.00"),
    # Demo figures for the merger (about € 118,11 per pupil), not the decided amounts.
    "GM0363": Decimal("10629900.00"),
    "GM0457": Decimal("236220.00"),
}
EXPENDITURE_COUNT = {"GM0687": 300, "GM0718": 80, "GM0363": 120, "GM0457": 25}
AVERAGE_AMOUNT = {
    "GM0687": (800, 6500),
    "GM0718": (2000, 12000),
    "GM0363": (20000, 90000),
    "GM0457": (800, 6000),
}
WEESP_MERGER = ("GM0363", ["GM0457"], datetime.date(2022, 3, 24))

GOAL_WEIGHTS = {
    "bovenschools": 30,
    "voorschools": 15,
    "zorg_welzijn": 20,
    "samenwerking": 10,
    "thuiszitters": 8,
    "huisvesting": 5,
    "capaciteit": 12,
}
WORK = {
    "bovenschools": [
        ("Zomerschool Walcheren", "Stichting Zomerschool Zeeland"),
        ("Huiswerkbegeleiding in de wijk", "Huiswerkhuis Zeeland"),
        ("Bijles rekenen groep 7-8", "Bijlesbureau De Schelde"),
        ("Voorleesexpress", "Bibliotheek Zeeland"),
    ],
    "voorschools": [
        ("Extra uren VVE", "Kinderopvang Walcheren"),
        ("Toeleiding VVE-doelgroep", "Consultatiebureau GGD Zeeland"),
    ],
    "zorg_welzijn": [
        ("Schoolmaatschappelijk werk, extra uren", "Porthos Welzijn"),
        ("Jeugdhulp op school", "Emergis Jeugd"),
    ],
    "samenwerking": [("Jeugdarts in de school", "GGD Zeeland")],
    "thuiszitters": [("Traject terug naar school", "Samenwerkingsverband Walcheren")],
    "huisvesting": [("Tijdelijke huur lokalen zomerschool", "Gemeentelijk Vastgoed")],
    "capaciteit": [("Inhuur projectleider NP Onderwijs", "Bureau Onderwijsadvies Zuid")],
}


def _date_between(rng: random.Random, first: datetime.date, last: datetime.date):
    return first + datetime.timedelta(days=rng.randrange((last - first).days + 1))


def _rows(municipality: Municipality, programme, goals, interventions):
    rng = random.Random(int(municipality.code[2:]))  # noqa: S311 - demo data, seeded on purpose
    low, high = AVERAGE_AMOUNT[municipality.code]
    codes = list(GOAL_WEIGHTS)
    first, last = (
        datetime.date(2021, 9, 1),
        min(programme.end, municipality.valid_until or programme.end),
    )
    for number in range(EXPENDITURE_COUNT[municipality.code]):
        code = rng.choices(codes, weights=[GOAL_WEIGHTS[c] for c in codes])[0]
        description, supplier = rng.choice(WORK[code])
        candidates = interventions.get(code, [])
        yield {
            "date": _date_between(rng, first, last),
            "amount": Decimal(rng.randrange(low * 100, high * 100)) / 100,
            "goal": goals[code],
            "intervention": rng.choice(candidates) if candidates and rng.random() < 0.7 else None,
            "description": description,
            "supplier": supplier,
            "invoice_number": f"DEMO-{municipality.code[2:]}-{number + 1:04d}",
        }
    if municipality.valid_until:
        return  # a municipality that merged has no books after its last day
    yield {
        "date": datetime.date(2022, 9, 30),
        "amount": Decimal("-1250.00"),
        "goal": goals["bovenschools"],
        "intervention": None,
        "description": "Creditnota: zomerschool week 3 niet doorgegaan",
        "supplier": "Stichting Zomerschool Zeeland",
        "invoice_number": f"CN-{municipality.code[2:]}-0001",
    }
    yield {
        "date": datetime.date(2025, 8, 15),
        "amount": Decimal("4800.00"),
        "goal": goals["bovenschools"],
        "intervention": None,
        "description": "Zomerschool 2025, tweede helft augustus (na de bestedingsperiode)",
        "supplier": "Stichting Zomerschool Zeeland",
        "invoice_number": f"DEMO-{municipality.code[2:]}-NA",
    }


@transaction.atomic
def seed_demo() -> str:
    programme = finance_programme()
    municipalities = Municipality.objects.filter(code__in=ALLOCATIONS).order_by("code")
    goals = {g.code: g for g in SpendingGoal.objects.filter(programme=programme)}
    schedule = list(PaymentScheduleEntry.objects.filter(programme=programme))
    today = timezone.localdate()
    created_expenditures = created_payments = created_allocations = 0
    for municipality in municipalities:
        allocation, created = Allocation.objects.get_or_create(
            programme=programme,
            municipality=municipality,
            defaults={
                "amount": ALLOCATIONS[municipality.code],
                "decision_reference": "Informatietool OCW 22-07-2021",
            },
        )
        created_allocations += created
        for payment in expected_payments(allocation=allocation.amount, schedule=schedule):
            paid_on = payment.due_month.replace(day=20)
            if paid_on > today:
                continue
            # After a merger the ministry pays the predecessor's instalments to the successor.
            gone = municipality.valid_until and paid_on > municipality.valid_until
            _, created = Payment.objects.get_or_create(
                municipality=municipality.successor if gone else municipality,
                programme=programme,
                reference=f"OCW NPO {paid_on:%m-%Y}" + (f" ({municipality.name})" if gone else ""),
                defaults={"date": paid_on, "amount": payment.expected},
            )
            created_payments += created
        interventions: dict[str, list] = {}
        for intervention in Intervention.objects.filter(
            plan__municipality=municipality, plan__programme=programme
        ).select_related("goal"):
            interventions.setdefault(intervention.goal.code, []).append(intervention)
        existing = set(
            Expenditure.objects.filter(municipality=municipality).values_list(
                "duplicate_key", flat=True
            )
        )
        new = []
        for row in _rows(municipality, programme, goals, interventions):
            key = duplicate_key(
                municipality_code=municipality.code,
                date=row["date"],
                amount=row["amount"],
                goal_code=row["goal"].code,
                invoice_number=row["invoice_number"],
                supplier=row["supplier"],
                description=row["description"],
            )
            if key not in existing:
                existing.add(key)
                new.append(
                    Expenditure(
                        programme=programme, municipality=municipality, duplicate_key=key, **row
                    )
                )
        Expenditure.objects.bulk_create(new)
        refresh_spending_summary(municipality_ids=[municipality.pk])
        created_expenditures += len(new)
    middelburg = municipalities.filter(code="GM0687").first()
    if middelburg:
        for year in (2021, 2022):
            close_year(
                municipality=middelburg, year=year, user=None, note="SiSa-verantwoording definitief"
            )
    successor_code, predecessor_codes, day = WEESP_MERGER
    merger = merge_municipalities(
        successor=Municipality.objects.get(code=successor_code),
        predecessors=list(Municipality.objects.filter(code__in=predecessor_codes)),
        day=day,
        move_users=True,
        user=None,
    )
    return (
        f"{describe(merger)} "
        f"Financiën: {created_allocations} toekenningen, {created_payments} betalingen en "
        f"{created_expenditures} uitgaven toegevoegd."
    )
