"""Anonymising the accounts of people who left (AVG art. 5(1)(e), storage limitation).

An account deactivated longer than ANONYMISE_DEACTIVATED_USERS_AFTER_MONTHS loses what
identifies the person: name, e-mail address, username, password, second factors, sessions,
the link to the identity provider and the sign-in attempts logged under the username. The
account row stays, so that the records it made keep pointing at "someone" (a plan version
keeps its author, now anonymous), and the statistics are untouched.
"""

from __future__ import annotations

import datetime
import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User

logger = logging.getLogger(__name__)


def _months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    month_index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month + 1, day=day)


def anonymised_username(user: User) -> str:
    return f"geanonimiseerd-{user.pk}"


def departed_users(*, now: datetime.datetime):
    """Accounts deactivated longer than the configured months ago and not yet anonymised."""
    cutoff = _months_before(now, settings.ANONYMISE_DEACTIVATED_USERS_AFTER_MONTHS)
    return User.objects.filter(
        is_active=False, deactivated_at__lte=cutoff, anonymised_at__isnull=True
    )


@transaction.atomic
def anonymise_user(*, user: User, now: datetime.datetime) -> None:
    old_username = user.username
    user.username = anonymised_username(user)
    user.first_name = user.last_name = user.email = ""
    user.set_unusable_password()
    user.is_key_user = user.is_archivist = False
    user.anonymised_at = now
    user.save()
    for label, lookup in (
        ("otp_totp.TOTPDevice", {"user": user}),
        ("otp_static.StaticDevice", {"user": user}),
        ("identity.UserSession", {"user": user}),
        ("identity.ExternalIdentity", {"user": user}),
        ("axes.AccessAttempt", {"username": old_username}),
        ("axes.AccessLog", {"username": old_username}),
        ("axes.AccessFailureLog", {"username": old_username}),
    ):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model.objects.filter(**lookup).delete()


def anonymise_departed_users(*, now: datetime.datetime | None = None) -> int:
    """Anonymise every account deactivated longer than the configured period; returns how
    many. Safe to repeat: an anonymised account is not touched again."""
    now = now or timezone.now()
    count = 0
    for user in departed_users(now=now):
        anonymise_user(user=user, now=now)
        count += 1
    if count:
        logger.info("Anonymised %d accounts of people who left", count)
    return count
