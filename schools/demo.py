"""Demo schools, boards and one open needs round in Middelburg with a mix of answers.

The round keeps the demo's own calendar (autumn 2022, like its school year), not the day the
demo is seeded: its deadline has passed, so the policy officer can close it, or move the
deadline forward to let a board try answering."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Municipality, User
from plans.models import MenuItem, SpendingGoal
from schools.models import (
    AnswerEvent,
    AnswerEventKind,
    AnswerStatus,
    DelayAssessment,
    Domain,
    NeedRequest,
    NeedsAnswer,
    NeedsRound,
    QuestionAnswer,
    RoundQuestion,
    School,
)
from schools.services import import_schools

# brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode, invented but plausible.
REGISTRY = """brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode
03QK;00;OBS De Zeeuwse Stroom;po;41001;Stichting Primair Onderwijs Walcheren (demo);GM0687
04RB;00;Basisschool Het Getij;po;41001;Stichting Primair Onderwijs Walcheren (demo);GM0687
05TC;00;Basisschool De Abdijtuin;po;41001;Stichting Primair Onderwijs Walcheren (demo);GM0687
05TC;01;Basisschool De Abdijtuin, locatie Dauwendaele;po;41001;Stichting Primair Onderwijs Walcheren (demo);GM0687
06VD;00;OBS De Zeester;po;41001;Stichting Primair Onderwijs Walcheren (demo);GM0687
07WE;00;Basisschool De Klaproos;po;41001;Stichting Primair Onderwijs Walcheren (demo);GM0687
08XF;00;Basisschool De Vuurtoren;po;41001;Stichting Primair Onderwijs Walcheren (demo);GM0718
09YG;00;CBS De Branding;po;41002;Stichting Christelijk Onderwijs Vlissingen (demo);GM0718
10ZH;00;CBS Het Scheldeplein;po;41002;Stichting Christelijk Onderwijs Vlissingen (demo);GM0718
11AJ;00;CBS De Ankerplaats;po;41002;Stichting Christelijk Onderwijs Vlissingen (demo);GM0718
20WA;00;Walcherse Scholengemeenschap (demo);vo;41003;Stichting Voortgezet Onderwijs Walcheren (demo);GM0687
21SZ;00;SO De Wingerd;so;41004;Stichting Speciaal Onderwijs Zeeland (demo);GM0687
"""

ROUND_TITLE = "Behoeftepeiling NP Onderwijs 2022-2023"
ROUND_OPENED = datetime.datetime(2022, 9, 19, 9, 0)
ROUND_DEADLINE = datetime.date(2022, 10, 14)
# The day each submitted demo answer came in, within the round.
SUBMITTED_ON = {
    "03QK00": datetime.datetime(2022, 10, 3, 14, 12),
    "04RB00": datetime.datetime(2022, 10, 11, 9, 40),
    "05TC00": datetime.datetime(2022, 10, 12, 16, 5),
    "20WA00": datetime.datetime(2022, 10, 14, 11, 30),
}
QUESTIONS = [
    "Met welke partners buiten de school werkt u al samen aan herstel en ontwikkeling?",
    "Welke leerlingen bereikt u nu onvoldoende?",
]

S, C, L, N = "ernstig", "aanzienlijk", "beperkt", "geen"
# code: (status, delays per domain in Domain order, needs, free text, menu item names)
ANSWERS = {
    "03QK00": (
        AnswerStatus.SUBMITTED,
        [(C, 30), (S, 35), (C, 25), (L, 15), (L, 10), (N, 0)],
        [
            ("Zomerschool voor groep 5 tot en met 7, samen met de bibliotheek.", ["bovenschools"]),
            ("Schoolmaatschappelijk werk twee dagen per week.", ["zorg_welzijn"]),
        ],
        "Veel gezinnen in de wijk hebben geen ruimte om thuis te lezen.",
        ["Een-op-een-begeleiding", "Zomer- of lentescholen"],
    ),
    "04RB00": (
        AnswerStatus.SUBMITTED,
        [(L, 15), (C, 20), (S, 30), (C, 20), (L, 10), (N, 0)],
        [("Extra inzet jeugdverpleegkundige op school.", ["zorg_welzijn", "samenwerking"])],
        "",
        ["Interventies gericht op het welbevinden van leerlingen"],
    ),
    "05TC00": (
        AnswerStatus.SUBMITTED,
        [(S, 40), (C, 30), (L, 15), (L, 10), (N, 0), (N, 0)],
        [("Voorleesproject met ouders, ook voor peuters.", ["bovenschools", "voorschools"])],
        "",
        ["Technieken voor begrijpend lezen"],
    ),
    "05TC01": (
        AnswerStatus.DRAFT,
        [(C, 25), (L, 15), (None, None), (None, None), (None, None), (None, None)],
        [],
        "",
        [],
    ),
    "06VD00": (
        AnswerStatus.DRAFT,
        [(L, 10), (L, 10), (C, 20), (None, None), (None, None), (None, None)],
        [("Begeleiding van twee thuiszitters terug naar school.", ["thuiszitters"])],
        "",
        [],
    ),
    "20WA00": (
        AnswerStatus.SUBMITTED,
        [(C, 20), (S, 30), (S, 25), (C, 30), (N, 0), (L, 5)],
        [
            ("Huiswerkbegeleiding in de middag met studenten van de HZ.", ["bovenschools"]),
            ("Tijdelijk extra lokaal voor kleine groepen.", ["huisvesting"]),
        ],
        "Motivatie en planning zijn in de onderbouw het grootste probleem.",
        ["Metacognitie en zelfregulerend leren", "Instructie in kleine groepen"],
    ),
}
QUESTION_ANSWERS = {
    "03QK00": ["Bibliotheek Zeeland en de sportverenigingen in de wijk.", ""],
    "20WA00": ["De HZ en het jongerenwerk.", "Leerlingen die veel verzuimen in klas 2."],
}


@transaction.atomic
def seed_demo() -> str:
    """Create or refresh the demo schools and the open round in Middelburg; idempotent."""
    result = import_schools(content=REGISTRY.encode())
    if not result.ok:
        raise RuntimeError("; ".join(result.errors))
    middelburg = Municipality.objects.get(code="GM0687")
    officer = User.objects.filter(username="beleid").first()
    board_user = User.objects.filter(username="bestuur").first()
    needs_round, created = NeedsRound.objects.get_or_create(
        municipality=middelburg,
        title=ROUND_TITLE,
        defaults={
            "school_year": "2022-2023",
            "deadline": ROUND_DEADLINE,
            "opened_at": timezone.make_aware(ROUND_OPENED),
            "opened_by": officer,
        },
    )
    if created:
        for order, text in enumerate(QUESTIONS):
            RoundQuestion.objects.create(round=needs_round, text=text, order=order)
    questions = list(needs_round.questions.all())
    schools = {school.code: school for school in School.objects.filter(municipality=middelburg)}
    goals = {goal.code: goal for goal in SpendingGoal.objects.all()}
    menu = {item.name: item for item in MenuItem.objects.all()}
    answered = added = 0
    for code, (status, delays, needs, free_text, items) in ANSWERS.items():
        school = schools[code]
        answer, new = NeedsAnswer.objects.get_or_create(
            round=needs_round,
            school=school,
            defaults={"board": school.board, "status": status, "free_text": free_text},
        )
        answered += 1
        if not new:
            continue
        added += 1
        by = board_user if school.board.number == "41001" else None
        DelayAssessment.objects.bulk_create(
            DelayAssessment(answer=answer, domain=domain, severity=severity, share_of_pupils=share)
            for domain, (severity, share) in zip(Domain.values, delays, strict=True)
            if severity
        )
        for description, codes in needs:
            need = NeedRequest.objects.create(answer=answer, description=description)
            need.goals.set([goals[c] for c in codes])
        answer.menu_items.set([menu[name] for name in items if name in menu])
        for question, text in zip(questions, QUESTION_ANSWERS.get(code, []), strict=False):
            if text:
                QuestionAnswer.objects.create(answer=answer, question=question, text=text)
        if status == AnswerStatus.SUBMITTED:
            at = timezone.make_aware(SUBMITTED_ON[code])
            answer.submitted_at, answer.submitted_by = at, by
            answer.save(update_fields=["submitted_at", "submitted_by"])
            AnswerEvent.objects.create(answer=answer, kind=AnswerEventKind.SUBMITTED, by=by, at=at)
    return (
        f"Scholen: {result.schools_created} locaties toegevoegd, {result.schools_updated} bijgewerkt. "
        f"Behoeftepeiling Middelburg ({'nieuw' if created else 'bestond al'}, deadline "
        f"{needs_round.deadline:%d-%m-%Y}): {added} antwoorden toegevoegd, {answered} van "
        f"{len(schools)} scholen begonnen."
    )
