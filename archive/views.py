from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.mixins import MunicipalityFromURLMixin
from archive import destruction, permissions, selectors, services
from archive.models import ArchivePackage, DestructionList, PackageStatus, RetentionRule
from archive.retention import settlement_date


@login_required
def index(request):
    """The archive's start page: for a municipal user the archive pages of their own
    municipality they may open; for the functional administrator the destruction lists and
    the municipalities with something to archive (a settlement, a final report, a package or
    a destruction list)."""
    user = request.user
    if not permissions.can_open_archive(user):
        raise PermissionDenied
    context = {"is_administrator": permissions.can_approve_as_administrator(user)}
    if context["is_administrator"]:
        context["municipalities"] = selectors.municipalities_to_archive(user)
    else:
        municipality = user.municipality
        context["municipality"] = municipality
        context["packages"] = permissions.can_use_archive_packages(user, municipality)
        context["destruction"] = permissions.can_view_destruction_lists(user, municipality)
    return TemplateResponse(request, "archive/index.html", context)


class PackageListView(MunicipalityFromURLMixin, TemplateView):
    """The municipality's archive packages, and the button that builds a new one."""

    permission = staticmethod(permissions.can_use_archive_packages)
    template_name = "archive/package_list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "municipality": self.municipality,
            "packages": ArchivePackage.objects.for_user(self.request.user)
            .filter(municipality=self.municipality)
            .select_related("created_by")[:20],
            "settled_on": settlement_date(self.municipality),
            "rules": RetentionRule.objects.all(),
        }

    def post(self, request, *args, **kwargs):
        services.request_package(municipality=self.municipality, user=request.user)
        messages.success(
            request, _("The archive package is being built. Reload this page in a minute.")
        )
        return redirect("archive:package-list", code=self.municipality.code)


class PackageDownloadView(MunicipalityFromURLMixin, View):
    permission = staticmethod(permissions.can_use_archive_packages)

    def get(self, request, *args, **kwargs):
        package = get_object_or_404(
            ArchivePackage.objects.for_user(request.user),
            municipality=self.municipality,
            pk=kwargs["pk"],
            status=PackageStatus.DONE,
        )
        if not package.file:
            raise Http404
        return FileResponse(
            package.file.open("rb"),
            as_attachment=True,
            filename=f"NPO-{self.municipality.code}-archiefpakket-{package.pk}.zip",
            content_type="application/zip",
        )


@login_required
def destruction_index(request):
    """The administrator sees every open destruction list; an archivist goes to their own
    municipality's lists."""
    user = request.user
    if permissions.can_approve_as_administrator(user):
        lists = DestructionList.objects.for_user(user).select_related("municipality")[:200]
        return TemplateView.as_view(
            template_name="archive/destruction_index.html", extra_context={"lists": lists}
        )(request)
    if user.municipality_id and permissions.can_view_destruction_lists(user, user.municipality):
        return redirect("archive:destruction-list", code=user.municipality.code)
    raise PermissionDenied


class DestructionListView(MunicipalityFromURLMixin, TemplateView):
    permission = staticmethod(permissions.can_view_destruction_lists)
    template_name = "archive/destruction_list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "municipality": self.municipality,
            "lists": DestructionList.objects.for_user(self.request.user)
            .filter(municipality=self.municipality)
            .prefetch_related("items"),
        }


class DestructionDetailView(MunicipalityFromURLMixin, TemplateView):
    """One destruction list: what it proposes, who approved, what was destroyed; the approve
    button for whichever of the two approvals the user may give."""

    permission = staticmethod(permissions.can_view_destruction_lists)
    template_name = "archive/destruction_detail.html"

    def get_list(self) -> DestructionList:
        return get_object_or_404(
            DestructionList.objects.for_user(self.request.user).prefetch_related("items"),
            municipality=self.municipality,
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        destruction_list = self.get_list()
        return {
            **super().get_context_data(**kwargs),
            "municipality": self.municipality,
            "list": destruction_list,
            "may_approve": destruction.approval_role(
                user=self.request.user, destruction_list=destruction_list
            )
            is not None,
        }

    def post(self, request, *args, **kwargs):
        if not permissions.can_approve_destruction(request.user, self.municipality):
            raise PermissionDenied
        destruction_list = self.get_list()
        try:
            destruction.approve(destruction_list=destruction_list, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your approval has been recorded."))
        return redirect("archive:destruction-detail", code=self.municipality.code, pk=kwargs["pk"])
