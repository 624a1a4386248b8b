"""Loading the signed-in user on every request, with the organisation the pages ask for.

Nearly every page asks for the user's municipality or school board (the menu, the house
style, the permission functions); Django's `ModelBackend` loads the user alone, so that
cost one more query per request (issue 32). `UserBackend` is `ModelBackend` that loads
both with the user, in the same query.

A session remembers the dotted path of the backend that signed it in, and Django signs a
session out whose path is no longer in `AUTHENTICATION_BACKENDS`. Sessions signed in before
`UserBackend` replaced `ModelBackend` hold Django's path: `REPLACED_BACKENDS` names the path
that replaces it, and `accounts.middleware.AuthenticationMiddleware` writes that into such a
session at its next request, so no one is signed out by the change.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

USER_BACKEND = "accounts.backends.UserBackend"
# Paths sessions may still hold, and the path that now loads their users.
REPLACED_BACKENDS = {"django.contrib.auth.backends.ModelBackend": USER_BACKEND}
# What the user's pages read of their organisation, loaded with the user.
ORGANISATION = ("municipality", "school_board")


def users_with_organisation():
    """Users with their municipality and school board (either may be none), one query."""
    return get_user_model()._default_manager.select_related(*ORGANISATION)


class UserBackend(ModelBackend):
    """Django's ModelBackend (password sign-in, permissions, inactive users signed out),
    loading the user's municipality and school board with the user."""

    def get_user(self, user_id):
        try:
            user = users_with_organisation().get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        try:
            user = await users_with_organisation().aget(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
