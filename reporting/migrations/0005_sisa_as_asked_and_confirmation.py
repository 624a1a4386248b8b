"""The SiSa row as the ministry asks it, and the confirmation of code and numbers.

The ministry asks one total over all spending goals (nponderwijs.nl, "Betaling en
verantwoording": a municipality does not account separately per spending goal, only for the
total spending). Every reporting year still holding 0002's default configuration gets the
four indicators: Besteding (jaar T) over all goals and categories (aard controle R),
Cumulatieve besteding t/m T, Eindverantwoording Ja/Nee and Toelichting. A year the functional
administrator changed is left as it is. Stored reports and their files are not touched: they
keep the indicators they were built with.
"""

import importlib

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

OLD = importlib.import_module("reporting.migrations.0002_sisa_defaults")


def asked_indicators(year):
    return [
        ("besteding_jaar", f"Besteding ({year}) ten laste van rijksmiddelen", "R"),
        (
            "besteding_cumulatief",
            f"Cumulatieve besteding ten laste van rijksmiddelen tot en met {year}",
            "nvt",
        ),
        ("eindverantwoording", "Eindverantwoording Ja/Nee", "nvt"),
        ("toelichting", "Toelichting", "nvt"),
    ]


def _shape(sisa_year):
    return [
        (i.order, i.number, i.kind, i.goal.code if i.goal_id else None, i.text, i.audit)
        for i in sisa_year.indicators.order_by("order").select_related("goal")
    ]


def _old_default(sisa_year, goal_names):
    return [
        (order, f"{OLD.GRANT_CODE}/{order:02d}", kind, goal, text, audit)
        for order, (kind, goal, text, audit) in enumerate(
            OLD.indicators(sisa_year.year, goal_names), start=1
        )
    ]


def _new_default(sisa_year):
    return [
        (order, f"{OLD.GRANT_CODE}/{order:02d}", kind, None, text, audit)
        for order, (kind, text, audit) in enumerate(asked_indicators(sisa_year.year), start=1)
    ]


def _goal_names(apps):
    SpendingGoal = apps.get_model("plans", "SpendingGoal")
    return {goal.code: goal.name for goal in SpendingGoal.objects.filter(code__in=OLD.GOALS)}


def to_asked(apps, schema_editor):
    SisaYear = apps.get_model("reporting", "SisaYear")
    SisaIndicator = apps.get_model("reporting", "SisaIndicator")
    goal_names = _goal_names(apps)
    for sisa_year in SisaYear.objects.all():
        if _shape(sisa_year) != _old_default(sisa_year, goal_names):
            continue
        sisa_year.indicators.all().delete()
        for order, number, kind, _goal, text, audit in _new_default(sisa_year):
            SisaIndicator.objects.create(
                sisa_year=sisa_year, order=order, number=number, kind=kind, text=text, audit=audit
            )


def to_per_goal(apps, schema_editor):
    SisaYear = apps.get_model("reporting", "SisaYear")
    SisaIndicator = apps.get_model("reporting", "SisaIndicator")
    SpendingGoal = apps.get_model("plans", "SpendingGoal")
    goals = {goal.code: goal for goal in SpendingGoal.objects.filter(code__in=OLD.GOALS)}
    goal_names = {code: goal.name for code, goal in goals.items()}
    for sisa_year in SisaYear.objects.all():
        if _shape(sisa_year) != _new_default(sisa_year):
            continue
        sisa_year.indicators.all().delete()
        for order, number, kind, goal, text, audit in _old_default(sisa_year, goal_names):
            SisaIndicator.objects.create(
                sisa_year=sisa_year,
                order=order,
                number=number,
                kind=kind,
                goal=goals.get(goal),
                text=text,
                audit=audit,
            )




class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0004_final_accounting'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='sisayear',
            name='confirmed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='confirmed or overridden at'),
        ),
        migrations.AddField(
            model_name='sisayear',
            name='confirmed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='confirmed or overridden by'),
        ),
        migrations.AddField(
            model_name='sisayear',
            name='override_reason',
            field=models.TextField(blank=True, help_text='Until the code is confirmed no report over this year can be marked final, unless a reason is given here (for example: the annex is not yet published).', verbose_name='reason to finalise without confirmation'),
        ),
        migrations.AlterField(
            model_name='sisayear',
            name='grant_code_confirmed',
            field=models.BooleanField(default=False, help_text='Tick once the uitkeringscode and the indicator numbers are checked against the SiSa annex the ministry published for this year.', verbose_name='code confirmed'),
        ),
        migrations.AddField(
            model_name='accountabilityreport',
            name='signatory_function',
            field=models.CharField(blank=True, max_length=200, verbose_name='function of the signatory'),
        ),
        migrations.AddField(
            model_name='accountabilityreport',
            name='signatory_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='signed by'),
        ),
        migrations.AddField(
            model_name='historicalaccountabilityreport',
            name='signatory_function',
            field=models.CharField(blank=True, max_length=200, verbose_name='function of the signatory'),
        ),
        migrations.AddField(
            model_name='historicalaccountabilityreport',
            name='signatory_name',
            field=models.CharField(blank=True, max_length=200, verbose_name='signed by'),
        ),
    
        migrations.RunPython(to_asked, to_per_goal),
    ]
