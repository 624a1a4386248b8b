from django.contrib import admin

from identity.models import AccountEvent, ExternalIdentity, IdentityProvider, RoleMapping


class RoleMappingInline(admin.TabularInline):
    model = RoleMapping
    extra = 1


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "issuer",
        "client_id",
        "municipality",
        "school_board",
        "enabled",
    ]
    list_filter = ["enabled"]
    search_fields = ["name", "issuer", "client_id"]
    autocomplete_fields = ["municipality", "school_board"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoleMappingInline]
    fieldsets = (
        (None, {"fields": ("name", "slug", "enabled", "municipality", "school_board")}),
        ("OpenID Connect", {"fields": ("issuer", "client_id", "client_secret_variable", "scopes")}),
        ("Claims", {"fields": ("subject_claim", "email_claim", "role_claim")}),
    )


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "created_at"]
    list_select_related = ["user", "provider"]
    search_fields = ["subject", "user__username", "user__email"]
    readonly_fields = ["provider", "subject", "user", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "subject", "detail"]
    list_filter = ["action"]
    list_select_related = ["actor", "subject"]
    search_fields = ["subject__username", "actor__username", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
