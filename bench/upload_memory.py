"""Benchmark: what one expenditure upload costs the web process and the import worker.

The upload goes through Django's real WSGI handler with the multipart body read from a file
(as gunicorn hands it over), not through the test client (which builds the whole body in
memory). Each phase runs in a fresh process, so its peak RSS is its own:

    DJANGO_DEBUG=false DJANGO_SECRET_KEY=bench-only \
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_finance \
        python bench/upload_memory.py --rows 1000000

1. `request`: POST the file to the import page, as GM9901's finance officer, after one
   small upload that warms the process up (imports every view's modules); the task is not
   sent, so the phase measures only what the web process holds.
2. `task`: run the import task for that upload in-process (as the import worker does).

Each phase prints its wall time, peak RSS (before → peak) and, in a second run under
tracemalloc, the peak of Python allocations. Results: bench/README.md.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")
# The bench signs in with a session made here, without the second factor.
os.environ.setdefault("TWO_FACTOR_REQUIRED_ROLES", "none")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402

from finance.models import ExpenditureImport  # noqa: E402
from finance.services import run_expenditure_import  # noqa: E402
from tests.jobs import holding_jobs  # noqa: E402

HEADER = "datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer"
BOUNDARY = "----npo-bench-boundary"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_file(path: Path, rows: int, valid: bool, pad: int = 0) -> None:
    with path.open("wb") as out:
        out.write(HEADER.encode() + b"\n")
        for number in range(rows):
            description = f"Uitgave {number} " + "x" * pad
            row = (
                f"01-03-2022;100,00;bovenschools;;{description};Leverancier;F-{number}"
                if valid
                else "morgen;abc;onbekend;;;;"
            )
            out.write(row.encode() + b"\n")


def multipart(path: Path, body: Path, csrf: str) -> None:
    with body.open("wb") as out, path.open("rb") as source:
        out.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            f'{csrf}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="uitgaven.csv"\r\nContent-Type: text/csv\r\n\r\n'.encode()
        )
        while chunk := source.read(1024 * 1024):
            out.write(chunk)
        out.write(f"\r\n--{BOUNDARY}--\r\n".encode())


def session_for(user) -> str:
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "accounts.backends.UserBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def request_phase(body: Path, session: str, csrf: str, code: str) -> dict:
    handler = WSGIHandler()
    with body.open("rb") as stream:
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/financien/{code}/uitgaven/importeren/",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "443",
            "HTTP_HOST": "localhost",
            "HTTPS": "on",
            "HTTP_REFERER": f"https://localhost/financien/{code}/uitgaven/importeren/",
            "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session}; "
            f"{settings.CSRF_COOKIE_NAME}={csrf}",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(body.stat().st_size),
            "wsgi.input": stream,
            "wsgi.url_scheme": "https",
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        statuses = []
        # The request alone: the job is held, not run (the task phase measures the import).
        with holding_jobs():
            response = handler(environ, lambda status, headers: statuses.append(status))
            b"".join(response)
    job = ExpenditureImport.objects.order_by("-pk").first()
    return {"status": statuses[0], "job": job.pk if job else None}


def run_phase(args) -> None:
    traced = args.tracemalloc
    if args.phase == "request":
        # Warm up with a small upload: the first request imports the URL configuration and
        # every view's modules (weasyprint, openpyxl), some 40 MB that are no upload's cost.
        request_phase(Path(args.warmup), args.session, args.csrf, args.code)
    else:
        # Each task imports into an empty municipality (a second run is no re-import).
        from import_expenditures import clear

        clear(ExpenditureImport.objects.get(pk=args.job).municipality)
    if traced:
        tracemalloc.start()
    before = peak_rss_mb()
    started = time.perf_counter()
    if args.phase == "request":
        result = request_phase(Path(args.body), args.session, args.csrf, args.code)
    else:
        job = run_expenditure_import(import_id=args.job)
        result = {"status": job.status, "messages": job.messages[-1:]}
    result["seconds"] = time.perf_counter() - started
    result["rss_before_mb"] = before
    result["rss_peak_mb"] = peak_rss_mb()
    if traced:
        result["python_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    print(json.dumps(result))


def child(*arguments: str) -> dict:
    output = subprocess.run(  # noqa: S603 - this very script
        [sys.executable, __file__, *arguments], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--valid", action="store_true", help="valid rows instead of invalid")
    parser.add_argument("--pad", type=int, default=0, help="characters added to descriptions")
    parser.add_argument("--phase", choices=["request", "task"])
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--body")
    parser.add_argument("--warmup")
    parser.add_argument("--session")
    parser.add_argument("--csrf")
    parser.add_argument("--code")
    parser.add_argument("--job", type=int)
    args = parser.parse_args()
    if args.phase:
        run_phase(args)
        return

    from import_expenditures import world  # the bench municipality GM9901 and its officer

    call_command("migrate", verbosity=0)
    municipality, user = world()
    with tempfile.TemporaryDirectory() as folder:
        path, body = Path(folder) / "uitgaven.csv", Path(folder) / "body"
        write_file(path, args.rows, args.valid, args.pad)
        csrf = uuid.uuid4().hex
        multipart(path, body, csrf)
        small, warmup = Path(folder) / "klein.csv", Path(folder) / "warmup"
        write_file(small, 10, args.valid)
        multipart(small, warmup, csrf)
        print(
            f"File: {args.rows:,} {'valid' if args.valid else 'invalid'} rows, "
            f"{path.stat().st_size / 1e6:.1f} MB"
        )
        session = session_for(user)
        for traced in (False, True):
            extra = ["--tracemalloc"] if traced else []
            upload = child(
                "--phase",
                "request",
                "--body",
                str(body),
                "--warmup",
                str(warmup),
                "--session",
                session,
                "--csrf",
                csrf,
                "--code",
                municipality.code,
                *extra,
            )
            task = child("--phase", "task", "--job", str(upload["job"]), *extra)
            for name, phase in (("request", upload), ("task", task)):
                line = (
                    f"{name:8}{' (tracemalloc)' if traced else ''}: {phase['seconds']:.1f} s, "
                    f"RSS {phase['rss_before_mb']:.0f} -> {phase['rss_peak_mb']:.0f} MB "
                    f"(+{phase['rss_peak_mb'] - phase['rss_before_mb']:.0f})"
                )
                if traced:
                    line += f", Python peak {phase['python_peak_mb']:.1f} MB"
                print(line, {k: phase[k] for k in ("status", "messages") if k in phase})


if __name__ == "__main__":
    main()
