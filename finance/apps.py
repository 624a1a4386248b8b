from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self):
        from finance.services import fail_stuck_imports
        from npo_portal.jobs import register_sweep

        # An import's own timeout, after the sweeper's shared rules.
        register_sweep("expenditure-import", fail_stuck_imports)
