"""The functional administrator's page for DUO locations held at import: each one is
assigned to one of its split municipality's successors."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from schools.models import HeldLocation
from schools.services import assign_held_location


class HeldLocationForm(forms.ModelForm):
    class Meta:
        model = HeldLocation
        fields = ["assigned_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assigned_to"]
        field.required = True
        field.label = _("Assign to")
        field.help_text = _("One of the municipalities that took over the split's places.")
        held = self.instance
        field.queryset = Municipality.objects.filter(
            pk__in=held.split.split_places.values("successor")
        ).order_by("name")


@admin.register(HeldLocation)
class HeldLocationAdmin(admin.ModelAdmin):
    form = HeldLocationForm
    list_display = ["code", "name", "place", "postcode", "split", "assigned_to", "held_at"]
    list_filter = [("assigned_to", admin.EmptyFieldListFilter), "split"]
    search_fields = ["brin", "name", "place", "postcode"]
    readonly_fields = [
        "brin",
        "vestiging",
        "name",
        "sector",
        "board",
        "duo_file",
        "split",
        "place",
        "postcode",
        "reason",
        "held_at",
        "assigned_by",
        "assigned_at",
    ]
    fields = [*readonly_fields[:11], "assigned_to", "assigned_by", "assigned_at"]

    @admin.display(description=_("location code"), ordering="brin")
    def code(self, held):
        return held.code

    def has_add_permission(self, request):
        return False  # only an import holds a location

    def save_model(self, request, obj, form, change):
        school = assign_held_location(
            held=obj, municipality=form.cleaned_data["assigned_to"], user=request.user
        )
        messages.success(
            request,
            _("%(school)s is now a location in %(municipality)s.")
            % {"school": school, "municipality": school.municipality},
        )
