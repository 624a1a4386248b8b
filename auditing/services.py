import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality, Role, User
from accounts.services import invite_user, unique_username
from auditing.models import AuditorAccess, AuditorGrant
from auditing.permissions import can_manage_auditor_access


def _new_auditor(*, municipality: Municipality, email: str, first_name: str, last_name: str):
    auditor = User(
        username=unique_username(email, fallback="accountant"),
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Role.AUDITOR,
        municipality=municipality,
    )
    auditor.set_unusable_password()
    auditor.full_clean(exclude=["password"])
    auditor.save()
    invite_user(user=auditor)
    return auditor


@transaction.atomic
def grant_auditor_access(
    *,
    municipality: Municipality,
    granted_by: User,
    valid_from: datetime.date,
    valid_until: datetime.date,
    auditor: User | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
) -> AuditorGrant:
    """Give an auditor of the municipality read-only access from `valid_from` up to and
    including `valid_until`; without `auditor`, invite a new one by e-mail."""
    if not can_manage_auditor_access(granted_by, municipality):
        raise PermissionDenied
    if valid_until < valid_from:
        raise ValidationError(_("The access ends before it starts."))
    if valid_until < timezone.localdate():
        raise ValidationError(_("The access would have ended already."))
    if auditor is None:
        if not email:
            raise ValidationError(_("Choose an auditor or give the e-mail address of a new one."))
        auditor = _new_auditor(
            municipality=municipality, email=email, first_name=first_name, last_name=last_name
        )
    elif not (auditor.is_auditor and auditor.municipality_id == municipality.pk):
        raise ValidationError(_("This person is not an auditor of this municipality."))
    return AuditorGrant.objects.create(
        auditor=auditor,
        municipality=municipality,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=granted_by,
    )


@transaction.atomic
def revoke_auditor_access(*, grant: AuditorGrant, user: User) -> None:
    """End the access at once; the log of what was read stays."""
    if not can_manage_auditor_access(user, grant.municipality):
        raise PermissionDenied
    AuditorGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )


def log_access(
    *,
    user: User,
    grant: AuditorGrant | None,
    method: str,
    path: str,
    view_name: str,
    reason: str = "",
) -> AuditorAccess:
    """Write down one request of an auditor, allowed (no reason) or refused."""
    return AuditorAccess.objects.create(
        auditor=user,
        municipality_id=user.municipality_id,
        grant=grant,
        method=method[:8],
        path=path[:500],
        view_name=view_name[:100],
        allowed=not reason,
        reason=reason[:200],
    )
