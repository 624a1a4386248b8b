"""One function per action on accounts, each answering (allowed, reason)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import Role, User
from identity.models import roles_of_organisation_kind


def second_factor_required(user: User) -> bool:
    """Whether the portal demands a second factor of this local account's role (setting)."""
    return user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def can_remove_second_factor(user: User) -> tuple[bool, str]:
    if second_factor_required(user):
        return False, _("Your role requires two-factor authentication.")
    return True, ""


def can_manage_people(user: User) -> tuple[bool, str]:
    """Key users of a municipality or school board manage their own organisation's people."""
    if not (user.is_authenticated and user.is_active):
        return False, _("You are not signed in.")
    if not user.is_key_user or user.organisation is None or user.is_functional_admin:
        return False, _("Only key users of an organisation manage its people.")
    return True, ""


def same_organisation(key_user: User, colleague: User) -> bool:
    lookup = key_user.organisation_lookup()
    return lookup is not None and lookup == colleague.organisation_lookup()


def roles_a_key_user_may_give(key_user: User) -> list[str]:
    """The roles of the key user's kind of organisation, and for a municipality also its
    auditor (read-only, never a key user); never administrator or monitor."""
    if key_user.organisation is None:
        return []
    municipality = key_user.municipality_id is not None
    roles = roles_of_organisation_kind(municipality=municipality)
    if municipality:
        roles = [*roles, Role.AUDITOR]
    return [r.value for r in roles if r not in (Role.FUNCTIONAL_ADMIN, Role.MONITOR)]
