from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from archive.models import ArchivePackage, DestructionItem, DestructionList, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(SimpleHistoryAdmin):
    """The retention of each record group: the functional administrator enters what the
    municipality's archivist decided; the history keeps every change."""

    list_display = [
        "record_group",
        "category",
        "category_code",
        "action",
        "years",
        "confirmed_by_archivist",
    ]
    list_editable = ["years", "action", "confirmed_by_archivist"]

    def has_add_permission(self, request):
        return False  # one rule per record group, loaded by migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ArchivePackage)
class ArchivePackageAdmin(admin.ModelAdmin):
    list_display = ["municipality", "status", "files", "manifest_sha256", "created_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in ArchivePackage._meta.fields]

    def has_add_permission(self, request):
        return False


class DestructionItemInline(admin.TabularInline):
    model = DestructionItem
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in DestructionItem._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DestructionList)
class DestructionListAdmin(admin.ModelAdmin):
    """The destruction log: read-only; approvals are given on the list's page."""

    list_display = [
        "municipality_code",
        "municipality_name",
        "status",
        "proposed_at",
        "destroyed_at",
    ]
    list_filter = ["status"]
    inlines = [DestructionItemInline]
    readonly_fields = [f.name for f in DestructionList._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
