"""The programme, its amendment, the spending goals and the menukaart as of 2022.

Sources: Stcrt. 2021, 42927 (the regulation), Stcrt. 2022, 27531 (period extended to
31-07-2025), and the NP Onderwijs menukaart (effect in months / evidence 1-5 / cost 1-5).
After loading, the functional administrator maintains these rows in the admin.
"""

import datetime

from django.db import migrations

PROGRAMME = {
    "slug": "npo-gemeenten",
    "name": "Nationaal Programma Onderwijs: specifieke uitkering gemeenten",
    "legal_basis": (
        "Regeling specifieke uitkering inhalen COVID-19 gerelateerde onderwijsvertragingen "
        "(Stcrt. 2021, 42927), art. 17, vijfde lid, Financiële-verhoudingswet"
    ),
    "start": datetime.date(2021, 7, 1),
    "end": datetime.date(2025, 7, 31),
}

AMENDMENT = {
    "reference": "Stcrt. 2022, 27531",
    "decided_on": datetime.date(2022, 10, 10),
    "in_force_from": datetime.date(2023, 1, 1),
    "previous_end": datetime.date(2023, 7, 31),
    "new_end": datetime.date(2025, 7, 31),
    "summary": (
        "Bestedingsperiode verlengd van 31 juli 2023 tot en met 31 juli 2025; de uiterste "
        "datum voor de eindverantwoording schuift van 1 juli 2026 naar 1 juli 2028."
    ),
}

GOALS = [
    # code, number, kind, name, description
    (
        "bovenschools", 1, "doel", "Bovenschoolse maatregelen",
        "Maatregelen boven het niveau van één school: zomerschool, bijles, huiswerkbegeleiding, "
        "voorleeshulp thuis, sport-, cultuur- en techniekactiviteiten, ouderbetrokkenheid, "
        "samenwerking met wo, hbo en mbo aan professionalisering van schoolleiders en leraren; "
        "eventueel met kinderopvang, bibliotheken, sport en cultuur.",
    ),
    (
        "voorschools", 2, "doel", "Voorschoolse periode",
        "Inhalen van uren voorschoolse educatie, extra begeleiding in de groep en extra inzet "
        "op toeleiding, voor kinderen met een indicatie en voor kinderen uit de VE-doelgroep "
        "van de gemeente die die nog niet hebben.",
    ),
    (
        "zorg_welzijn", 3, "doel", "Zorg en welzijn",
        "Extra jeugdhulp op school, schoolmaatschappelijk werk, de M@ZL-aanpak van "
        "ziekteverzuim, zorg en welzijn in de zomerschool; aanvullend op de reguliere inzet.",
    ),
    (
        "samenwerking", 4, "doel", "Samenwerking",
        "Het bevorderen van de inzet van andere organisaties in het onderwijs, zoals "
        "pedagogisch medewerkers en jeugdartsen in de school.",
    ),
    (
        "thuiszitters", 5, "doel", "Thuiszitters",
        "Extra activiteiten die kinderen tot en met 18 jaar terug naar school brengen.",
    ),
    (
        "huisvesting", None, "extra", "Tijdelijke extra huur van bestaande onderwijshuisvesting",
        "Tijdelijke extra huur van bestaande (onderwijs)huisvesting voor de uitvoering van "
        "het programma.",
    ),
    (
        "capaciteit", None, "extra", "Extra gemeentelijke capaciteit",
        "Extra gemeentelijke capaciteit voor het programma, inclusief ingehuurd personeel.",
    ),
]

MENU_AREAS = [
    ("A", "Meer onderwijs", "In of buiten schooltijd."),
    ("B", "Effectievere inzet van onderwijs", ""),
    ("C", "Sociaal-emotionele en fysieke ontwikkeling", ""),
    ("D", "Executieve functies", ""),
    ("E", "(Extra) inzet van personeel en ondersteuning", ""),
    ("F", "Faciliteiten en randvoorwaarden", "Alleen naast interventies uit A tot en met E."),
]

