"""Static files in production: hashed names from the manifest that `collectstatic` writes.

Without that manifest (collectstatic never ran, or STATIC_ROOT points elsewhere) every page
would fail on its first stylesheet with "Missing staticfiles manifest entry". This storage
says what is wrong and what to run instead (the portal then answers a plain error page,
npo_portal.views.server_error), and the system check below says it before the first
request with `manage.py check --deploy` (not with plain `check`: collectstatic runs those
checks itself, before there is a manifest).
"""

from pathlib import Path

from django.conf import settings
from django.core import checks
from whitenoise.storage import CompressedManifestStaticFilesStorage

MISSING = (
    "There is no static files manifest at {path}: run `python manage.py collectstatic "
    "--noinput` with the production settings (the image does this when it is built), or set "
    "STATIC_ROOT to where it ran."
)


class MissingStaticManifest(ValueError):
    """collectstatic has not run for this STATIC_ROOT."""


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def manifest_path(self) -> Path:
        return Path(self.location) / self.manifest_name

    def stored_name(self, name):
        if not self.hashed_files:
            raise MissingStaticManifest(MISSING.format(path=self.manifest_path()))
        return super().stored_name(name)


@checks.register(deploy=True)
def check_static_manifest(app_configs=None, **kwargs):
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if backend != f"{__name__}.PortalStaticFilesStorage":
        return []
    path = Path(settings.STATIC_ROOT) / PortalStaticFilesStorage.manifest_name
    if path.exists():
        return []
    return [checks.Error(MISSING.format(path=path), id="npo_portal.E001")]
