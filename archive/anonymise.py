"""Anonymising the accounts of people who left (AVG art. 5(1)(e), storage limitation).

An account deactivated longer than ANONYMISE_DEACTIVATED_USERS_AFTER_MONTHS loses what
identifies the person: name, e-mail address, username, password, second factors, sessions,
the link to the identity provider and the sign-in attempts logged under the username. The
account row stays, so that the records it made keep pointing at "someone" (a plan version
keeps its author, now anonymous), and the statistics are untouched.

The person's name can also stand as text the portal or its users wrote (TEXT_FIELDS). Where
the full name ("Marieke de Visser") or the e-mail address stands there, it is replaced by the
account's anonymous name ("geanonimiseerd-12"), in the record and in its audit trail alike:
- fields meant for people: the participants of a consultation, and the import messages that
  say who aborted an import;
- free-text notes, descriptions, explanations and reasons, where someone may have named a
  colleague. The rest of such a text is the record and stays as written: only the name
  goes, not the sentence, so an explanation keeps making sense.
A first name alone, initials or a misspelling are not recognised: a name is replaced only
where it stands as the account had it. The names of people who never had an account (a
school's contact named in a consultation) are part of the record and go with its record
group's retention (archive/retention.py).

Kept on purpose, with their record group:
- the signatory of a final accountability report (AccountabilityReport.signatory_name): the
  signed PDF carries the same name, and a signature on an official record is evidence of who
  accounted for the grant (Archiefwet; AVG art. 89 for archiving in the public interest);
- the approvers of a destruction list (admin_approved_name, archivist_approved_name): the
  log of a destruction must say who approved it.
Files already written (PDFs, archive packages) are not rewritten; they are destroyed or
transferred with their record group.
"""

from __future__ import annotations

import datetime
import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Replace
from django.utils import timezone

from accounts.models import User

logger = logging.getLogger(__name__)


# Text fields where a person's name may stand: their own records and, where they have one,
# their audit trail (simple_history's copy) are handled alike.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "plans.ConsultationMoment": ("participants", "summary"),
    "plans.Plan": ("context", "aims"),
    "plans.Intervention": ("description",),
    "plans.PlanTransition": ("note",),
    "plans.MenuArea": ("note",),
    "schools.NeedsAnswer": ("free_text", "reopen_reason"),
    "schools.AnswerEvent": ("note",),
    "schools.NeedRequest": ("description",),
    "schools.QuestionAnswer": ("text",),
    "finance.Expenditure": ("description",),
    "finance.YearClosing": ("note",),
    "reporting.AccountabilityReport": ("explanation",),
    "reporting.YearReopening": ("reason",),
    "settlement.Settlement": ("explanation",),
    "settlement.Closure": ("reopen_reason",),
}
# A full name shorter than this, or of one word, is too likely to be an ordinary word.
SHORTEST_NAME = 5


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


def names_of(user: User) -> list[str]:
    """How the person's name stands as text: the full name (of two words at least) and the
    e-mail address."""
    names = []
    full_name = " ".join(user.get_full_name().split())
    if len(full_name) >= SHORTEST_NAME and " " in full_name:
        names.append(full_name)
    if user.email:
        names.append(user.email)
    return names


def _models_of(label: str) -> list:
    try:
        model = apps.get_model(label)
    except LookupError:
        return []
    history = getattr(model, "history", None)
    return [model] + ([history.model] if history is not None else [])


def replace_names_in_text(*, names: list[str], replacement: str) -> int:
    """Replace each name in every text field that may hold one (and in its audit trail);
    returns how many field values changed."""
    changed = 0
    for label, fields in TEXT_FIELDS.items():
        for model in _models_of(label):
            for field in fields:
                for name in names:
                    changed += model._base_manager.filter(**{f"{field}__contains": name}).update(
                        **{field: Replace(F(field), Value(name), Value(replacement))}
                    )
    # Import messages are a list of texts: "Aborted by <name> on ...".
    imports = apps.get_model("finance.ExpenditureImport")
    for name in names:
        for job in imports._base_manager.filter(messages__icontains=name):
            job.messages = [str(line).replace(name, replacement) for line in job.messages]
            job.save(update_fields=["messages"])
            changed += 1
    return changed


@transaction.atomic
def anonymise_user(*, user: User, now: datetime.datetime) -> None:
    old_username = user.username
    replace_names_in_text(names=names_of(user), replacement=anonymised_username(user))
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
