"""The demo's second factor: the demo users whose role needs one get an authenticator with
a published key, so that a reader can sign in at once (README, "Demo"). Only in seed_demo,
which refuses to run with DEBUG off."""

from base64 import b32decode

from django.conf import settings
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.demo import DEMO_USERS
from accounts.models import User

# Published on purpose, like the demo password. Base32, as authenticator apps take it.
DEMO_TOTP_KEY = "NPODEMOPORTAALZEELANDMIDDELBURGW"
DEMO_DEVICE_NAME = "authenticator (demo)"
# The demo's key user: the policy officer of Middelburg manages its people.
DEMO_KEY_USER = "beleid"


def demo_code() -> str:
    """The six digits an authenticator app shows for the demo key now."""
    return f"{totp(b32decode(DEMO_TOTP_KEY)):06d}"


@transaction.atomic
def seed_demo() -> str:
    usernames = [row[0] for row in DEMO_USERS]
    users = User.objects.filter(username__in=usernames)
    with_factor = [u for u in users if u.role in settings.TWO_FACTOR_REQUIRED_ROLES]
    for user in with_factor:
        # Running the demo again restores the published key (also after a reader changed it).
        TOTPDevice.objects.filter(user=user).exclude(name=DEMO_DEVICE_NAME).delete()
        TOTPDevice.objects.update_or_create(
            user=user,
            name=DEMO_DEVICE_NAME,
            defaults={
                "key": b32decode(DEMO_TOTP_KEY).hex(),
                "confirmed": True,
                "last_t": -1,
                "drift": 0,
                "throttling_failure_count": 0,
                "throttling_failure_timestamp": None,
            },
        )
    users.filter(username=DEMO_KEY_USER).update(is_key_user=True)
    if not with_factor:
        return ""
    names = ", ".join(sorted(u.username for u in with_factor))
    return (
        f"Tweestapsverificatie voor {names}: sleutel {DEMO_TOTP_KEY} in een authenticator-app, "
        "of de code van nu met `python manage.py demo_code`."
    )
