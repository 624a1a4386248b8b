from collections.abc import Callable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Municipality


def own_current_municipality(user, code: str) -> Municipality | None:
    """The user's own municipality when `code` names it and it has not ended; else None.

    What the scoped lookup would find, without asking the database again: scoping gives a
    user with a municipality that municipality (`accounts.scoping.scope_filter`), and one
    without an end date is in the programme. The user was loaded with it
    (`accounts.backends.UserBackend`). Any other code goes through the scoped query."""
    if not user.is_active or user.municipality_id is None:
        return None
    municipality = user.municipality
    if municipality.code != code or municipality.valid_until is not None:
        return None
    return municipality


class MunicipalityFromURLMixin(LoginRequiredMixin):
    """Resolves the municipality named by `code` in the URL through scoping (another
    organisation's gives 404), then asks the view's `permission` (refused gives 403)."""

    permission: Callable

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.municipality = own_current_municipality(request.user, kwargs["code"])
        if self.municipality is None:
            self.municipality = get_object_or_404(
                Municipality.objects.for_user(request.user).in_programme(), code=kwargs["code"]
            )
        if not self.permission(request.user, self.municipality):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
