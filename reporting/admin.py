from django.contrib import admin

from reporting.models import SisaIndicator, SisaYear


class SisaIndicatorInline(admin.TabularInline):
    model = SisaIndicator
    extra = 0
    fields = ["order", "number", "kind", "goal", "text", "audit"]


@admin.register(SisaYear)
class SisaYearAdmin(admin.ModelAdmin):
    list_display = ["year", "provider", "grant_code", "grant_code_confirmed", "annex_version"]
    list_filter = ["grant_code_confirmed"]
    inlines = [SisaIndicatorInline]
