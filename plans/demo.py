"""Demo plans: an adopted plan for Middelburg and a thin concept for Vlissingen."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Municipality, SchoolBoard, User
from plans import services
from plans.models import (
    Allocation,
    ConsultationMoment,
    Intervention,
    InterventionBudget,
    MenuItem,
    Plan,
    PlanStatus,
    SpendingGoal,
)
from schools.models import School

MIDDELBURG_CONTEXT = (
    "In Middelburg gaan ruim 5.500 kinderen naar een van de 22 basisscholen, twee scholen voor "
    "speciaal onderwijs en vier vo-scholen. De schoolbesturen melden vooral vertraging bij "
    "begrijpend lezen en rekenen in groep 5 tot en met 8, meer kinderen met sociaal-emotionele "
    "klachten, en peuters die door de sluitingen minder uren voorschoolse educatie kregen.\n\n"
    "Het samenwerkingsverband ziet het aantal thuiszitters stijgen, vooral in het vo. De "
    "scholen zetten hun eigen NP Onderwijs-middelen in op de menukaart; de gemeente vult aan "
    "buiten de school, in de wijk en in de voorschoolse periode."
)
MIDDELBURG_AIMS = (
    "1. Kinderen halen achterstanden in taal en rekenen in, ook buiten schooltijd.\n"
    "2. Peuters uit de VE-doelgroep krijgen de uren die zij misten.\n"
    "3. Kinderen en gezinnen krijgen sneller steun bij sociaal-emotionele problemen.\n"
    "4. Geen kind langer dan drie maanden thuis zonder passend aanbod."
)

# code, title, goal, menu item, target groups, partners, start, end, reach, status, budgets
MIDDELBURG_INTERVENTIONS = [
    (
        "B-01", "Zomerschool Walcheren", "bovenschools", "Zomer- of lentescholen",
        ["po", "vo"], ["bibliotheek", "sport", "cultuur"],
        (2022, 7, 11), (2024, 8, 30), 320, "in_uitvoering",
        {2022: "70000.00", 2023: "75000.00", 2024: "50000.00"},
    ),
    (
        "B-02", "Huiswerkbegeleiding en bijles in de wijk", "bovenschools",
        "Instructie in kleine groepen", ["po", "vo"], ["welzijn", "bibliotheek"],
        (2021, 10, 1), (2024, 12, 20), 240, "in_uitvoering",
        {2021: "15000.00", 2022: "45000.00", 2023: "45000.00", 2024: "35000.00"},
    ),
    (
        "B-03", "Professionalisering begrijpend lezen met de HZ", "bovenschools",
        "Technieken voor begrijpend lezen", ["po"], ["vervolgonderwijs"],
        (2022, 1, 10), (2023, 12, 22), 900, "afgerond",
        {2022: "45000.00", 2023: "45000.00"},
    ),
    (
        "V-01", "Extra uren voorschoolse educatie", "voorschools",
        "Voor- en vroegschoolse interventies", ["voorschool"], ["kinderopvang"],
        (2021, 9, 1), (2025, 7, 31), 180, "in_uitvoering",
        {2021: "25000.00", 2022: "65000.00", 2023: "65000.00", 2024: "50000.00", 2025: "20000.00"},
    ),
    (
        "V-02", "Toeleiding van peuters uit de VE-doelgroep", "voorschools", None,
        ["voorschool"], ["kinderopvang", "ggd"],
        (2022, 1, 1), (2024, 12, 31), 90, "in_uitvoering",
        {2022: "25000.00", 2023: "25000.00", 2024: "20000.00"},
    ),
    (
        "Z-01", "Schoolmaatschappelijk werk in po en vo", "zorg_welzijn",
        "Interventies gericht op het welbevinden van leerlingen", ["po", "so", "vo"],
        ["sociaal_werk", "jeugdhulp"],
        (2021, 10, 1), (2025, 7, 31), 450, "in_uitvoering",
        {2021: "20000.00", 2022: "60000.00", 2023: "60000.00", 2024: "45000.00", 2025: "15000.00"},
    ),
    (
        "S-01", "Jeugdverpleegkundige en pedagogisch medewerker in de school", "samenwerking",
        None, ["po", "vo"], ["ggd", "kinderopvang"],
        (2022, 2, 1), (2024, 7, 31), 600, "in_uitvoering",
        {2022: "30000.00", 2023: "30000.00", 2024: "20000.00"},
    ),
    (
        "T-01", "Thuiszittersaanpak met het samenwerkingsverband", "thuiszitters", None,
        ["thuiszitters", "so", "vo"], ["samenwerkingsverband", "jeugdhulp"],
        (2022, 1, 1), (2024, 12, 31), 25, "in_uitvoering",
        {2022: "25000.00", 2023: "30000.00", 2024: "20000.00"},
    ),
    (
        "K-01", "Programmacoördinator NP Onderwijs", "capaciteit", None,
        ["voorschool", "po", "so", "vo", "thuiszitters"], [],
        (2021, 9, 1), (2025, 7, 31), None, "in_uitvoering",
        {2021: "12500.00", 2022: "35000.00", 2023: "35000.00", 2024: "25000.00", 2025: "12500.00"},
    ),
]  # fmt: skip

MIDDELBURG_CONSULTATIONS = [
    (
        datetime.date(2021, 6, 14), "lea", "Schoolbesturen po en vo, kinderopvang, bibliotheek",
        "Eerste verkenning van de vertragingen; afspraak om een behoeftepeiling uit te zetten.",
    ),
    (
        datetime.date(2021, 9, 7), "samenwerkingsverband", "Samenwerkingsverband Walcheren",
        "Thuiszitters en zorg in het vo besproken; gezamenlijke aanpak thuiszitters afgesproken.",
    ),
    (
        datetime.date(2021, 10, 5), "schoolbesturen", "Bestuurders en directeuren po en vo",
        "Uitkomsten van de peiling besproken; scholen vragen om zomerschool en bijles in de wijk.",
    ),
    (
        datetime.date(2021, 10, 12), "kinderopvang", "Kinderopvangorganisaties met VE-aanbod",
        "Inhalen van VE-uren en extra toeleiding afgestemd.",
    ),
]  # fmt: skip

VLISSINGEN_INTERVENTIONS = [
    (
        "1", "Zomerschool Vlissingen", "bovenschools", "Zomer- of lentescholen", ["po"],
        ["sport", "cultuur"], (2022, 7, 18), (2023, 8, 25), 150, "gepland",
        {2022: "40000.00", 2023: "40000.00"},
    ),
    (
        "2", "Extra inzet jeugdhulp op school", "zorg_welzijn", None, ["po", "vo"],
        ["jeugdhulp"], (2022, 1, 1), (2023, 12, 31), 200, "gepland",
        {2022: "55000.00", 2023: "55000.00"},
    ),
    (
        "3", "Voorlezen thuis met de bibliotheek", "voorschools", None, ["voorschool", "po"],
        ["bibliotheek", "anders"], (2022, 3, 1), (2024, 7, 31), 120, "gepland",
        {2022: "10000.00", 2023: "12000.00", 2024: "8000.00"},
    ),
]  # fmt: skip

ALLOCATIONS = {"GM0687": Decimal("1214683.00"), "GM0718": Decimal("1408315.00")}
# A demo basis (pupils on 1-10-2020, achterstandspunten), so the finance dashboard shows the
# formula amount beside the decided one; invented figures close to Middelburg's allocation.
BASIS = {"GM0687": {"pupils": 8100, "achterstandspunten": Decimal("11395.00")}}


def _interventions(plan: Plan, rows, *, schools, boards) -> None:
    goals = {goal.code: goal for goal in SpendingGoal.objects.all()}
    menu = {item.name: item for item in MenuItem.objects.all()}
    for row in rows:
        code, title, goal, item, groups, partners, start, end, reach, status, budgets = row
        intervention, _ = Intervention.objects.update_or_create(
            plan=plan,
            code=code,
            defaults={
                "title": title,
                "goal": goals[goal],
                "menu_item": menu.get(item) if item else None,
                "target_groups": groups,
                "partners": partners,
                "other_partners": "Stichting Voorleesexpress" if "anders" in partners else "",
                "start": datetime.date(*start),
                "end": datetime.date(*end),
                "planned_reach": reach,
                "status": status,
            },
        )
        for year, amount in budgets.items():
            InterventionBudget.objects.update_or_create(
                intervention=intervention, year=year, defaults={"amount": Decimal(amount)}
            )
        if goal in {"bovenschools", "zorg_welzijn"}:
            intervention.schools.set(schools)
        if goal != "capaciteit":
            intervention.school_boards.set(boards)


def _adopt(plan: Plan, officer: User) -> None:
    """Walk the plan through consultation to adoption once, with 2021's dates."""
    if plan.versions.exists():
        return
    services.transition_plan(plan=plan, to_status=PlanStatus.CONSULTATION, user=officer)
    services.transition_plan(
        plan=plan,
        to_status=PlanStatus.ADOPTED,
        user=officer,
        decided_on=datetime.date(2021, 11, 16),
        decision_reference="B&W 2021/1187",
    )
    services.record_council_informed(
        plan=plan, informed_on=datetime.date(2021, 11, 23), reference="RIB 2021-058", user=officer
    )
    moments = [(2021, 9, 1, "in_overleg"), (2021, 11, 16, "vastgesteld"), (2021, 11, 23, None)]
    for step, (year, month, day, _status) in zip(
        plan.transitions.order_by("pk"), moments, strict=True
    ):
        step.at = timezone.make_aware(datetime.datetime(year, month, day, 10, 0))
        step.save(update_fields=["at"])
    plan.versions.update(created_at=timezone.make_aware(datetime.datetime(2021, 11, 16, 16, 0)))


