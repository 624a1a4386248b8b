"""What changes accounts: second factors, sessions, and key users' management of colleagues."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from accounts.services import invite_user, unique_username
from identity import permissions
from identity.models import AccountEvent, UserSession

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery"


def record(*, actor: User | None, subject: User, action: str, detail: str = "") -> AccountEvent:
    """Write one entry of the account audit trail, under the subject's organisation."""
    return AccountEvent.objects.create(
        actor=actor,
        subject=subject,
        action=action,
        detail=detail[:300],
        municipality_id=subject.municipality_id,
        school_board_id=subject.school_board_id,
    )


# ---------------------------------------------------------------------------------------
# Two-factor authentication


def start_totp_setup(*, user: User) -> TOTPDevice:
    """An unconfirmed authenticator for `user` to scan; replaces an earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@transaction.atomic
def confirm_totp_setup(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the scanned authenticator with a code from it; returns the new recovery codes,
    or None when the code is wrong. Any earlier authenticator of the user is removed."""
    if device.user_id != user.pk or device.confirmed or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    record(actor=user, subject=user, action=AccountEvent.Action.TWO_FACTOR_ENABLED)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    """New recovery codes for a user with an authenticator; the old ones stop working."""
    if not has_second_factor(user):
        raise PermissionDenied
    codes = _new_recovery_codes(user)
    record(actor=user, subject=user, action=AccountEvent.Action.RECOVERY_CODES)
    return codes


@transaction.atomic
def remove_second_factor(*, user: User) -> None:
    """Remove the user's authenticator and recovery codes (refused where the role needs 2FA)."""
    allowed, _reason = permissions.can_remove_second_factor(user)
    if not allowed:
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    record(actor=user, subject=user, action=AccountEvent.Action.TWO_FACTOR_DISABLED)


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(
        device__user=user, device__name=RECOVERY_DEVICE_NAME, device__confirmed=True
    ).count()


# ---------------------------------------------------------------------------------------
# Sessions


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def end_session(*, actor: User, session: UserSession) -> None:
    """Sign the session out wherever it is: its stored data is deleted."""
    _session_store()(session_key=session.session_key).delete()
    session.delete()
    record(actor=actor, subject=session.user, action=AccountEvent.Action.SESSION_ENDED)


def withdraw_access(
    *, user: User, actor: User | None, action: str, reason: str = ""
) -> tuple[int, int]:
    """What follows when a person loses access (deactivated, or a role or organisation
    that no longer allows it): every open session ends, and the API tokens they made are
    revoked when they may no longer make them; one audit entry says what was ended.
    Returns (sessions ended, tokens revoked)."""
    from api.permissions import can_manage_tokens
    from api.services import revoke_tokens_of

    sessions = end_all_sessions(user=user)
    tokens = []
    if user.municipality_id is None or not can_manage_tokens(user, user.municipality):
        tokens = revoke_tokens_of(user=user, by=actor)
    detail = _("%(sessions)s session(s) ended, %(tokens)s API token(s) revoked%(names)s") % {
        "sessions": sessions,
        "tokens": len(tokens),
        "names": (": " + ", ".join(token.name for token in tokens)) if tokens else "",
    }
    record(
        actor=actor,
        subject=user,
        action=action,
        detail=f"{reason} · {detail}" if reason else detail,
    )
    return sessions, len(tokens)


def end_provider_sessions(*, provider, actor: User | None) -> int:
    """A disabled identity provider vouches for no one: end every session signed in
    through it, each recorded on its user's audit trail. Returns the sessions ended."""
    store = _session_store()
    ended = 0
    sessions = UserSession.objects.filter(provider=provider).select_related("user")
    for session in sessions:
        store(session_key=session.session_key).delete()
        record(
            actor=actor,
            subject=session.user,
            action=AccountEvent.Action.SESSION_ENDED,
            detail=_("identity provider %(provider)s disabled") % {"provider": provider.name},
        )
        ended += 1
    UserSession.objects.filter(provider=provider).delete()
    return ended


def end_all_sessions(*, user: User, keep: str | None = None) -> int:
    """End every session of `user` except `keep` (a session key); returns how many."""
    store = _session_store()
    ended = 0
    for key in (
        UserSession.objects.filter(user=user)
        .exclude(session_key=keep or "")
        .values_list("session_key", flat=True)
    ):
        store(session_key=key).delete()
        ended += 1
    UserSession.objects.filter(user=user).exclude(session_key=keep or "").delete()
    return ended


# ---------------------------------------------------------------------------------------
# Profile


def update_profile(*, user: User, first_name: str, last_name: str, email: str) -> None:
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.save(update_fields=["first_name", "last_name", "email"])
    record(actor=user, subject=user, action=AccountEvent.Action.PROFILE_CHANGED)


def change_password(*, request, user: User, new_password: str) -> None:
    """Set the new password; the user's other sessions are signed out, this one stays."""
    user.set_password(new_password)
    user.save(update_fields=["password"])
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # gives this session a new key
    UserSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
    end_all_sessions(user=user, keep=request.session.session_key)
    record(actor=user, subject=user, action=AccountEvent.Action.PASSWORD_CHANGED)


# ---------------------------------------------------------------------------------------
# Key users


def _require_key_user(key_user: User, colleague: User | None = None) -> None:
    allowed, _reason = permissions.can_manage_people(key_user)
    if not allowed:
        raise PermissionDenied
    if colleague is not None and not permissions.same_organisation(key_user, colleague):
        raise PermissionDenied


@transaction.atomic
def invite_colleague(
    *, key_user: User, email: str, first_name: str, last_name: str, role: str
) -> User:
    """Create a colleague in the key user's own organisation, in one of its roles, and e-mail
    them the invitation to set a password. Never a functional administrator."""
    _require_key_user(key_user)
    if role not in permissions.roles_a_key_user_may_give(key_user):
        raise PermissionDenied
    colleague = User(
        username=unique_username(email),
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        municipality_id=key_user.municipality_id,
        school_board_id=key_user.school_board_id,
        is_staff=False,
        is_superuser=False,
    )
    colleague.set_unusable_password()
    colleague.full_clean(exclude=["password"])
    colleague.save()
    invite_user(user=colleague)
    record(
        actor=key_user,
        subject=colleague,
        action=AccountEvent.Action.INVITED,
        detail=f"{email} · {Role(role).label}",
    )
    return colleague


@transaction.atomic
def deactivate_colleague(*, key_user: User, colleague: User) -> None:
    """The colleague can no longer sign in; their open sessions end at once."""
    _require_key_user(key_user, colleague)
    if colleague.pk == key_user.pk:
        raise PermissionDenied
    User.objects.filter(pk=colleague.pk).update(is_active=False, deactivated_at=timezone.now())
    colleague.is_active = False
    withdraw_access(user=colleague, actor=key_user, action=AccountEvent.Action.DEACTIVATED)


@transaction.atomic
def reactivate_colleague(*, key_user: User, colleague: User) -> None:
    _require_key_user(key_user, colleague)
    User.objects.filter(pk=colleague.pk).update(is_active=True, deactivated_at=None)
    record(actor=key_user, subject=colleague, action=AccountEvent.Action.REACTIVATED)


def touch_session(*, session_key: str) -> None:
    UserSession.objects.filter(session_key=session_key).update(last_seen_at=timezone.now())
