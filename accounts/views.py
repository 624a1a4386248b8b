from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import ListView

from accounts import permissions, selectors
from accounts.models import Municipality, Role, SchoolBoard, User

HOME_TEMPLATES = {
    Role.POLICY_OFFICER: "accounts/home_policy_officer.html",
    Role.FINANCE_OFFICER: "accounts/home_finance_officer.html",
    Role.SCHOOL_BOARD: "accounts/home_school_board.html",
    Role.FUNCTIONAL_ADMIN: "accounts/home_functional_admin.html",
}


@login_required
def home(request):
    user = request.user
    if user.is_monitor:
        # The programme office belongs to no municipality: its home is the national monitor.
        return redirect("insight:monitor")
    if user.is_auditor:
        # The external auditor reads within the access the municipality granted.
        return redirect("auditing:home")
    context = {"organisation": user.organisation}
    if user.is_functional_admin:
        context["counts"] = selectors.portal_counts(user=user)
    return render(request, HOME_TEMPLATES[Role(user.role)], context)


class MunicipalityListView(LoginRequiredMixin, UserPassesTestMixin, ListView):
    template_name = "accounts/municipality_list.html"
    paginate_by = 50

    def test_func(self):
        return permissions.can_list_municipalities(self.request.user)

    def get_queryset(self):
        return selectors.municipalities_for(
            user=self.request.user, search=self.request.GET.get("q", "")
        )


@login_required
def municipality_detail(request, code):
    municipality = get_object_or_404(
        Municipality.objects.for_user(request.user).in_programme().select_related("successor"),
        code=code,
    )
    if not permissions.can_view_municipality(request.user, municipality):
        raise PermissionDenied
    return render(
        request,
        "accounts/municipality_detail.html",
        {
            "municipality": municipality,
            "predecessors": municipality.predecessors.order_by("name"),
            "members": User.objects.for_user(request.user).filter(municipality=municipality),
        },
    )


@login_required
def school_board_detail(request, number):
    board = get_object_or_404(SchoolBoard.objects.for_user(request.user), number=number)
    if not permissions.can_view_school_board(request.user, board):
        raise PermissionDenied
    return render(
        request,
        "accounts/school_board_detail.html",
        {"board": board, "members": User.objects.for_user(request.user).filter(school_board=board)},
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer after too many failed logins: a Dutch page, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
