"""The registry upload page: the size is judged before anything reads the file, and a
large file is read from the temporary file Django streamed it to, never whole in memory."""

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse
from openpyxl import Workbook

from schools import services
from schools.forms import SchoolImportForm
from schools.models import School

HEADER = "brin;vestiging;naam;sector;bevoegd_gezag;bestuur_naam;gemeentecode"
ROW = "40AB;00;Nieuwe school;po;44001;Stichting Nieuw;GM0687"


class Unreadable(io.RawIOBase):
    def read(self, *args):
        raise AssertionError("the file was read")

    readinto = readline = read


def test_a_registry_file_over_the_limit_is_refused_before_it_is_read(monkeypatch):
    monkeypatch.setattr("npo_portal.storage.MAX_IMPORT_BYTES", 1024 * 1024)
    upload = UploadedFile(Unreadable(), name="scholen.csv", size=1024 * 1024 + 1)
    form = SchoolImportForm(data={}, files={"file": upload})
    assert not form.is_valid()
    assert form.errors["file"] == ["Het bestand is groter dan 1 MB."]


def test_a_large_registry_upload_is_read_from_its_temporary_file(
    client, world, settings, monkeypatch
):
    # Django keeps uploads up to this size in memory and streams larger ones to disk.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    given = []
    real_import = services.import_schools

    def import_schools(*, content, **kwargs):
        given.append(content)
        return real_import(content=content, **kwargs)

    monkeypatch.setattr(services, "import_schools", import_schools)
    client.force_login(world.functional_admin)
    upload = SimpleUploadedFile("scholen.csv", f"{HEADER}\n{ROW}\n".encode())
    response = client.post(reverse("schools:school-import"), {"file": upload}, follow=True)
    assert "Scholen: 1 nieuw" in response.content.decode()
    [content] = given
    assert isinstance(content, Path)  # the file on disk, not its bytes
    assert School.objects.get(brin="40AB").municipality == world.middelburg.municipality


def test_the_registry_as_a_spreadsheet_is_imported_through_the_page(client, world):
    workbook = Workbook()
    for line in (HEADER, ROW):
        workbook.active.append(line.split(";"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(world.functional_admin)
    upload = SimpleUploadedFile("scholen.xlsx", buffer.getvalue())
    response = client.post(reverse("schools:school-import"), {"file": upload}, follow=True)
    assert "Scholen: 1 nieuw" in response.content.decode()
    assert School.objects.filter(brin="40AB").exists()
