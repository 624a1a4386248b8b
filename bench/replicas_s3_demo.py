# ruff: noqa: S101, S105, S106, S108, S113, S603, SIM115 - a demo driver: fixed commands, published demo secrets, processes that live for the whole run
"""Two gunicorn web instances (2 processes each, gunicorn.conf.py), one prefork Celery worker
and files in moto's S3 server on 127.0.0.1: the demo's finance officer builds a report through
web A, web B shows its status and serves the download, then both are scraped at /metrics.

    createdb -h 127.0.0.1 -U postgres npo_replicas_demo
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/npo_replicas_demo
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py seed_demo
    .venv/bin/python bench/replicas_s3_demo.py /tmp/replicas-demo

Logs of every process and both scrapes are left in the folder given.
"""

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import boto3
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/replicas-demo")
OUT.mkdir(parents=True, exist_ok=True)
PASSWORD = "npo-demo-2021"  # accounts.demo.DEMO_PASSWORD


def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


s3port = port()
env = {
    **os.environ,
    "DATABASE_URL": os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/npo_replicas_demo"
    ),
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    "CELERY_QUEUE": "npo-replicas-demo",
    "CACHE_URL": "redis://127.0.0.1:6379/13",
    "METRICS_TOKEN": "demo-metrics-token",
    "TWO_FACTOR_REQUIRED_ROLES": "none",
    "PORTAL_TRUST_REQUEST_ID": "true",
    "MEDIA_ROOT": str(OUT / "media"),
    "S3_BUCKET": "npo-demo",
    "S3_ENDPOINT_URL": f"http://127.0.0.1:{s3port}",
    "S3_REGION": "us-east-1",
    "S3_ACCESS_KEY_ID": "demo",
    "S3_SECRET_ACCESS_KEY": "demo",
    "S3_ADDRESSING_STYLE": "path",
}
procs = []


def start(name, cmd, extra=None):
    log = open(OUT / f"{name}.log", "w")
    p = subprocess.Popen(
        cmd, cwd=ROOT, env={**env, **(extra or {})}, stdout=log, stderr=subprocess.STDOUT
    )
    procs.append(p)
    return p


# The task counters of this demo's queue start at zero.
redis.Redis.from_url(env["REDIS_URL"]).delete("npo:metrics:tasks:npo-replicas-demo")
try:
    start("s3", [PY, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3port)])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", s3port), 1).close()
            break
        except OSError:
            time.sleep(0.2)
    s3 = boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
    )
    s3.create_bucket(Bucket="npo-demo")
    a, b = port(), port()
    for name, p in (("web-a", a), ("web-b", b)):
        start(
            name,
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "npo_portal.wsgi:application",
                f"--bind=127.0.0.1:{p}",
                "--workers=2",
            ],
            {"PROMETHEUS_MULTIPROC_DIR": str(OUT / f"metrics-{name}")},
        )
    start(
        "worker",
        [
            PY,
            "-m",
            "celery",
            "--quiet",
            "-A",
            "npo_portal",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--queues=npo-replicas-demo,npo-replicas-demo-reports,npo-replicas-demo-imports",
            "--hostname=replicas-demo@%h",
        ],
    )
    for p in (a, b):
        for _ in range(200):
            try:
                if requests.get(f"http://127.0.0.1:{p}/health/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.3)
    web_a, web_b = f"http://127.0.0.1:{a}", f"http://127.0.0.1:{b}"
    session = requests.Session()
    session.get(f"{web_a}/inloggen/")
    r = session.post(
        f"{web_a}/inloggen/",
        data={
            "username": "financien",
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{web_a}/inloggen/"},
    )
    assert "sessionid" in session.cookies, r.status_code
    code = subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from identity.demo import demo_code; print(demo_code())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    r = session.post(
        f"{web_a}/inloggen/code/",
        data={"code": code, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{web_a}/inloggen/code/"},
        allow_redirects=False,
    )
    print("second factor:", r.status_code, r.headers.get("Location"))
    page = session.get(f"{web_a}/verantwoording/GM0687/")
    years = re.findall(r"value=\"(20\d\d)\"", page.text) or ["2023"]
    print("report page:", page.status_code, years)
    rid = f"demo-{uuid.uuid4().hex[:12]}"
    r = session.post(
        f"{web_a}/verantwoording/GM0687/",
        data={"year": years[0], "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"{web_a}/verantwoording/GM0687/", "X-Request-ID": rid},
        allow_redirects=False,
    )
    print(
        "start report on web A:",
        r.status_code,
        r.headers.get("Location"),
        "X-Request-ID:",
        r.headers.get("X-Request-ID"),
    )
    out = subprocess.run(
        [
            PY,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from reporting.models import AccountabilityReport as R; r=R.objects.order_by('-pk').first(); print(r.pk)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    pk = int(out)
    for _ in range(300):
        resp = session.get(f"{web_b}/verantwoording/GM0687/{pk}/status/")
        print(resp.status_code, resp.url, resp.text[:200]) if resp.status_code != 200 else None
        st = resp.json()
        if st.get("done") or st.get("failure_reason"):
            break
        time.sleep(1)
    print("status from web B:", st)
    pdf = session.get(f"{web_b}/verantwoording/GM0687/{pk}/pdf/")
    print(
        "download from web B:",
        pdf.status_code,
        len(pdf.content),
        "bytes, sha256",
        hashlib.sha256(pdf.content).hexdigest(),
    )
    print("bucket:", [o["Key"] for o in s3.list_objects_v2(Bucket="npo-demo").get("Contents", [])])
    print(
        "files under MEDIA_ROOT:",
        [str(p) for p in (OUT / "media").rglob("*") if p.is_file()]
        if (OUT / "media").exists()
        else [],
    )
    print("/metrics without token:", requests.get(f"{web_a}/metrics").status_code)
    for name, base in (("A", web_a), ("B", web_b)):
        m = requests.get(f"{base}/metrics", headers={"Authorization": "Bearer demo-metrics-token"})
        (OUT / f"metrics-{name}.txt").write_text(m.text)
        print(
            f"/metrics web {name}:",
            m.status_code,
            m.headers["Content-Type"],
            "->",
            OUT / f"metrics-{name}.txt",
        )
    print("worker lines with the request id:")
    for line in (OUT / "worker.log").read_text().splitlines():
        if rid in line:
            print(" ", line[:300])
finally:
    for p in reversed(procs):
        p.terminate()
    for p in procs:
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
