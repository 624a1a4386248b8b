from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import LoginForm
from accounts.views import locked_out
from identity import oidc, permissions, selectors, services
from identity.forms import CodeForm, InviteForm, PortalPasswordChangeForm, ProfileForm
from identity.models import IdentityProvider, SignInMethod, UserSession
from identity.signals import (
    SESSION_HAS_DEVICE,
    SESSION_METHOD,
    reset_failed_attempts,
)

SETUP_DEVICE = "identity_setup_device"


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


class LoginView(auth_views.LoginView):
    """Local login (name and password, throttled by django-axes) beside "Inloggen via uw
    organisatie" for every organisation with its own provider."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["providers"] = IdentityProvider.objects.filter(enabled=True).order_by("name")
        return context


@require_POST
def logout(request):
    """Sign out here, and at the organisation's provider where the user came from one."""
    provider_logout = oidc.provider_logout_url(request)
    auth_logout(request)
    return redirect(provider_logout or reverse("login"))


@login_required
def verify(request):
    """The second step of a local sign-in: a code from the authenticator or a recovery code.
    Each wrong code counts as a failed login for django-axes."""
    user = request.user
    if user.is_verified() or not services.has_second_factor(user):
        return redirect(_next_url(request))
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        auth_logout(request)
        return locked_out(request)
    form = CodeForm(request.POST or None, submit_label=_("Log in"))
    if request.method == "POST" and form.is_valid():
        device = _device_for_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.name == services.RECOVERY_DEVICE_NAME:
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    method=SignInMethod.PASSWORD_AND_CODE
                )
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)d are left.")
                    % {"left": services.recovery_codes_left(user)},
                )
            else:
                UserSession.objects.filter(session_key=request.session.session_key).update(
                    method=SignInMethod.PASSWORD_AND_CODE
                )
            reset_failed_attempts(request, user)
            return redirect(_next_url(request))
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            auth_logout(request)
            return locked_out(request)
        form.add_error("code", _("This code is not correct. Try again."))
    return render(request, "identity/verify.html", {"form": form, "next": _next_url(request)})


def _device_for_code(user, code: str):
    """The authenticator that accepts the code, else the recovery codes (each works once)."""
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):
                return device
    return None


@login_required
def two_factor_setup(request):
    user = request.user
    if services.has_second_factor(user) and not user.is_verified():
        # Replacing an authenticator needs the current one: else a stolen password would do.
        return redirect(f"{reverse('identity:verify')}?next={request.path}")
    device = None
    if request.method == "POST":
        device = TOTPDevice.objects.filter(
            pk=request.session.get(SETUP_DEVICE), user=user, confirmed=False
        ).first()
    if device is None:
        device = services.start_totp_setup(user=user)
        request.session[SETUP_DEVICE] = device.pk
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_totp_setup(
            user=user, device=device, token=form.cleaned_data["code"]
        )
        if codes is not None:
            otp_login(request, device)
            request.session[SESSION_HAS_DEVICE] = True
            request.session.pop(SETUP_DEVICE, None)
            return render(
                request,
                "identity/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error(
            "code", _("This code is not correct. Check the time on your phone and try again.")
        )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "identity/two_factor_setup.html",
        {
            "form": form,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "required": permissions.second_factor_required(user),
            "replacing": services.has_second_factor(user),
            "next": _next_url(request),
        },
    )


@login_required
@require_POST
def recovery_codes(request):
    codes = services.regenerate_recovery_codes(user=request.user)
    return render(
        request,
        "identity/recovery_codes.html",
        {"codes": codes, "next": reverse("identity:profile")},
    )


@login_required
@require_POST
def two_factor_remove(request):
    allowed, reason = permissions.can_remove_second_factor(request.user)
    if not allowed:
        messages.error(request, reason)
        return redirect("identity:profile")
    services.remove_second_factor(user=request.user)
    request.session[SESSION_HAS_DEVICE] = False
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("identity:profile")


def _is_provider_user(request) -> bool:
    return request.session.get(SESSION_METHOD) == SignInMethod.PROVIDER or hasattr(
        request.user, "external_identity"
    )


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=user, **form.cleaned_data)
        messages.success(request, _("Your details have been saved."))
        return redirect("identity:profile")
    return render(
        request,
        "identity/profile.html",
        {
            "form": form,
            "provider_user": _is_provider_user(request),
            "has_second_factor": services.has_second_factor(user),
            "second_factor_required": permissions.second_factor_required(user),
            "recovery_codes_left": services.recovery_codes_left(user),
        },
    )


@login_required
def password_change(request):
    if _is_provider_user(request) or not request.user.has_usable_password():
        raise PermissionDenied
    form = PortalPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_password(
            request=request, user=request.user, new_password=form.cleaned_data["new_password1"]
        )
        messages.success(
            request, _("Your password has been changed; your other sessions have been signed out.")
        )
        return redirect("identity:profile")
    return render(request, "identity/password_change.html", {"form": form})


@login_required
def sessions(request):
    return render(
        request,
        "identity/sessions.html",
        {
            "sessions": selectors.sessions_of(user=request.user),
            "current_key": request.session.session_key,
        },
    )


@login_required
def session_end(request, pk):
    session = get_object_or_404(selectors.sessions_of(user=request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    current = session.session_key == request.session.session_key
    services.end_session(actor=request.user, session=session)
    if current:
        return redirect("login")
    messages.success(request, _("The session has been ended."))
    return redirect("identity:sessions")


def _key_user(request):
    allowed, _reason = permissions.can_manage_people(request.user)
    if not allowed:
        raise PermissionDenied
    return request.user


@login_required
def people(request):
    key_user = _key_user(request)
    colleagues = selectors.colleagues_of(key_user=key_user).order_by(
        "-is_active", "last_name", "username"
    )
    events = Paginator(selectors.organisation_events(key_user=key_user), 25).get_page(
        request.GET.get("pagina")
    )
    with_device = set(
        TOTPDevice.objects.filter(user__in=colleagues, confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    return render(
        request,
        "identity/people.html",
        {
            "organisation": key_user.organisation,
            "colleagues": colleagues,
            "with_device": with_device,
            "events": events,
        },
    )


@login_required
def invite(request):
    key_user = _key_user(request)
    form = InviteForm(request.POST or None, key_user=key_user)
    if request.method == "POST" and form.is_valid():
        colleague = services.invite_colleague(key_user=key_user, **form.cleaned_data)
        messages.success(
            request, _("An invitation has been sent to %(email)s.") % {"email": colleague.email}
        )
        return redirect("identity:people")
    return render(
        request, "identity/invite.html", {"form": form, "organisation": key_user.organisation}
    )


@login_required
def deactivate(request, pk):
    key_user = _key_user(request)
    # Another organisation's person is not found (404) whatever the method.
    colleague = get_object_or_404(selectors.colleagues_of(key_user=key_user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if colleague.pk == key_user.pk:
        messages.error(request, _("You cannot deactivate yourself."))
        return redirect("identity:people")
    services.deactivate_colleague(key_user=key_user, colleague=colleague)
    messages.success(request, _("%(name)s can no longer sign in.") % {"name": colleague})
    return redirect("identity:people")


@login_required
def reactivate(request, pk):
    key_user = _key_user(request)
    # Another organisation's person is not found (404) whatever the method.
    colleague = get_object_or_404(selectors.colleagues_of(key_user=key_user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.reactivate_colleague(key_user=key_user, colleague=colleague)
    messages.success(request, _("%(name)s can sign in again.") % {"name": colleague})
    return redirect("identity:people")