@transaction.atomic
def seed_demo() -> str:
    """Allocations and plans for the demo municipalities; running it again changes nothing."""
    programme = services.current_programme()
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=ALLOCATIONS)}
    for code, amount in ALLOCATIONS.items():
        Allocation.objects.update_or_create(
            programme=programme,
            municipality=municipalities[code],
            defaults={
                "amount": amount,
                "decision_reference": "Informatietool OCW, 22-07-2021",
                **BASIS.get(code, {}),
            },
        )
    middelburg, vlissingen = municipalities["GM0687"], municipalities["GM0718"]
    plan, _ = Plan.objects.get_or_create(
        municipality=middelburg,
        programme=programme,
        defaults={
            "title": "Samen inhalen: NP Onderwijs in Middelburg",
            "context": MIDDELBURG_CONTEXT,
            "aims": MIDDELBURG_AIMS,
        },
    )
    _interventions(
        plan,
        MIDDELBURG_INTERVENTIONS,
        schools=list(School.objects.filter(municipality=middelburg)[:4]),
        boards=list(SchoolBoard.objects.filter(number="41001")),
    )
    for day, body, participants, summary in MIDDELBURG_CONSULTATIONS:
        ConsultationMoment.objects.get_or_create(
            plan=plan,
            date=day,
            body=body,
            defaults={"participants": participants, "summary": summary},
        )
    _adopt(plan, User.objects.get(username="beleid"))
    plan.refresh_from_db()

    thin, _ = Plan.objects.get_or_create(
        municipality=vlissingen,
        programme=programme,
        defaults={
            "title": "Plan NP Onderwijs Vlissingen",
            "context": "Eerste opzet; de behoeftepeiling onder de schoolbesturen loopt nog.",
        },
    )
    _interventions(
        thin,
        VLISSINGEN_INTERVENTIONS,
        schools=list(School.objects.filter(municipality=vlissingen)[:2]),
        boards=list(SchoolBoard.objects.filter(number="41002")),
    )
    return (
        f"Plannen: Middelburg ({plan.interventions.count()} interventies, "
        f"{plan.get_status_display()}), Vlissingen ({thin.interventions.count()} interventies, "
        f"{thin.get_status_display()})."
    )
