from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API for the municipality's own systems")

    def ready(self):
        from simple_history.signals import pre_create_historical_record

        from api import checks  # noqa: F401 - registers the deployment check
        from api.audit import name_the_token

        pre_create_historical_record.connect(name_the_token, dispatch_uid="api-name-the-token")
