from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from accounts.mixins import MunicipalityFromURLMixin
from insight import charts, exports, permissions, selectors
from npo_portal.paging import pager
from plans.models import Plan
from plans.permissions import can_record_reach

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The golden thread's detail, a page at a time: a large municipality has thousands of
# schools and hundreds of interventions (the whole of it is in the XLSX).
SCHOOLS_PER_PAGE = 25
INTERVENTIONS_PER_PAGE = 50


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


class GoldenThreadView(MunicipalityFromURLMixin, TemplateView):
    """From need to measure to euro for one municipality: a summary per goal, then the
    detail per school and per intervention a page at a time.

    The whole of it is computed from every school, need and intervention of the grant (the
    summary counts them all), which made the page grow with the municipality (issue 32). So
    its rendered body is cached under the thread's data versions (`thread_key`), the page
    numbers, the language and the plans whose reach this user may record; only the pages'
    numbers are kept from the query string."""

    template_name = "insight/golden_thread.html"
    permission = staticmethod(permissions.can_view_golden_thread)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        query = QueryDict(mutable=True)
        for param in ("scholen", "interventies"):
            value = self.request.GET.get(param, "")
            if value.isdigit() and len(value) < 6:
                query[param] = value
        members, thread_key = selectors.thread_key(municipality=self.municipality, today=today)
        # The plans whose interventions' reach per school this user may record (a link each).
        reach_plans = {
            plan.pk
            for plan in Plan.objects.filter(municipality__in=members).only(
                "pk", "municipality_id", "status"
            )
            if can_record_reach(self.request.user, plan)
        }
        key = ":".join(
            [
                "golden-thread-page",
                thread_key,
                translation.get_language(),
                query.urlencode(),
                ".".join(map(str, sorted(reach_plans))),
            ]
        )
        body = cache.get(key)
        if body is None:
            body = self._body(today, query, reach_plans)
            cache.set(key, body, settings.FIGURES_CACHE_SECONDS)
        # Rendered by `_body` from escaped values, whether it came from the cache or not.
        body = mark_safe(body)  # noqa: S308
        return super().get_context_data(municipality=self.municipality, body=body, **kwargs)

    def _body(self, today, query, reach_plans) -> str:
        # The delays are shown for the schools of the page only.
        thread = selectors.golden_thread(municipality=self.municipality, today=today, delays=False)
        goals, goals_total = selectors.goal_summary(thread)
        schools = pager(
            self.request,
            thread.schools,
            param="scholen",
            per_page=SCHOOLS_PER_PAGE,
            anchor="draad-scholen",
            query=query,
        )
        selectors.with_delays(schools["page"].object_list)
        interventions = pager(
            self.request,
            thread.interventions,
            param="interventies",
            per_page=INTERVENTIONS_PER_PAGE,
            anchor="draad-interventies",
            query=query,
        )
        return render_to_string(
            "insight/_golden_thread_body.html",
            {
                "municipality": self.municipality,
                "thread": thread,
                "goals": goals,
                "goals_total": goals_total,
                "reach_plans": reach_plans,
                "school_pager": schools,
                "intervention_pager": interventions,
            },
        )


class GoldenThreadXlsxView(MunicipalityFromURLMixin, View):
    permission = staticmethod(permissions.can_view_golden_thread)

    def get(self, request, *args, **kwargs):
        thread = selectors.golden_thread(municipality=self.municipality)
        return _xlsx(exports.golden_thread_xlsx(thread), f"draad-{self.municipality.code}")


class MonitorMixin(LoginRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not permissions.can_view_monitor(request.user):
            raise PermissionDenied
        self.years = selectors.monitor_years()
        today = timezone.localdate()
        default = max((y for y in self.years if y < today.year), default=today.year)
        try:
            year = int(request.GET.get("jaar", default))
        except ValueError:
            year = default
        self.year = year if year in self.years else default
        return super().dispatch(request, *args, **kwargs)


class MonitorView(MonitorMixin, TemplateView):
    """The national monitor: aggregates per municipality, province and size class."""

    template_name = "insight/monitor.html"

    def get_context_data(self, **kwargs):
        monitor = selectors.national_monitor(year=self.year)
        return super().get_context_data(
            monitor=monitor, years=self.years, chart=charts.national_spending(monitor), **kwargs
        )


class MonitorXlsxView(MonitorMixin, View):
    def get(self, request, *args, **kwargs):
        monitor = selectors.national_monitor(year=self.year)
        return _xlsx(exports.monitor_xlsx(monitor), f"npo-monitor-{self.year}")
