"""Stored files (reports, uploads) whichever storage holds them: the filesystem or S3.

Code reads and writes files only through Django's storage API (`default_storage`, a
FileField's `storage`), so that the same code runs on one machine with MEDIA_ROOT and on
several with a bucket (settings.STORAGES).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django import forms
from django.core.files.storage import Storage
from django.utils.translation import gettext as _

from npo_portal.tables import MAX_IMPORT_BYTES

COPY_CHUNK = 1024 * 1024


@contextmanager
def local_path(storage: Storage, name: str) -> Iterator[Path]:
    """A path on this machine to the stored file `name`, for readers that open it several
    times (the import's passes over a table). On the filesystem that is the file itself; from
    an object store it is a temporary copy, downloaded in chunks and deleted afterwards."""
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:
        pass  # not on this machine's filesystem
    with tempfile.TemporaryDirectory(prefix="npo-stored-") as folder:
        copy = Path(folder) / "file"
        with storage.open(name, "rb") as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target, COPY_CHUNK)
        yield copy


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under `folder`, sorted, folders first descended."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder.rstrip('/')}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for sub in sorted(folders):
        yield from walk(storage, prefix + sub)


def checked_upload(upload):
    """The upload, unless it is larger than IMPORT_MAX_UPLOAD_MB: judged by the size the
    request declared, before anything reads it."""
    if upload.size > MAX_IMPORT_BYTES:
        raise forms.ValidationError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    return upload


def upload_source(upload) -> bytes | Path:
    """An uploaded file as the table readers take it (npo_portal.tables.Source): the path of
    the temporary file Django streamed a large upload to, or the bytes of a small one it
    kept in memory (up to FILE_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB). A large file is never read
    whole into memory."""
    try:
        return Path(upload.temporary_file_path())
    except AttributeError:
        upload.seek(0)
        return upload.read()
