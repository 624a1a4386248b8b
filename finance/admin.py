from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from finance import services
from finance.models import (
    Expenditure,
    ExpenditureImport,
    Payment,
    PaymentScheduleEntry,
    YearClosing,
)


@admin.register(PaymentScheduleEntry)
class PaymentScheduleEntryAdmin(admin.ModelAdmin):
    list_display = ["programme", "due_month", "covers_from", "covers_until", "parts", "total_parts"]
    list_filter = ["programme"]


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ["municipality", "date", "amount", "reference", "recorded_by"]
    list_filter = ["programme"]
    search_fields = ["municipality__name", "municipality__code", "reference"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["recorded_by", "created_at"]


@admin.register(Expenditure)
class ExpenditureAdmin(SimpleHistoryAdmin):
    """Read-only: expenditures change through the finance pages, which guard closed years."""

    list_display = ["municipality", "date", "amount", "goal", "intervention", "description"]
    list_filter = ["goal"]
    search_fields = ["municipality__code", "description", "supplier", "invoice_number"]
    list_select_related = ["municipality", "goal", "intervention"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(YearClosing)
class YearClosingAdmin(admin.ModelAdmin):
    list_display = ["municipality", "year", "closed_at", "closed_by", "note"]
    list_filter = ["year"]
    autocomplete_fields = ["municipality"]
    readonly_fields = ["closed_at", "closed_by"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["note"])
            return
        closing = services.close_year(
            municipality=obj.municipality, year=obj.year, user=request.user, note=obj.note
        )
        obj.pk = closing.pk


@admin.register(ExpenditureImport)
class ExpenditureImportAdmin(admin.ModelAdmin):
    list_display = ["municipality", "file_name", "status", "created_at", "created_count"]
    list_filter = ["status"]
    exclude = ["content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
