from django.conf import settings


def help_contact(request) -> dict:
    """The configured contact line (PORTAL_HELP_CONTACT) for the footer and the help texts."""
    return {"help_contact": settings.PORTAL_HELP_CONTACT}
