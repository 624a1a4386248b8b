"""deploy/kubernetes against Kubernetes' own schemas (kubernetes-validate), and the shape
the portal needs there: 2 web and 2 worker replicas at least, exactly one beat that is never
doubled during a rollout, a migrate Job, probes on URLs that exist, no root, a read-only
root filesystem with /tmp writable, memory requests and limits on every container."""

import shutil
import subprocess
from pathlib import Path

import kubernetes_validate
import pytest
import yaml
from django.urls import Resolver404, resolve

BASE_DIR = Path(__file__).resolve().parent.parent
KUBERNETES = BASE_DIR / "deploy" / "kubernetes"
BASE = KUBERNETES / "base"
OVERLAY = KUBERNETES / "overlays" / "haven"
# Haven follows the supported Kubernetes releases; the oldest one still supported upstream
# and the newest the validator knows.
VERSIONS = ["1.31.0", "1.37.0"]


def documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def manifests(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.yaml") if p.name != "kustomization.yaml")


def base_resources() -> dict[tuple[str, str], dict]:
    return {
        (doc["kind"], doc["metadata"]["name"]): doc
        for path in manifests(BASE)
        for doc in documents(path)
    }


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def validate(doc: dict) -> None:
    for version in VERSIONS:
        kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize(
    "path", [*manifests(BASE), *manifests(OVERLAY)], ids=lambda p: str(p.relative_to(KUBERNETES))
)
def test_each_manifest_passes_the_kubernetes_schemas(path):
    for doc in documents(path):
        validate(doc)


def test_the_kustomizations_list_every_manifest():
    base = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    assert sorted(base["resources"]) == sorted(p.name for p in manifests(BASE))
    overlay = yaml.safe_load((OVERLAY / "kustomization.yaml").read_text())
    assert overlay["resources"] == ["../../base"]
    assert sorted(patch["path"] for patch in overlay["patches"]) == sorted(
        p.name for p in manifests(OVERLAY)
    )
    (secret,) = overlay["secretGenerator"]
    assert secret["name"] == "npo-portal-secrets"
    assert secret["envs"] == ["secrets.env"]
    assert (OVERLAY / "secrets.env.example").exists()


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_the_rendered_overlay_passes_the_kubernetes_schemas(tmp_path):
    """What `kubectl apply -k` sends, rendered by kubectl's kustomize (a copy of the overlay
    with secrets.env made from its example)."""
    shutil.copytree(KUBERNETES, tmp_path / "kubernetes")
    overlay = tmp_path / "kubernetes" / "overlays" / "haven"
    shutil.copy(overlay / "secrets.env.example", overlay / "secrets.env")
    result = subprocess.run(
        [shutil.which("kubectl"), "kustomize", str(overlay)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0 and "unknown command" in result.stderr:
        pytest.skip(f"this kubectl has no kustomize: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    rendered = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    for doc in rendered:
        validate(doc)
    kinds = sorted(f"{doc['kind']}/{doc['metadata']['name']}" for doc in rendered)
    assert "Job/npo-portal-migrate" in kinds
    assert all(doc["metadata"]["namespace"] == "npo-portal" for doc in rendered)
    (secret,) = [doc for doc in rendered if doc["kind"] == "Secret"]
    deployments = [doc for doc in rendered if doc["kind"] == "Deployment"]
    for deployment in deployments:
        (container,) = pod_spec(deployment)["containers"]
        assert container["image"] == "registry.gemeente.example/npo-portal:1.0.0"
        # The generated Secret's hashed name reaches every workload.
        assert {"secretRef": {"name": secret["metadata"]["name"]}} in container["envFrom"]


def test_two_web_and_two_worker_replicas_and_exactly_one_beat():
    resources = base_resources()
    assert resources[("Deployment", "npo-portal-web")]["spec"]["replicas"] == 2
    assert resources[("Deployment", "npo-portal-worker")]["spec"]["replicas"] == 2
    assert resources[("Deployment", "npo-portal-import-worker")]["spec"]["replicas"] == 1
    beat = resources[("Deployment", "npo-portal-beat")]
    assert beat["spec"]["replicas"] == 1
    # A rolling update would run the old and the new beat side by side for a while.
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    autoscaled = {
        doc["spec"]["scaleTargetRef"]["name"]: doc["spec"]["minReplicas"]
        for (kind, _name), doc in resources.items()
        if kind == "HorizontalPodAutoscaler"
    }
    assert autoscaled == {"npo-portal-web": 2, "npo-portal-worker": 2}
    assert ("Job", "npo-portal-migrate") in resources


def test_every_container_runs_as_non_root_on_a_read_only_root_filesystem():
    for (kind, name), doc in base_resources().items():
        if kind not in {"Deployment", "Job"}:
            continue
        spec = pod_spec(doc)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        tmp_volumes = {v["name"] for v in spec["volumes"] if "emptyDir" in v}
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            assert mounts.get("/tmp") in tmp_volumes  # noqa: S108 - the pod's own emptyDir, f"{name} has no writable /tmp"
            resources = container["resources"]
            assert resources["requests"]["memory"] and resources["limits"]["memory"], name


def test_the_probes_ask_urls_that_exist():
    web = base_resources()[("Deployment", "npo-portal-web")]
    (container,) = pod_spec(web)["containers"]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        path = container[probe]["httpGet"]["path"]
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"{probe} asks {path}, which the portal does not serve")
        # The probes come from the kubelet with the pod's address as Host; the portal only
        # answers hosts in DJANGO_ALLOWED_HOSTS, which lists localhost.
        assert {"name": "Host", "value": "localhost"} in container[probe]["httpGet"]["httpHeaders"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live/"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/"
    config = base_resources()[("ConfigMap", "npo-portal-config")]["data"]
    assert "localhost" in config["DJANGO_ALLOWED_HOSTS"].split(",")
