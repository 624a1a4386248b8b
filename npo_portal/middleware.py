from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from npo_portal.logs import accepted_request_id, new_request_id, request_id
from npo_portal.queueing import QUEUE_DOWN_MESSAGE, QueueUnavailable


class RequestIdMiddleware:
    """Give each request an id: the proxy's X-Request-ID when PORTAL_TRUST_REQUEST_ID says it
    sets one, else a new one. It is on every log line of the request and of the tasks it
    enqueues, and answered in the X-Request-ID header (gunicorn's access log reads it there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = (
            accepted_request_id(request.headers.get("X-Request-ID"))
            if settings.PORTAL_TRUST_REQUEST_ID
            else None
        )
        request.request_id = incoming or new_request_id()
        token = request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Dutch unless the user chose another language in the portal.

    Django's own middleware follows the browser's Accept-Language, which would show most
    browsers' default English to Dutch civil servants.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulBytesMiddleware:
    """A NUL byte in the address or its query is no text anyone typed, and PostgreSQL cannot
    store or compare it: answer 400 instead of letting a query fail with a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            raise BadRequest("NUL byte in the request address")
        return self.get_response(request)


class QueueUnavailableMiddleware:
    """When the broker refuses a task, say so in Dutch on the page the user came from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, QueueUnavailable):
            return None
        if request.method == "POST":
            # Back to the page the form was on (the POST address may answer only POST).
            messages.error(request, QUEUE_DOWN_MESSAGE)
            back = request.META.get("HTTP_REFERER", "")
            safe = url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(back if safe else request.get_full_path())
        response = render(request, "queue_down.html", {"message": QUEUE_DOWN_MESSAGE}, status=503)
        return response
