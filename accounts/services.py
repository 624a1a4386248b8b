from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User


def invite_user(*, user: User) -> None:
    """Queue the invitation e-mail with which a new user sets their own password."""
    from accounts.tasks import send_invitation

    transaction.on_commit(lambda: send_invitation.delay(user.pk))


def send_invitation_mail(*, user: User) -> str:
    """E-mail `user` a link to set their password and record when; returns the recipient."""
    if not user.email:
        raise ValueError(f"User {user.username} has no e-mail address to invite.")
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {"user": user, "link": settings.PORTAL_BASE_URL + path}
        subject = render_to_string("accounts/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/invitation_email.txt", context)
    send_mail(subject, body, None, [user.email])
    User.objects.filter(pk=user.pk).update(invited_at=timezone.now())
    return user.email
