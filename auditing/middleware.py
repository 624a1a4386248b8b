"""An auditor's every request: logged, and refused unless it reads one of the pages of
finance, reports, dossier or history on a day of an active access."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from auditing import selectors, services

# The auditor's own account: signing out, the language, its profile, password, sessions and
# second factor, as every user has them (README). Any day, any method (these change only
# the auditor's own session or account).
OWN_ACCOUNT_VIEWS = {
    "accessibility",  # the public accessibility statement, linked from every footer
    "logout",
    "set_language",
    "identity:verify",
    "identity:profile",
    "identity:password-change",
    "identity:sessions",
    "identity:session-end",
    "identity:two-factor-setup",
    "identity:two-factor-remove",
    "identity:recovery-codes",
}
# What issue 16 gives an auditor: finance (expenditures, payments, the dashboard and its
# exports, the golden thread), reports with their files and dossier, and the history of
# money and plan.
READ_ONLY_VIEWS = {
    "home",
    "auditing:home",
    "finance:index",
    "finance:dashboard",
    "finance:expenditure-list",
    "finance:expenditure-export",
    "finance:payment-list",
    "finance:history",
    "reporting:index",
    "reporting:report-list",
    "reporting:report-preview",
    "reporting:report-status",
    "reporting:report-pdf",
    "reporting:report-xlsx",
    "reporting:report-dossier",
    "reporting:report-dossier-xlsx",
    "plans:history",
    # The golden thread traces each euro back to the need it answers (issue 21).
    "insight:golden-thread",
    "insight:golden-thread-xlsx",
    # The final position, the settlement decision and its letter (issue 30).
    "settlement:detail",
    "settlement:letter",
}
SAFE_METHODS = {"GET", "HEAD"}


def refusal(*, view_name: str, method: str, has_grant: bool) -> str:
    """Why an auditor's request is refused, or "" when it is allowed."""
    if view_name in OWN_ACCOUNT_VIEWS:
        return ""
    if not has_grant:
        return _("No auditor access today.")
    if view_name not in READ_ONLY_VIEWS:
        return _("An auditor reads finance, reports, dossier and history only.")
    if method not in SAFE_METHODS:
        return _("An auditor's access is read-only.")
    return ""


class AuditorAccessMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_auditor:
            return None
        match = request.resolver_match
        view_name = match.view_name if match is not None else ""
        grant = selectors.active_grant(user=user)
        reason = refusal(view_name=view_name, method=request.method, has_grant=grant is not None)
        services.log_access(
            user=user,
            grant=grant,
            method=request.method,
            path=request.get_full_path(),
            view_name=view_name,
            reason=reason,
        )
        if not reason:
            return None
        grants = user.auditor_grants.select_related("municipality").order_by("-valid_until")
        return render(
            request,
            "auditing/refused.html",
            {"reason": reason, "grants": grants, "has_grant": grant is not None},
            status=403,
        )
