from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from accounts.themes import theme_of
from npo_portal.mail import send_portal_mail
from npo_portal.queueing import enqueue, require_broker


def unique_username(email: str, *, fallback: str = "gebruiker") -> str:
    """A free username for a new account: the e-mail address's local part, with a random
    suffix when that is taken."""
    base = email.split("@", 1)[0].lower()[:100] or fallback
    candidate = base
    while User.objects.filter(username=candidate).exists():
        candidate = f"{base}-{get_random_string(4, 'abcdefghjkmnpqrstuvwxyz23456789')}"
    return candidate


def invite_user(*, user: User) -> None:
    """Queue the invitation e-mail with which a new user sets their own password.

    The broker is asked first: when it is down this raises QueueUnavailable inside the
    caller's transaction, so a user created for the invitation is not saved either, and the
    page says so in Dutch."""
    invite_users(users=[user])


def invite_users(*, users: list[User]) -> int:
    """Queue an invitation for each of `users` after the commit: all of them, or (the broker
    being down) none, with QueueUnavailable."""
    require_broker()
    for user in users:
        # The task records invited_at. Should the broker fail in the moment between the
        # check and the commit, the user exists uninvited and the page says the queue is
        # down; the admin's action invites them again.
        enqueue("accounts.tasks.send_invitation", user.pk)
    return len(users)


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
    theme = theme_of(user.organisation, with_logo=True)
    send_portal_mail(subject=subject, body=body, recipients=[user.email], theme=theme)
    User.objects.filter(pk=user.pk).update(invited_at=timezone.now())
    return user.email