MENU_CHANGE = datetime.date(2022, 4, 1)

MENU_ITEMS = [
    # area, name, effect, evidence, cost, valid_from, valid_until
    ("A", "Voor- en vroegschoolse interventies", None, None, None, None, MENU_CHANGE - datetime.timedelta(days=1)),
    ("A", "Beginnende geletterdheid", None, None, None, MENU_CHANGE, None),
    ("A", "Beginnende gecijferdheid", None, None, None, MENU_CHANGE, None),
    ("A", "Uitbreiding onderwijs", 3, 2, 3, None, None),
    ("A", "Zomer- of lentescholen", 3, 2, 3, None, None),
    ("B", "Een-op-een-begeleiding", 5, 3, 3, None, None),
    ("B", "Individuele instructie", 4, 2, None, None, None),
    ("B", "Instructie in kleine groepen", 4, 3, 2, None, None),
    ("B", "Directe instructie", None, None, None, None, None),
    ("B", "Leren van en met medeleerlingen", 5, 4, None, None, None),
    ("B", "Feedback", 6, 4, None, None, None),
    ("B", "Beheersingsgericht leren", 5, 2, None, None, None),
    ("B", "Technieken voor begrijpend lezen", 6, 4, None, None, None),
    ("B", "Gesprokentaalinterventies", 6, 4, None, None, None),
    ("B", "Fonemisch bewustzijn", 5, 5, None, MENU_CHANGE, None),
    ("B", "Schrijfonderwijs", None, None, None, MENU_CHANGE, None),
    ("B", "Loopbaanoriëntatie en -begeleiding", None, None, None, None, None),
    ("C", "Interventies gericht op het welbevinden van leerlingen", None, None, None, None, None),
    ("C", "Sportieve activiteiten", 1, 3, 3, None, None),
    ("C", "Cultuureducatie", 3, 3, None, None, None),
    ("D", "Metacognitie en zelfregulerend leren", 7, 4, None, None, None),
    ("D", "Samenwerkend leren", 5, 3, None, None, None),
    ("E", "Klassenverkleining", 2, None, 5, None, None),
    ("E", "Onderwijsassistenten/instructeurs", None, None, None, None, None),
    ("F", "Ouderbetrokkenheid", None, None, None, None, None),
    ("F", "Digitale technologie", None, None, None, None, None),
]


def load(apps, schema_editor):
    Programme = apps.get_model("plans", "Programme")
    ProgrammeAmendment = apps.get_model("plans", "ProgrammeAmendment")
    SpendingGoal = apps.get_model("plans", "SpendingGoal")
    MenuArea = apps.get_model("plans", "MenuArea")
    MenuItem = apps.get_model("plans", "MenuItem")

    programme = Programme.objects.create(**PROGRAMME)
    ProgrammeAmendment.objects.create(programme=programme, **AMENDMENT)
    for order, (code, number, kind, name, description) in enumerate(GOALS, start=1):
        SpendingGoal.objects.create(
            programme=programme, code=code, number=number, kind=kind, name=name,
            description=description, order=order,
        )
    areas = {
        letter: MenuArea.objects.create(letter=letter, name=name, note=note)
        for letter, name, note in MENU_AREAS
    }
    for letter, name, effect, evidence, cost, valid_from, valid_until in MENU_ITEMS:
        MenuItem.objects.create(
            area=areas[letter], name=name, effect_months=effect, evidence_strength=evidence,
            cost=cost, valid_from=valid_from, valid_until=valid_until,
        )


def unload(apps, schema_editor):
    apps.get_model("plans", "MenuItem").objects.all().delete()
    apps.get_model("plans", "MenuArea").objects.all().delete()
    apps.get_model("plans", "SpendingGoal").objects.all().delete()
    apps.get_model("plans", "Programme").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("plans", "0002_initial")]

    operations = [migrations.RunPython(load, unload)]
