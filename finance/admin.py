from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Municipality
from finance import mergers, services
from finance.models import (
    Expenditure,
    ExpenditureImport,
    MunicipalMerger,
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
    exclude = ["upload"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MergerForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Successor"), queryset=Municipality.objects.in_programme().order_by("name")
    )
    day = forms.DateField(
        label=_("Merger date"),
        input_formats=["%d-%m-%Y", "%Y-%m-%d"],
        help_text=_("The first day of the successor, as dd-mm-jjjj."),
    )
    users = forms.ChoiceField(
        label=_("Users of the merging municipalities"),
        choices=[
            ("move", _("Move them to the successor")),
            ("deactivate", _("Deactivate them")),
        ],
        initial="move",
        widget=forms.RadioSelect,
    )


@admin.register(MunicipalMerger)
class MunicipalMergerAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "valid_from", "valid_until", "successor"]
    list_filter = [("valid_until", admin.EmptyFieldListFilter)]
    list_select_related = ["successor"]
    search_fields = ["code", "name"]
    actions = ["merge"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Merge into a successor…"))
    def merge(self, request, queryset):
        if not request.user.is_functional_admin:
            self.message_user(
                request, _("Only the functional administrator merges."), messages.ERROR
            )
            return None
        form = MergerForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                result = mergers.merge_municipalities(
                    successor=form.cleaned_data["successor"],
                    predecessors=list(queryset),
                    day=form.cleaned_data["day"],
                    move_users=form.cleaned_data["users"] == "move",
                    user=request.user,
                )
            except ValidationError as refused:
                for message in refused.messages:
                    self.message_user(request, message, messages.ERROR)
                return None
            self.message_user(request, mergers.describe(result), messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge municipalities"),
            "opts": self.model._meta,
            "form": form,
            "predecessors": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/finance/merge_municipalities.html", context)
