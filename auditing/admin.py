from django.contrib import admin

from auditing.models import AuditorAccess, AuditorGrant


@admin.register(AuditorGrant)
class AuditorGrantAdmin(admin.ModelAdmin):
    list_display = [
        "auditor",
        "municipality",
        "valid_from",
        "valid_until",
        "granted_by",
        "revoked_at",
    ]
    list_filter = ["municipality"]
    raw_id_fields = ["auditor", "granted_by", "revoked_by"]


@admin.register(AuditorAccess)
class AuditorAccessAdmin(admin.ModelAdmin):
    """The log is evidence: read it, never edit it."""

    list_display = ["at", "auditor", "municipality", "method", "path", "allowed", "reason"]
    list_filter = ["allowed", "municipality"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
