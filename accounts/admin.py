from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import Municipality, SchoolBoard, SplitPlace, User


class SplitPlaceInline(admin.TabularInline):
    model = SplitPlace
    fk_name = "municipality"
    extra = 0
    autocomplete_fields = ["successor"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "valid_from", "valid_until", "successor"]
    list_filter = [("valid_until", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name"]
    autocomplete_fields = ["successor"]
    inlines = [SplitPlaceInline]

    def get_search_results(self, request, queryset, search_term):
        """A municipality that ended before the programme has no grant, plan or users, so no
        other record's autocomplete offers it."""
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name"):
            queryset = queryset.in_programme()
        return queryset, distinct


@admin.register(SchoolBoard)
class SchoolBoardAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    search_fields = ["number", "name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "is_archivist"]
    list_select_related = ["municipality", "school_board"]
    search_fields = [
        "username",
        "email",
        "first_name",
        "last_name",
        "municipality__name",
        "school_board__name",
    ]
    autocomplete_fields = ["municipality", "school_board"]
    readonly_fields = ["invited_at", "last_login", "date_joined", "deactivated_at", "anonymised_at"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("Organisation and role"),
            {"fields": ("role", "municipality", "school_board", "is_archivist")},
        ),
        (
            _("Status"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "invited_at",
                    "last_login",
                    "date_joined",
                    "deactivated_at",
                    "anonymised_at",
                )
            },
        ),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "email", "usable_password", "password1", "password2")}),
        (_("Organisation and role"), {"fields": ("role", "municipality", "school_board")}),
    )
    actions = ["send_invitations"]

    @admin.display(description=_("organisation"))
    def organisation(self, user):
        return user.organisation or "—"

    def save_model(self, request, obj, form, change):
        """Deactivating someone, or changing the role or organisation that gave them
        access, ends their sessions and revokes the API tokens they may no longer make."""
        lost = change and {"is_active", "role", "municipality", "school_board"} & set(
            form.changed_data
        )
        super().save_model(request, obj, form, change)
        if lost:
            from identity.models import AccountEvent
            from identity.services import withdraw_access

            action = (
                AccountEvent.Action.DEACTIVATED
                if not obj.is_active
                else AccountEvent.Action.SESSION_ENDED
            )
            changed = ", ".join(sorted(set(form.changed_data) & lost))
            withdraw_access(
                user=obj,
                actor=request.user,
                action=action,
                reason=_("changed in the admin: %(fields)s") % {"fields": changed},
            )

    @admin.action(description=_("E-mail an invitation to set a password"))
    def send_invitations(self, request, queryset):
        without_email = [user.username for user in queryset if not user.email]
        if without_email:
            self.message_user(
                request,
                _("No invitations sent: these users have no e-mail address: %(names)s")
                % {"names": ", ".join(without_email)},
                messages.ERROR,
            )
            return
        count = services.invite_users(users=list(queryset))
        self.message_user(
            request,
            ngettext("%(count)d invitation queued.", "%(count)d invitations queued.", count)
            % {"count": count},
        )
