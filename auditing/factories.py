import datetime

import factory
from django.utils import timezone

from accounts.factories import UserFactory
from accounts.models import Role
from auditing.models import AuditorGrant


def auditor_of(municipality, username: str = "accountant"):
    return UserFactory(username=username, role=Role.AUDITOR, municipality=municipality)


class AuditorGrantFactory(factory.django.DjangoModelFactory):
    """An access that holds today: from a week ago until a month from now."""

    class Meta:
        model = AuditorGrant

    auditor = factory.LazyAttribute(
        lambda grant: auditor_of(
            grant.municipality, f"{grant.municipality.code.lower()}-accountant"
        )
    )
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    granted_by = factory.LazyAttribute(
        lambda grant: UserFactory(
            username=f"{grant.municipality.code.lower()}-verlener",
            municipality=grant.municipality,
            finance=True,
        )
    )

    class Params:
        expired = factory.Trait(
            valid_from=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=30)
            ),
            valid_until=factory.LazyFunction(
                lambda: timezone.localdate() - datetime.timedelta(days=1)
            ),
        )
        not_yet = factory.Trait(
            valid_from=factory.LazyFunction(
                lambda: timezone.localdate() + datetime.timedelta(days=1)
            ),
        )
