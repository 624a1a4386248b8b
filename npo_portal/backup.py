"""Backup and restore: the PostgreSQL database, the stored files and a manifest of checksums.

A backup folder holds `database.dump` (pg_dump's custom format), `files/` (every file of the
default storage, filesystem or S3, under its stored name) and `manifest.json` (size and
SHA-256 of each). `restore` checks every checksum first, then loads the dump into an empty
database and the files into an empty storage, and clears the cache: the figures cache is keyed
by change counts (insight.figures), which a restored database can give out again.

Kept apart from the backup, never in it: DJANGO_SECRET_KEY and FIELD_ENCRYPTION_KEYS (the
secrets stored in the database cannot be read without the keys they were encrypted with).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import caches
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import connection

from npo_portal.storage import COPY_CHUNK, walk

FORMAT = 1
DUMP = "database.dump"
FILES = "files"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """Why a backup or restore cannot go ahead; nothing has been changed."""


@dataclass
class Summary:
    files: int
    bytes: int
    database_bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _postgres() -> tuple[dict, dict[str, str]]:
    """The default database's settings and the environment for pg_dump / pg_restore."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "Backup and restore work on PostgreSQL only (DATABASE_URL); the embedded SQLite "
            "database is a single file to copy while the portal is stopped."
        )
    env = {**os.environ, "PGDATABASE": database["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if database.get(key):
            env[variable] = str(database[key])
    return database, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed programs, arguments from settings
    if done.returncode:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def backup(*, output: Path, storage: Storage | None = None, log: Callable[[str], None] = print):
    """Write the database, the stored files and the manifest to the empty folder `output`."""
    storage = storage or default_storage
    _database, env = _postgres()
    if output.exists() and any(output.iterdir()):
        raise BackupError(f"{output} is not empty; give a new folder.")
    (output / FILES).mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)

    # The dump is one consistent snapshot. The files are copied after it, so every file it
    # refers to is there, unless it was deleted in between (a finished import's upload).
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "-f", str(output / DUMP)],
        env,
    )
    log(f"database: {(output / DUMP).stat().st_size:,} bytes")

    files = []
    for name in walk(storage):
        target = output / FILES / PurePosixPath(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with storage.open(name, "rb") as source, target.open("wb") as out:
            while chunk := source.read(COPY_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        files.append({"name": name, "size": target.stat().st_size, "sha256": digest.hexdigest()})
    log(f"files: {len(files):,}, {sum(item['size'] for item in files):,} bytes")

    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "database": {
            "file": DUMP,
            "size": (output / DUMP).stat().st_size,
            "sha256": _sha256(output / DUMP),
        },
        "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
        "files": files,
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return Summary(
        files=len(files),
        bytes=sum(item["size"] for item in files),
        database_bytes=manifest["database"]["size"],
    )


def verify(folder: Path) -> dict:
    """The backup's manifest, after checking the size and SHA-256 of everything it lists."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{folder} holds no {MANIFEST}; is it a backup folder?") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    listed = [(DUMP, manifest["database"])] + [
        (f"{FILES}/{item['name']}", item) for item in manifest["files"]
    ]
    for relative, item in listed:
        path = folder / PurePosixPath(relative)
        if ".." in PurePosixPath(relative).parts or not path.is_file():
            raise BackupError(f"{relative} is missing from the backup.")
        if path.stat().st_size != item["size"] or _sha256(path) != item["sha256"]:
            raise BackupError(f"{relative} does not match its checksum in the manifest.")
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        return cursor.fetchone()[0] == 0


def restore(*, folder: Path, storage: Storage | None = None, log: Callable[[str], None] = print):
    """Load a verified backup into the empty database and the empty storage, then clear
    every cache. Refuses, changing nothing, when either already holds data."""
    storage = storage or default_storage
    _database, env = _postgres()
    manifest = verify(folder)
    log(f"backup verified: {len(manifest['files']):,} files and the database")
    if not _database_is_empty():
        raise BackupError(
            "The database is not empty; restore into a new database (createdb) so that "
            "nothing is mixed."
        )
    if next(walk(storage), None) is not None:
        raise BackupError("The file storage is not empty; restore into a new bucket or folder.")
    connection.close()  # pg_restore takes the database in one transaction of its own
    _run(
        [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            "-d",
            env["PGDATABASE"],
            str(folder / DUMP),
        ],
        env,
    )
    log("database restored")
    for item in manifest["files"]:
        with (folder / FILES / PurePosixPath(item["name"])).open("rb") as source:
            saved = storage.save(item["name"], File(source, name=item["name"]))
        if saved != item["name"]:
            raise BackupError(f"{item['name']} was stored as {saved}.")
    log(f"files restored: {len(manifest['files']):,}")
    for cache in caches.all(initialized_only=False):
        cache.clear()
    log("cache cleared")
    return manifest
