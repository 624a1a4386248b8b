import io
import zipfile

import pytest
from django.urls import reverse

from archive.models import ArchivePackage, PackageStatus
from archive.services import request_package
from archive.tests.conftest import build_dossier
from tests.test_faults import wait_for
from tests.world import build_world

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_package_is_built_by_the_real_worker_into_the_storage_and_downloaded(
    client, celery_worker_process, reference_data
):
    world = build_world()
    dossier = build_dossier(world.middelburg)
    package = request_package(municipality=dossier.municipality, user=world.functional_admin)
    package = wait_for(
        lambda: ArchivePackage.objects.filter(
            pk=package.pk, status__in=[PackageStatus.DONE, PackageStatus.FAILED]
        ).first(),
        timeout=180,
        what="the package to end",
    )
    assert package.status == PackageStatus.DONE, package.failure_reason
    assert package.task_id
    client.force_login(world.middelburg.finance_officer)
    response = client.get(
        reverse("archive:package-download", kwargs={"code": "GM0687", "pk": package.pk})
    )
    bag = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = bag.read("NPO-GM0687/manifest-sha256.txt")
    assert b"data/bestedingen/expenditures.csv" in manifest
    package.file.delete(save=False)
