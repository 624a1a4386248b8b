from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.generic import ListView

from accounts import forms, permissions, selectors, themes
from accounts.models import Municipality, Role, SchoolBoard, User
from npo_portal.theming import complete, theme_css

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
            "can_set_theme": themes.can_set_theme(request.user, municipality),
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
        {
            "board": board,
            "members": User.objects.for_user(request.user).filter(school_board=board),
            "can_set_theme": themes.can_set_theme(request.user, board),
        },
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer after too many failed logins: a Dutch page, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


def theme_organisation(request, kind: str, key: str) -> Municipality | SchoolBoard:
    """The organisation a theme address names, through scoping (another's gives 404)."""
    if kind == themes.MUNICIPALITY:
        queryset = Municipality.objects.for_user(request.user).in_programme()
        return get_object_or_404(queryset, code=key)
    if kind == themes.SCHOOL_BOARD:
        return get_object_or_404(SchoolBoard.objects.for_user(request.user), number=key)
    raise Http404


@login_required
def theme_edit(request, kind, key):
    """The functional administrator sets an organisation's logo and colour tokens."""
    organisation = theme_organisation(request, kind, key)
    if not themes.can_set_theme(request.user, organisation):
        raise PermissionDenied
    record = themes.theme_record(organisation)
    if request.method == "POST" and "reset" in request.POST:
        themes.remove_theme(organisation=organisation, user=request.user)
        messages.success(
            request, _("The portal's own look is back for %(name)s.") % {"name": organisation.name}
        )
        return redirect(request.path)
    initial = {forms.token_field_name(n): v for n, v in complete(record and record.tokens).items()}
    form = forms.ThemeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        has_logo=bool(record and record.logo),
    )
    if request.method == "POST" and form.is_valid():
        try:
            themes.save_theme(
                organisation=organisation,
                tokens=form.tokens(),
                user=request.user,
                logo=form.cleaned_data["logo"],
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request,
                _("The house style of %(name)s has been saved.") % {"name": organisation.name},
            )
            return redirect(request.path)
    theme = themes.theme_of(organisation, with_logo=True)
    return render(
        request,
        "accounts/theme_edit.html",
        {"organisation": organisation, "form": form, "saved_theme": theme},
    )


@login_required
def theme_stylesheet(request, kind, key):
    """The organisation's tokens as a stylesheet, which style-src 'self' allows."""
    organisation = theme_organisation(request, kind, key)
    if not themes.can_view_theme(request.user, organisation):
        raise PermissionDenied
    theme = themes.theme_of(organisation)
    if theme is None:
        raise Http404
    css = theme_css(theme.tokens, organisation_name=theme.organisation_name)
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    return _versioned(request, response, theme.version)


@login_required
def theme_logo(request, kind, key):
    organisation = theme_organisation(request, kind, key)
    if not themes.can_view_theme(request.user, organisation):
        raise PermissionDenied
    record = themes.theme_record(organisation)
    if record is None or not record.logo:
        raise Http404
    response = FileResponse(record.logo.open("rb"), content_type=record.logo_type)
    response["Content-Disposition"] = "inline"
    return _versioned(request, response, themes.as_theme(record).version)


def _versioned(request, response, version: str):
    # The address carries the version (?v=), so a browser may keep what it fetched; it is
    # private, being behind the login.
    if request.GET.get("v") == version:
        response["Cache-Control"] = "private, max-age=31536000, immutable"
    else:
        response["Cache-Control"] = "private, no-cache"
    return response
