"""The production stack, started from docker-compose.yml with podman, and used as a user would.

Run by deploy/smoke/run once the images exist. It starts the stack under a project name of
its own (with the S3 server of compose.smoke.yml, so no file stays on a container's disk),
then checks:

1. /health/ answers 200 on every web replica and through the proxy;
2. a finance officer signs in (password, then the TOTP code of the demo's authenticator);
3. a report requested on web replica A is built by a worker container and downloaded from web
   replica B, naming both replicas and the worker (from the worker's log);
4. an uploaded expenditure file is read by the import worker (from its log);
5. the files are in the bucket and none is under MEDIA_ROOT in any container.

Every wait is bounded; on failure the containers' logs are printed. The stack is removed at
the end (volumes too) unless --keep is given. Only the standard library is used here.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import secrets
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
DEMO_TOTP_KEY = "NPODEMOPORTAALZEELANDMIDDELBURGW"  # identity/demo.py, published
DEMO_PASSWORD = "npo-demo-2021"  # accounts' seed_demo, published
MUNICIPALITY = "GM0687"  # Middelburg in the demo
HOST = "localhost"


def log(message: str) -> None:
    print(f"[smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(*args: str, timeout: float = 120, check: bool = True, env=None) -> str:
    result = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def totp(key: str, at: float | None = None) -> str:
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(key), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class Client:
    """A browser's part: cookies (also the Secure ones: the TLS proxy's X-Forwarded-Proto is
    sent, as the proxy in front would), CSRF token, Origin. Each request names the replica."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, address: str, method: str, path: str, body=None, headers=None):
        host, port = address.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Accept-Language": "nl",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.setdefault("Origin", f"https://{HOST}")
            headers.setdefault("Referer", f"https://{HOST}{path}")
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        connection.close()
        return response.status, response.headers, data

    def get(self, address: str, path: str):
        return self.request(address, "GET", path)

    def post_form(self, address: str, path: str, fields: dict[str, str]):
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        return self.request(
            address,
            "POST",
            path,
            body=urllib.parse.urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    def post_file(self, address: str, path: str, field: str, name: str, content: bytes):
        boundary = secrets.token_hex(12)
        token = self.cookies.get("csrftoken", "")
        body = (
            (
                f"--{boundary}\r\nContent-Disposition: form-data; "
                f'name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
                f"--{boundary}\r\nContent-Disposition: form-data; "
                f'name="{field}"; filename="{name}"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        return self.request(
            address,
            "POST",
            path,
            body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )


def wait_for(what: str, check, timeout: float, interval: float = 1.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except (OSError, http.client.HTTPException) as error:
            result, last = None, error
        if result:
            return result
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:g} s waiting for {what} (last error: {last})")


class Stack:
    def __init__(self, project: str, env_file: Path, compose: list[str]):
        self.project = project
        self.env_file = env_file
        self.env = {**os.environ, "NPO_ENV_FILE": str(env_file)}
        self.compose_cmd = [
            *compose,
            "--project-name",
            project,
            "--env-file",
            str(env_file),
            "-f",
            str(ROOT / "docker-compose.yml"),
            "-f",
            str(HERE / "compose.smoke.yml"),
        ]

    def settings(self) -> dict[str, str]:
        """The values of the stack's env file."""
        lines = self.env_file.read_text().splitlines()
        return dict(line.split("=", 1) for line in lines if "=" in line)

    def compose(self, *args: str, timeout: float = 300) -> str:
        return run(*self.compose_cmd, *args, timeout=timeout, env=self.env)

    def containers(self, service: str) -> list[str]:
        out = run(
            "podman",
            "ps",
            "-a",
            "--filter",
            f"label=io.podman.compose.project={self.project}",
            "--filter",
            f"label=io.podman.compose.service={service}",
            "--format",
            "{{.Names}}",
        )
        return sorted(out.split())

    def address(self, container: str, port: int) -> str:
        data = json.loads(run("podman", "inspect", container))[0]
        networks = data["NetworkSettings"]["Networks"]
        ip = next(n["IPAddress"] for n in networks.values() if n.get("IPAddress"))
        return f"{ip}:{port}"

    def hostname(self, container: str) -> str:
        return json.loads(run("podman", "inspect", container))[0]["Config"]["Hostname"]

    def logs(self, container: str) -> str:
        result = subprocess.run(
            ["podman", "logs", container], capture_output=True, text=True, timeout=60
        )
        return result.stdout + result.stderr

    def remove(self) -> None:
        """compose down with its volumes, then whatever it left (a killed run's containers)."""
        subprocess.run(
            [*self.compose_cmd, "down", "-v", "-t", "2"],
            capture_output=True,
            timeout=180,
            env=self.env,
            cwd=ROOT,
        )
        label = f"label=io.podman.compose.project={self.project}"
        left = run("podman", "ps", "-aq", "--filter", label, check=False).split()
        if left:
            run("podman", "rm", "-f", "-t", "1", "--depend", *left, check=False)
        volumes = run("podman", "volume", "ls", "-q", "--filter", label, check=False).split()
        if volumes:
            run("podman", "volume", "rm", "-f", *volumes, check=False)
        run("podman", "network", "rm", "-f", f"{self.project}_default", check=False)

    def exec(self, container: str, *args: str, timeout: float = 300) -> str:
        return run("podman", "exec", container, *args, timeout=timeout)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_env_file(folder: Path, images: dict[str, str]) -> Path:
    fernet_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    values = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": fernet_key,
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "PORTAL_BASE_URL": f"https://{HOST}",
        "PORTAL_TRUSTED_PROXIES": "1",
        "POSTGRES_PASSWORD": secrets.token_hex(24),
        "REDIS_PASSWORD": secrets.token_hex(24),
        "DATABASE_CONN_MAX_AGE": "60",
        # The bucket on the stack's own S3 server (compose.smoke.yml): nothing on local disk.
        "S3_BUCKET": "npo-smoke",
        "S3_ENDPOINT_URL": "http://s3:5000",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "smoke",
        "S3_SECRET_ACCESS_KEY": secrets.token_hex(16),
        "S3_ADDRESSING_STYLE": "path",
        "METRICS_TOKEN": secrets.token_urlsafe(24),
        # Small replicas: this host has 2 cores for everything.
        "GUNICORN_WORKERS": "2",
        "CELERY_CONCURRENCY": "1",
        "WEB_PORT": str(free_port()),
        **images,
    }
    path = folder / "smoke.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    path.chmod(0o600)
    return path


def create_bucket(stack: Stack) -> None:
    """The bucket the env file names, made from this host before the portal's containers
    start, as an operator would: their sweepers list it as they start."""
    import boto3

    settings = stack.settings()
    (s3,) = stack.containers("s3")
    address = stack.address(s3, 5000)
    host, port = address.split(":")
    wait_for(
        f"the S3 server on {address}",
        lambda: socket.create_connection((host, int(port)), timeout=2).close() or True,
        timeout=60,
    )
    boto3.client(
        "s3",
        endpoint_url=f"http://{address}",
        region_name=settings["S3_REGION"],
        aws_access_key_id=settings["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["S3_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=settings["S3_BUCKET"])
    log(f"bucket {settings['S3_BUCKET']} created on {s3}")


def smoke(stack: Stack, timings: dict[str, float]) -> None:
    started = time.monotonic()
    # In two steps, in the order compose's depends_on gives: podman 4.3 cannot start a
    # container whose --requires include the exited migrate container ("depends on container
    # ... not found in input list"), so the second step starts its services without
    # podman's own dependencies, after the migrate step has finished.
    log("podman-compose up -d postgres redis s3 migrate")
    stack.compose("up", "-d", "postgres", "redis", "s3", "migrate", timeout=600)
    timings["up"] = time.monotonic() - started

    (migrate,) = stack.containers("migrate")
    state = wait_for(
        "the migrate step to finish",
        lambda: (
            json.loads(run("podman", "inspect", migrate))[0]["State"]["Status"] == "exited"
            and json.loads(run("podman", "inspect", migrate))[0]["State"]
        ),
        timeout=300,
        interval=2,
    )
    assert state["ExitCode"] == 0, f"migrate exited {state['ExitCode']}:\n{stack.logs(migrate)}"
    log(f"migrate step {migrate} exited 0")
    timings["migrated"] = time.monotonic() - started
    create_bucket(stack)
    log("podman-compose up -d --no-deps web worker import-worker beat proxy")
    stack.compose(
        "up", "-d", "--no-deps", "web", "worker", "import-worker", "beat", "proxy", timeout=600
    )

    webs = stack.containers("web")
    workers = stack.containers("worker")
    assert len(webs) == 2, webs
    assert len(workers) == 2, workers
    assert len(stack.containers("beat")) == 1
    assert len(stack.containers("import-worker")) == 1
    use(stack, timings, started)


def use(stack: Stack, timings: dict[str, float], started: float) -> None:
    """The checks against the running stack (also usable on a stack left by --keep)."""
    webs = stack.containers("web")
    workers = stack.containers("worker")
    addresses = {web: stack.address(web, 8000) for web in webs}
    client = Client()

    # 1. Health on every replica, and through the proxy that spreads requests over them.
    for web, address in addresses.items():
        body = wait_for(
            f"/health/ on {web}",
            lambda address=address: (
                (r := client.get(address, "/health/"))[0] == 200 and json.loads(r[2])
            ),
            timeout=180,
        )
        summary = {k: body[k] for k in ("status", "database", "broker", "workers") if k in body}
        log(f"GET /health/ on {web} ({address}): 200 {json.dumps(summary)}")
    (proxy,) = stack.containers("proxy")
    proxy_address = stack.address(proxy, 8080)
    status, _h, body = wait_for(
        "/health/ through the proxy",
        lambda: (r := client.get(proxy_address, "/health/"))[0] == 200 and r,
        timeout=60,
    )
    log(f"GET /health/ through {proxy}: {status} {json.loads(body)['status']}")
    # The compose file's own health checks (podman runs them only through systemd timers,
    # absent here, so by hand). Like compose, a container is unhealthy only after 3 failed
    # checks in a row: on this shared 2-core host one check can miss its timeout.
    services = [*stack.containers("postgres"), *stack.containers("redis")]
    for container in [*services, *webs, *workers, *stack.containers("import-worker")]:
        for attempt in range(1, 4):
            result = subprocess.run(
                ["podman", "healthcheck", "run", container],
                capture_output=True,
                text=True,
                timeout=90,
            )
            outcome = result.stdout.strip() or ("healthy" if result.returncode == 0 else "?")
            log(f"podman healthcheck run {container} (try {attempt}): {outcome}")
            if result.returncode == 0:
                break
            time.sleep(5)
        else:
            state = json.loads(run("podman", "inspect", container))[0]["State"]
            raise AssertionError(f"{container} unhealthy: {state.get('Healthcheck')}")
    timings["healthy"] = time.monotonic() - started

    # The demo data (its published logins are fine in a throwaway stack).
    web_a, web_b = webs
    stack.exec(web_a, "python", "manage.py", "seed_demo", "--force", timeout=600)
    log("demo data loaded")
    timings["seeded"] = time.monotonic() - started

    # 2. Sign in on replica A: password, then the code; the session lives in the database
    # and is valid on every replica.
    address_a, address_b = addresses[web_a], addresses[web_b]
    client.get(address_a, "/inloggen/")
    status, headers, _ = client.post_form(
        address_a, "/inloggen/", {"username": "financien", "password": DEMO_PASSWORD}
    )
    assert status == 302, f"sign-in answered {status}"
    # The second step: every page asks for the code until it is given.
    status, headers, _ = client.get(address_a, f"/verantwoording/{MUNICIPALITY}/")
    assert status == 302 and "/inloggen/code/" in headers["Location"], (status, headers)
    status, headers, _ = client.post_form(
        address_a, "/inloggen/code/", {"code": totp(DEMO_TOTP_KEY), "next": "/"}
    )
    assert status == 302 and "/inloggen" not in headers["Location"], (status, headers)
    status, _h, page = client.get(address_b, f"/verantwoording/{MUNICIPALITY}/")
    assert status == 200, f"the reports page on {web_b} answered {status}"
    log(f"financien signed in on {web_a} (password and TOTP code); {web_b} knows the session")

    # 3. A report: requested on A, built by a worker, downloaded from B.
    years = re.findall(r'<option value="(\d{4})"', page.decode())
    year = "2023" if "2023" in years else years[0]
    status, _h, _ = client.post_form(
        address_a, f"/verantwoording/{MUNICIPALITY}/", {"year": year, "explanation": "smoke"}
    )
    assert status == 302, f"starting a report answered {status}"
    _s, _h, page = client.get(address_b, f"/verantwoording/{MUNICIPALITY}/")
    # The newest report: still building (its status URL) or, a quick worker, built already
    # (its PDF link).
    shown = re.findall(rf"/verantwoording/{MUNICIPALITY}/(\d+)/(?:status|pdf)/", page.decode())
    report_id = max((int(n) for n in shown), default=None)
    assert report_id, "the report list shows no report building or built"
    report = wait_for(
        f"report {report_id}",
        lambda: (
            (
                r := json.loads(
                    client.get(address_b, f"/verantwoording/{MUNICIPALITY}/{report_id}/status/")[2]
                )
            )["done"]
            and r
        ),
        timeout=240,
        interval=2,
    )
    assert report["status"] == "klaar", report
    status, headers, pdf = client.get(address_b, f"/verantwoording/{MUNICIPALITY}/{report_id}/pdf/")
    assert status == 200 and pdf.startswith(b"%PDF"), (status, pdf[:20])
    download_path = f"/verantwoording/{MUNICIPALITY}/{report_id}/pdf/"
    # gunicorn writes its access line after the answer has gone out, and the worker logs
    # "done" after the report's status changed: on a busy host the logs lag the answers.
    served_by = wait_for(
        "the download in a web replica's log",
        lambda: [web for web in webs if download_path in stack.logs(web)],
        timeout=30,
    )
    built_by = wait_for(
        f"report {report_id} in a worker's log",
        lambda: [w for w in workers if f"Accountability report {report_id} done" in stack.logs(w)],
        timeout=30,
    )
    assert served_by == [web_b], f"the download was logged by {served_by}"
    assert len(built_by) == 1, f"report {report_id} done in the logs of {built_by}"
    log(
        f"report {report_id} ({year}) requested on {web_a}, built on {built_by[0]} "
        f"(hostname {stack.hostname(built_by[0])}), downloaded from {served_by[0]} "
        f"(hostname {stack.hostname(served_by[0])}): {len(pdf)} bytes, "
        f"sha256 {hashlib.sha256(pdf).hexdigest()[:16]}…"
    )
    timings["report"] = time.monotonic() - started

    # The metrics after that report, from the replica that served it: a request histogram
    # and the workers' task counter (kept in Redis, so any replica shows every worker's).
    token = stack.settings()["METRICS_TOKEN"]

    def scrape() -> list[str]:
        status, _h, body = client.request(
            address_b, "GET", "/metrics", headers={"Authorization": f"Bearer {token}"}
        )
        assert status == 200, f"/metrics answered {status}"
        return body.decode().splitlines()

    def measured(lines: list[str]) -> tuple[list[str], list[str]]:
        histogram = [
            line
            for line in lines
            if line.startswith("npo_http_request_duration_seconds_count") and "report-pdf" in line
        ]
        tasks = [
            line
            for line in lines
            if line.startswith("npo_celery_tasks_total") and "build_report" in line
        ]
        return histogram, tasks

    # The worker counts a task once it has returned, a moment after the report is done.
    try:
        histogram, tasks = wait_for(
            "the report's request and task in /metrics",
            lambda: all(found := measured(scrape())) and found,
            timeout=30,
        )
    except RuntimeError as error:
        raise AssertionError(f"{error}:\n" + "\n".join(scrape()[:80])) from None
    log(f"GET /metrics on {web_b}: {histogram[0]}; {tasks[0]}")

    # 4. An import: uploaded on B, read by the import worker from the bucket.
    invoice = f"SMOKE-{secrets.token_hex(4)}"
    content = (
        "datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer\n"
        f"01-02-2023;123,45;1;;Rookproef;Leverancier;{invoice}\n"
    ).encode()
    client.get(address_b, f"/financien/{MUNICIPALITY}/uitgaven/importeren/")
    status, headers, _ = client.post_file(
        address_b, f"/financien/{MUNICIPALITY}/uitgaven/importeren/", "file", "rook.csv", content
    )
    assert status == 302, f"the upload answered {status}"
    detail = headers["Location"]
    import_id = int(re.search(r"/importeren/(\d+)/", detail).group(1))
    page = wait_for(
        f"import {import_id}",
        lambda: (
            b'http-equiv="refresh"' not in (p := client.get(address_a, detail)[2]) and p.decode()
        ),
        timeout=180,
        interval=2,
    )
    assert "alert-success" in page, re.sub(r"\s+", " ", page)[-2000:]
    (import_worker,) = stack.containers("import-worker")
    wait_for(
        f"import {import_id} in the import worker's log",
        lambda: f"Expenditure import {import_id} finished" in stack.logs(import_worker),
        timeout=30,
    )
    other_workers = [w for w in workers if f"Expenditure import {import_id}" in stack.logs(w)]
    assert not other_workers, f"the import ran on {other_workers}"
    log(f"import {import_id} uploaded on {web_b}, read by {import_worker}: {invoice} imported")
    _s, _h, listing = client.get(address_a, f"/financien/{MUNICIPALITY}/uitgaven/?q={invoice}")
    assert invoice in listing.decode(), "the imported expenditure is not listed"

    # 5. The files are in the bucket, and nothing under MEDIA_ROOT in any container.
    objects = stack.exec(
        web_a,
        "python",
        "-c",
        "import boto3, os; c = boto3.client('s3', endpoint_url=os.environ['S3_ENDPOINT_URL'], "
        "region_name=os.environ['S3_REGION'], aws_access_key_id=os.environ['S3_ACCESS_KEY_ID'], "
        "aws_secret_access_key=os.environ['S3_SECRET_ACCESS_KEY']); "
        "print('\\n'.join(o['Key'] for o in "
        "c.list_objects_v2(Bucket=os.environ['S3_BUCKET']).get('Contents', [])))",
    ).split()
    assert any(name.endswith(".pdf") for name in objects), objects
    log(f"bucket npo-smoke holds {len(objects)} objects, e.g. {', '.join(objects[:3])}")
    for container in [*webs, *workers, import_worker]:
        files = stack.exec(container, "find", "/data/media", "-type", "f").split()
        assert not files, f"{container} has files under MEDIA_ROOT: {files}"
    log("no file under /data/media (MEDIA_ROOT) in any web or worker container")

    # A backup from inside the image (its pg_dump against the stack's PostgreSQL, the files
    # from the bucket), to the container's /tmp.
    stack.exec(web_a, "python", "manage.py", "backup", "--output", "/tmp/smoke-backup")
    manifest = json.loads(stack.exec(web_a, "cat", "/tmp/smoke-backup/manifest.json"))
    listed = json.dumps(manifest)
    assert "database.dump" in listed and ".pdf" in listed, listed[:500]
    log(f"manage.py backup on {web_a}: database.dump and the bucket's files in manifest.json")
    timings["done"] = time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--project", default=f"npo-smoke-{os.getpid()}")
    parser.add_argument("--compose", default="podman-compose", help="the podman-compose command")
    parser.add_argument("--keep", action="store_true", help="leave the stack running")
    parser.add_argument("--image", action="append", default=[], metavar="NAME=IMAGE")
    args = parser.parse_args()

    images = dict(item.split("=", 1) for item in args.image)
    folder = Path(tempfile.mkdtemp(prefix="npo-smoke-"))
    stack = Stack(args.project, write_env_file(folder, images), args.compose.split())
    timings: dict[str, float] = {}
    ok = False
    failure = ""
    try:
        smoke(stack, timings)
        ok = True
    except Exception as error:
        failure = f"{type(error).__name__}: {error}"
        log(f"FAILED: {failure}")
        for container in run("podman", "ps", "-a", "--format", "{{.Names}}", check=False).split():
            if container.startswith(f"{args.project}_"):
                print(f"----- podman logs {container} (last 40 lines)", flush=True)
                print("\n".join(stack.logs(container).splitlines()[-40:]), flush=True)
    finally:
        print("----- podman ps", flush=True)
        print(
            run(
                "podman",
                "ps",
                "-a",
                "--filter",
                f"label=io.podman.compose.project={args.project}",
                "--format",
                "table {{.Names}}\t{{.Image}}\t{{.Status}}",
                check=False,
            ),
            flush=True,
        )
        log("timings (s since up): " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
        if not args.keep:
            stack.remove()
            stack.env_file.unlink(missing_ok=True)
            folder.rmdir()
    # Again at the end: CI shows the tail of the output, below the containers' logs.
    log("PASSED" if ok else f"FAILED: {failure[:2000]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
