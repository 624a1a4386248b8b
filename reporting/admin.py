from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from npo_portal.admin import year_column
from reporting.models import SisaIndicator, SisaYear


class SisaIndicatorInline(admin.TabularInline):
    model = SisaIndicator
    extra = 0
    fields = ["order", "number", "kind", "goal", "text", "audit"]


@admin.register(SisaYear)
class SisaYearAdmin(admin.ModelAdmin):
    list_display = [
        year_column(SisaYear, "year"),
        "provider",
        "grant_code",
        "grant_code_confirmed",
        "has_override",
        "annex_version",
    ]
    list_filter = ["grant_code_confirmed"]
    readonly_fields = ["confirmed_by", "confirmed_at"]
    inlines = [SisaIndicatorInline]

    @admin.display(boolean=True, description=_("final without confirmation"))
    def has_override(self, obj: SisaYear) -> bool:
        return bool(obj.override_reason.strip())

    def changelist_view(self, request, extra_context=None):
        years = SisaYear.objects.filter(grant_code_confirmed=False).values_list("year", flat=True)
        if years:
            messages.warning(
                request,
                _(
                    "Not confirmed against the ministry's annex: %(years)s. Reports over these "
                    "years cannot be marked final until the code and indicator numbers are "
                    "confirmed, or a reason to go ahead without is recorded."
                )
                % {"years": ", ".join(str(year) for year in years)},
            )
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        """Record who confirmed the code, or overrode the missing confirmation, and when."""
        if {"grant_code_confirmed", "override_reason"} & set(form.changed_data):
            obj.confirmed_by = request.user
            obj.confirmed_at = timezone.now()
        super().save_model(request, obj, form, change)
