from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SettlementConfig(AppConfig):
    name = "settlement"
    verbose_name = _("Settlement and closing")

    def ready(self) -> None:
        # Connects the per-request answers of `closed` to the request signals.
        from settlement import closed  # noqa: F401
