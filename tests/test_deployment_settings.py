"""Every variable the settings read reaches the containers: .env.example documents it, the
compose file passes it to every app container, the Kubernetes manifests give it to every
workload, and the README's configuration table lists it with its default. A setting added to npo_portal/settings.py without them fails here, so the ways of
running the portal cannot drift apart again (issue 28: 31 variables never reached compose).
"""

import ast
import re
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS = BASE_DIR / "npo_portal" / "settings.py"
ENV_EXAMPLE = BASE_DIR / ".env.example"
COMPOSE = BASE_DIR / "docker-compose.yml"
KUBERNETES = BASE_DIR / "deploy" / "kubernetes"
SECRETS_EXAMPLE = KUBERNETES / "overlays" / "haven" / "secrets.env.example"
README = BASE_DIR / "README.md"

READERS = {"env_str", "env_int", "env_bool", "env_list"}
APP_SERVICES = {"migrate", "web", "worker", "import-worker", "beat"}
APP_WORKLOADS = {"migrate", "web", "worker", "import-worker", "beat"}


def settings_variables(source: str) -> set[str]:
    """Names read by env_str/env_int/env_bool/env_list, os.environ.get, os.getenv and
    os.environ[...] with a literal name."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            function = ast.unparse(node.func)
            if function in READERS or function in {"os.environ.get", "os.getenv"}:
                names.add(first.value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, str)
        ):
            names.add(node.slice.value)
    return names


def env_file_variables(path: Path) -> set[str]:
    """Names set (`NAME=`) or documented with their default (`# NAME=`)."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")
    return {m.group(1) for line in path.read_text().splitlines() if (m := pattern.match(line))}


def compose_passes(service: dict) -> set[str]:
    """What compose gives the service's container: its environment, and every variable of
    the env file when it reads one (.env, documented by .env.example)."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    passed = set(environment)
    if service.get("env_file"):
        passed |= env_file_variables(ENV_EXAMPLE)
    return passed


def kubernetes_documents() -> list[dict]:
    documents = []
    for path in sorted((KUBERNETES / "base").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def kubernetes_passes(workload: dict, documents: list[dict]) -> set[str]:
    """What a Deployment's or Job's app container gets: env, and the keys of the ConfigMaps
    (in the base) and Secrets (generated from secrets.env, see secrets.env.example) it names
    in envFrom."""
    config_maps = {
        doc["metadata"]["name"]: set(doc.get("data", {}))
        for doc in documents
        if doc["kind"] == "ConfigMap"
    }
    secret_keys = env_file_variables(SECRETS_EXAMPLE)
    containers = workload["spec"]["template"]["spec"]["containers"]
    (container,) = [c for c in containers if c["name"] == "portal"]
    passed = {item["name"] for item in container.get("env", [])}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            passed |= config_maps[source["configMapRef"]["name"]]
        if "secretRef" in source:
            assert source["secretRef"]["name"] == "npo-portal-secrets"
            passed |= secret_keys
    return passed


@pytest.fixture(scope="module")
def variables() -> set[str]:
    return settings_variables(SETTINGS.read_text())


def test_the_parser_finds_what_the_settings_read(variables):
    # A parser that finds nothing would make every other test here pass.
    assert {"DJANGO_SECRET_KEY", "PORTAL_TRUSTED_PROXIES", "LOG_LEVEL", "REDIS_URL"} <= variables
    assert len(variables) >= 50
    assert settings_variables('import os\nA = os.environ["X_Y"]\nB = env_int("Z", 1)') == {
        "X_Y",
        "Z",
    }


def test_env_example_documents_every_setting(variables):
    missing = sorted(variables - env_file_variables(ENV_EXAMPLE))
    assert not missing, f".env.example lacks {missing}"


def test_env_example_documents_every_compose_variable():
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE.read_text()))
    # Chosen in the shell, before the env file is read.
    used.discard("NPO_ENV_FILE")
    missing = sorted(used - env_file_variables(ENV_EXAMPLE))
    assert not missing, f".env.example lacks {missing}, which docker-compose.yml uses"


def test_compose_passes_every_setting_to_every_app_container(variables):
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert set(services) >= APP_SERVICES
    missing = {
        name: sorted(variables - compose_passes(services[name]))
        for name in sorted(APP_SERVICES)
        if variables - compose_passes(services[name])
    }
    assert not missing, f"docker-compose.yml does not pass {missing}"


def test_kubernetes_passes_every_setting_to_every_workload(variables):
    documents = kubernetes_documents()
    workloads = {
        doc["metadata"]["name"].removeprefix("npo-portal-"): doc
        for doc in documents
        if doc["kind"] in {"Deployment", "Job"}
    }
    assert set(workloads) >= APP_WORKLOADS
    missing = {
        name: sorted(variables - kubernetes_passes(workloads[name], documents))
        for name in sorted(APP_WORKLOADS)
        if variables - kubernetes_passes(workloads[name], documents)
    }
    assert not missing, f"deploy/kubernetes does not pass {missing}"


def test_compose_has_no_default_password():
    """PostgreSQL and Redis refuse to start without a password from the env file; there is
    no weak default to forget to change."""
    text = COMPOSE.read_text()
    services = yaml.safe_load(text)["services"]
    assert not re.search(r"PASSWORD:-", text)
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith(
        "${POSTGRES_PASSWORD:?"
    )
    assert "--requirepass" in services["redis"]["command"]
    assert re.search(
        r"redis://:\$\{REDIS_PASSWORD[:}]", services["web"]["environment"]["REDIS_URL"]
    )
    for name in ("postgres", "redis"):
        assert services[name]["volumes"], f"{name} keeps its data in a volume"


def literal(node: ast.expr):
    """A default written as a literal or as arithmetic on literals (8 * 60 * 60)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add):
        left, right = literal(node.left), literal(node.right)
        return left * right if isinstance(node.op, ast.Mult) else left + right
    return ast.literal_eval(node)


