import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)


def csrf_failure(request, reason=""):
    """Django's CSRF refusal, explained in the user's language."""
    return render(request, "403_csrf.html", status=403)


def server_error(request):
    """The portal's 500 page; when even that cannot be drawn (it needs the templates and the
    static files manifest), a plain page that needs neither, instead of a bare "Internal
    Server Error"."""
    try:
        return defaults.server_error(request)
    except Exception:
        logger.exception("The error page could not be drawn; answering the plain one")
    heading = escape(_("Something went wrong on our side"))
    text = escape(
        _(
            "The error has been logged. Please try again in a moment; if it keeps happening, "
            "tell your functional administrator."
        )
    )
    return HttpResponseServerError(
        f'<!doctype html><html lang="{escape(get_language() or "nl")}"><head><meta charset="utf-8">'
        f"<title>{heading}</title></head><body><h1>{heading}</h1><p>{text}</p></body></html>"
    )
