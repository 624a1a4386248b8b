"""The programme's payment schedule (domain.md, Payments): 24 monthly parts for August 2021 -
July 2023; the first payment, in December 2021, covers August-December 2021 (5/24), then one
part each month from January 2022 to July 2023 (19 x 1/24). The extension of the spending
period (Stcrt. 2022, 27531) did not change it. Editable in the admin afterwards."""

import calendar
import datetime

from django.db import migrations

TOTAL_PARTS = 24


def month_end(day):
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def schedule():
    yield datetime.date(2021, 12, 1), datetime.date(2021, 8, 1), datetime.date(2021, 12, 31), 5
    for index in range(19):
        year, month = divmod(index, 12)
        due = datetime.date(2022 + year, month + 1, 1)
        yield due, due, month_end(due), 1


def load(apps, schema_editor):
    Programme = apps.get_model("plans", "Programme")
    Entry = apps.get_model("finance", "PaymentScheduleEntry")
    programme = Programme.objects.filter(slug="npo-gemeenten").first()
    if programme is None:
        return
    for due, covers_from, covers_until, parts in schedule():
        Entry.objects.update_or_create(
            programme=programme,
            due_month=due,
            defaults={
                "covers_from": covers_from,
                "covers_until": covers_until,
                "parts": parts,
                "total_parts": TOTAL_PARTS,
            },
        )


def unload(apps, schema_editor):
    apps.get_model("finance", "PaymentScheduleEntry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0001_initial"),
        ("plans", "0003_reference_data"),
    ]

    operations = [migrations.RunPython(load, unload)]
