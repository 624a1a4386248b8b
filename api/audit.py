"""The audit trail names the token: a change made through the API is recorded on behalf of
the finance officer who made the token, with the token as its reason ("via API-token …")."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext as _

from api.models import ApiToken

_current_token: ContextVar[ApiToken | None] = ContextVar("api_token", default=None)


def change_reason(token: ApiToken) -> str:
    return (
        _("via API token “%(name)s” (%(prefix)s…)") % {"name": token.name, "prefix": token.prefix}
    )[:100]


@contextmanager
def acting_with(token: ApiToken):
    """Changes saved inside are recorded as made with `token`."""
    reset = _current_token.set(token)
    try:
        yield
    finally:
        _current_token.reset(reset)


def name_the_token(sender, history_instance, **kwargs):
    """simple_history's pre_create_historical_record: a record saved during an API request
    gets the token's creator as its user and the token as its reason."""
    token = _current_token.get()
    if token is None:
        return
    history_instance.history_user_id = token.created_by_id
    history_instance.history_change_reason = change_reason(token)
