"""Demo data: Middelburg's auditor, with access for a year from the day the demo is seeded."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from accounts.models import Municipality, Role, User
from auditing.models import AuditorGrant


@transaction.atomic
def seed_demo() -> str:
    """Create the auditor `accountant` and an active access for it, once (idempotent)."""
    municipality = Municipality.objects.filter(code="GM0687").first()
    granted_by = User.objects.filter(username="financien").first()
    if municipality is None or granted_by is None:
        return "Accountant: geen demogemeente."
    auditor, created = User.objects.get_or_create(
        username="accountant",
        defaults={
            "first_name": "Anne",
            "last_name": "Jansen",
            "email": f"accountant@{DEMO_EMAIL_DOMAIN}",
            "role": Role.AUDITOR,
            "municipality": municipality,
        },
    )
    if created:
        auditor.set_password(DEMO_PASSWORD)
        auditor.save(update_fields=["password"])
    today = timezone.localdate()
    if not AuditorGrant.objects.active_on(today).filter(auditor=auditor).exists():
        AuditorGrant.objects.create(
            auditor=auditor,
            municipality=municipality,
            valid_from=today,
            valid_until=today + datetime.timedelta(days=365),
            granted_by=granted_by,
        )
    grant = AuditorGrant.objects.active_on(today).filter(auditor=auditor).first()
    return (
        f"Accountant: accountant ({DEMO_PASSWORD}) leest Middelburg van "
        f"{grant.valid_from:%d-%m-%Y} tot en met {grant.valid_until:%d-%m-%Y}."
    )
