"""Who may do what with the archive package and the destruction lists. One function per
action; the list, the detail page and the download ask the same one. Fail closed."""

from accounts.models import Municipality, User


def _active(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _holds(user: User, municipality: Municipality) -> bool:
    """The user works for the municipality, or for the one it merged into."""
    return municipality.is_held_by(user.municipality_id)


def can_use_archive_packages(user: User, municipality: Municipality) -> bool:
    """Building and downloading a municipality's archive package: its finance officers (after
    a merger the successor's) and the functional administrator."""
    if not _active(user):
        return False
    if user.is_functional_admin:
        return True
    return user.is_finance_officer and _holds(user, municipality)


def is_archivist_of(user: User, municipality: Municipality) -> bool:
    return (
        _active(user)
        and user.is_archivist
        and (user.is_policy_officer or user.is_finance_officer)
        and _holds(user, municipality)
    )


def can_view_destruction_lists(user: User, municipality: Municipality) -> bool:
    """The destruction lists of a municipality: the functional administrator and the
    municipality's archivist, who approve them."""
    if not _active(user):
        return False
    return user.is_functional_admin or is_archivist_of(user, municipality)


def can_open_archive(user: User) -> bool:
    """The archive's start page (and the menu entry to it): whoever may open one of its pages
    for their own municipality, and the functional administrator."""
    if not _active(user):
        return False
    if user.is_functional_admin:
        return True
    municipality = user.municipality
    return municipality is not None and (
        can_use_archive_packages(user, municipality)
        or can_view_destruction_lists(user, municipality)
    )


def can_approve_as_administrator(user: User) -> bool:
    return _active(user) and user.is_functional_admin


def can_approve_as_archivist(user: User, municipality: Municipality) -> bool:
    return is_archivist_of(user, municipality)


def can_approve_destruction(user: User, municipality: Municipality) -> bool:
    """Approving a destruction list takes both: the functional administrator and the
    municipality's archivist, each for their part."""
    return can_approve_as_administrator(user) or can_approve_as_archivist(user, municipality)
