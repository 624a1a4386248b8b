from collections.abc import Callable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accounts.models import Municipality


class MunicipalityFromURLMixin(LoginRequiredMixin):
    """Resolves the municipality named by `code` in the URL through scoping (another
    organisation's gives 404), then asks the view's `permission` (refused gives 403)."""

    permission: Callable

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.municipality = get_object_or_404(
            Municipality.objects.for_user(request.user).in_programme(), code=kwargs["code"]
        )
        if not self.permission(request.user, self.municipality):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
