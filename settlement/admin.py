from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from settlement.models import Closure, Repayment, Settlement


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Recorded through the portal's pages and services (their checks and the audit trail);
    the admin only shows them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Settlement)
class SettlementAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "reference", "decided_on", "amount_set", "amount_to_repay"]
    search_fields = ["municipality__name", "municipality__code", "reference"]


@admin.register(Repayment)
class RepaymentAdmin(ReadOnlyAdmin):
    list_display = ["settlement", "date", "amount"]


@admin.register(Closure)
class ClosureAdmin(ReadOnlyAdmin):
    list_display = ["municipality", "closed_at", "closed_by", "reopened_at", "reopen_reason"]
