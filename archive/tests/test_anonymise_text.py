"""Anonymising a person who left also takes their name out of the text where it was copied
or written: fields meant for people and free-text notes, in the records and their audit
trail. A signed final report and a destruction log keep theirs (archive/anonymise.py)."""

import datetime

import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from archive.anonymise import anonymise_departed_users
from finance.factories import ExpenditureFactory
from finance.models import ExpenditureImport
from plans.factories import ConsultationMomentFactory, PlanFactory
from reporting.factories import AccountabilityReportFactory

pytestmark = pytest.mark.django_db

GONE = "Henk van Vertrokken"


@pytest.fixture
def departed(world, settings):
    settings.ANONYMISE_DEACTIVATED_USERS_AFTER_MONTHS = 12
    return UserFactory(
        username="hvv",
        first_name="Henk",
        last_name="van Vertrokken",
        email="h.vanvertrokken@middelburg.example",
        municipality=world.middelburg.municipality,
    )


def leave_and_anonymise(user) -> None:
    user.is_active = False
    user.save()
    later = timezone.now() + datetime.timedelta(days=400)
    assert anonymise_departed_users(now=later) == 1


def test_the_name_leaves_people_fields_notes_and_their_audit_trail(world, departed):
    municipality = world.middelburg.municipality
    plan = PlanFactory(municipality=municipality)
    meeting = ConsultationMomentFactory(
        plan=plan,
        participants=f"{GONE} (gemeente), Els de Boer (SPO Walcheren)",
        summary=f"{GONE} licht de zomerschool toe; Henk stuurt het verslag.",
    )
    spent = ExpenditureFactory(
        municipality=municipality,
        description="Inhuur via h.vanvertrokken@middelburg.example",
    )
    aborted = ExpenditureImport.objects.create(
        municipality=municipality,
        file_name="uitgaven.csv",
        size=1,
        sha256="0" * 64,
        status="mislukt",
        messages=[f"Afgebroken door {GONE} op 01-03-2024 10:00: geen resultaat na 30 minuten."],
    )
    signed = AccountabilityReportFactory(
        municipality=municipality, done=True, is_final=True, signatory_name=GONE
    )

    leave_and_anonymise(departed)
    anonymous = f"geanonimiseerd-{departed.pk}"

    meeting.refresh_from_db()
    assert meeting.participants == f"{anonymous} (gemeente), Els de Boer (SPO Walcheren)"
    # Only the name goes: the sentence, and a first name alone, stay as written.
    assert meeting.summary == f"{anonymous} licht de zomerschool toe; Henk stuurt het verslag."
    history = meeting.history.all()
    assert history.exists()
    assert all(GONE not in row.participants + row.summary for row in history)
    spent.refresh_from_db()
    assert spent.description == f"Inhuur via {anonymous}"
    assert all("vanvertrokken" not in row.description for row in spent.history.all())
    aborted.refresh_from_db()
    assert aborted.messages == [
        f"Afgebroken door {anonymous} op 01-03-2024 10:00: geen resultaat na 30 minuten."
    ]
    # The signature on the final report is the record's evidence, kept with its group.
    signed.refresh_from_db()
    assert signed.signatory_name == GONE


def test_a_one_word_name_is_not_replaced_everywhere(world, departed):
    departed.first_name, departed.last_name, departed.email = "Plan", "", ""
    departed.save()
    plan = PlanFactory(municipality=world.middelburg.municipality, context="Plan van aanpak")
    leave_and_anonymise(departed)
    plan.refresh_from_db()
    assert plan.context == "Plan van aanpak"
