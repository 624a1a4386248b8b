from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DatasetConfig(AppConfig):
    """The synthetic national data set for benchmarks. It stands above the apps (it writes
    every app's data through their services), so that `npo_portal` imports none of them."""

    name = "dataset"
    verbose_name = _("National data set")