def settings_defaults(source: str) -> dict[str, str]:
    """Each env_* call's default as an env file would write it."""
    defaults = {}
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) in READERS
            and len(node.args) == 2
            and isinstance(node.args[0], ast.Constant)
        ):
            value = literal(node.args[1])
            if isinstance(value, bool):
                value = str(value).lower()
            elif isinstance(value, list):
                value = ",".join(value)
            defaults[node.args[0].value] = str(value)
    return defaults


def test_env_example_states_the_defaults_the_settings_use():
    """A commented `# NAME=value` line claims to be the default: it must be."""
    defaults = settings_defaults(SETTINGS.read_text())
    pattern = re.compile(r"^# ([A-Z][A-Z0-9_]*)=(.*)$")
    documented = {
        m.group(1): m.group(2)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if (m := pattern.match(line))
    }
    wrong = {
        name: (documented[name], defaults[name])
        for name in documented.keys() & defaults.keys()
        if documented[name] != defaults[name]
    }
    assert not wrong, f".env.example's defaults (documented, actual): {wrong}"
    assert len(documented.keys() & defaults.keys()) >= 30


def test_no_variable_is_set_twice():
    """Two engineers adding the same setting: an env file and a YAML mapping keep the last
    value without a word, so a duplicate is refused here."""
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")
    names = [
        m.group(1) for line in ENV_EXAMPLE.read_text().splitlines() if (m := pattern.match(line))
    ]
    assert sorted({n for n in names if names.count(n) > 1}) == []
    for path in [*sorted((KUBERNETES / "base").glob("*.yaml")), SECRETS_EXAMPLE]:
        keys = re.findall(r"^  ([A-Z][A-Z0-9_]*):", path.read_text(), re.M)
        keys += re.findall(r"^([A-Z][A-Z0-9_]*)=", path.read_text(), re.M)
        assert sorted({k for k in keys if keys.count(k) > 1}) == [], path.name


def readme_settings_table(text: str) -> dict[str, str]:
    """The README's configuration table: each variable named (in backticks) in a row's first
    cell, with the row's default cell."""
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 3 or set(cells[0]) <= {"-"}:
            continue
        for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0]):
            table[name] = cells[1]
    return table


def settings_with_fallback(source: str) -> set[str]:
    """Variables whose default is worked out when they are empty (`env_str("X") or …`):
    the table describes those defaults in words."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            for value in node.values[:-1]:
                if (
                    isinstance(value, ast.Call)
                    and ast.unparse(value.func) in READERS
                    and isinstance(value.args[0], ast.Constant)
                ):
                    names.add(value.args[0].value)
    return names


@pytest.fixture(scope="module")
def readme_table() -> dict[str, str]:
    return readme_settings_table(README.read_text())


def test_the_readme_table_is_found(readme_table):
    assert {"DJANGO_DEBUG", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"} <= readme_table.keys()
    assert readme_table["DJANGO_DEBUG"] == "`true`"


def test_readme_lists_every_setting_and_no_other(variables, readme_table):
    missing = sorted(variables - readme_table.keys())
    assert not missing, f"README's configuration table lacks {missing}"
    unread = sorted(readme_table.keys() - variables)
    assert not unread, f"README's configuration table lists {unread}, which settings.py never reads"


def test_readme_states_the_defaults_the_settings_use(readme_table):
    """A default written in code is the first value in backticks in its row's default cell;
    a variable with no default and no fallback says `empty`."""
    source = SETTINGS.read_text()
    defaults = settings_defaults(source)
    worked_out = settings_with_fallback(source)
    wrong = {}
    for name, documented in readme_table.items():
        if name in worked_out:
            continue
        if defaults.get(name, ""):
            first = re.search(r"`([^`]*)`", documented)
            if not first or first.group(1) != defaults[name]:
                wrong[name] = (documented, defaults[name])
        elif not documented.startswith("empty"):
            wrong[name] = (documented, "empty")
    assert not wrong, f"README's defaults (documented, actual): {wrong}"
