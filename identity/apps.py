from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = _("Sign-in and identity")

    def ready(self):
        from identity import signals  # noqa: F401 - connects the login and logout receivers
