"""Default SiSa configuration for the reporting years 2021-2026.

It follows the pattern that published annexes show for multi-year specific grants. The
uitkeringscode is not confirmed: the functional administrator checks it (and the indicator
numbers) against the SiSa annex BZK publishes for each year and ticks "code confirmed".
"""

from django.db import migrations

GRANT_CODE = "NPO"
GRANT_NAME = "Specifieke uitkering inhalen COVID-19 gerelateerde onderwijsvertragingen"
LEGAL_BASIS = (
    "Regeling specifieke uitkering inhalen COVID-19 gerelateerde onderwijsvertragingen "
    "(Stcrt. 2021, 42927), gewijzigd bij Stcrt. 2022, 27531"
)
GOALS = ["bovenschools", "voorschools", "zorg_welzijn", "samenwerking", "thuiszitters", "huisvesting", "capaciteit"]


def indicators(year, goal_names):
    rows = [("besteding_jaar", None, f"Besteding ({year}) ten laste van rijksmiddelen", "R")]
    for code in GOALS:
        rows.append(
            ("besteding_doel", code, f"Besteding ({year}) ten laste van rijksmiddelen: {goal_names[code]}", "nvt")
        )
    rows += [
        ("besteding_cumulatief", None, f"Cumulatieve besteding ten laste van rijksmiddelen tot en met {year}", "nvt"),
        ("eindverantwoording", None, "Eindverantwoording Ja/Nee", "nvt"),
        ("toelichting", None, "Toelichting afwijking", "nvt"),
    ]
    return rows


def load(apps, schema_editor):
    SisaYear = apps.get_model("reporting", "SisaYear")
    SisaIndicator = apps.get_model("reporting", "SisaIndicator")
    SpendingGoal = apps.get_model("plans", "SpendingGoal")
    goals = {goal.code: goal for goal in SpendingGoal.objects.filter(code__in=GOALS)}
    goal_names = {code: goal.name for code, goal in goals.items()}
    for year in range(2021, 2027):
        sisa_year = SisaYear.objects.create(
            year=year, grant_code=GRANT_CODE, grant_name=GRANT_NAME, legal_basis=LEGAL_BASIS
        )
        for order, (kind, goal_code, text, audit) in enumerate(indicators(year, goal_names), start=1):
            SisaIndicator.objects.create(
                sisa_year=sisa_year,
                number=f"{GRANT_CODE}/{order:02d}",
                order=order,
                kind=kind,
                goal=goals.get(goal_code),
                text=text,
                audit=audit,
            )


def unload(apps, schema_editor):
    apps.get_model("reporting", "SisaYear").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial"), ("plans", "0003_reference_data")]

    operations = [migrations.RunPython(load, unload)]
