"""The deployment files against their schemas and against the code, in both directions: docker-compose.yml against
the Compose Specification's JSON Schema, the Kubernetes manifests against the Kubernetes API schemas, and every
service, topic and setting the code names present in them (and nothing in them the code does not read)."""

import base64
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import kubernetes_validate
import pytest
import yaml
from check_jsonschema import builtin_schemas

from contracts.access import Role
from contracts.topics import (
    BROKER_LIFE,
    PUBLISHED_TOPICS,
    configs_of,
    dead_letter_topic,
    partitions_of,
    relay_marker_topic,
)
from saphan_runtime import deployment, dev_issuer
from saphan_runtime.auth import AuthSettings
from saphan_runtime.service import check_no_development_defaults
from saphan_runtime.variables import SERVICES, known_names, settings_class, variables
from services.audit import verify_trail
from tests.helpers import report

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
KUBERNETES_VERSION = "1.31.0"  # the oldest Kubernetes release still supported when these manifests were written
INFRASTRUCTURE = {"kafka", "kafka-init", "postgres", "prometheus", "otel-collector", "jaeger"}
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z0-9_]+)(?:(?P<op>:?[?-])(?P<arg>[^}]*))?\}")


# --- reading the files -----------------------------------------------------------------------------------------------
def _env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {name.strip(): value for name, value in pairs}


def _env_example() -> dict[str, str]:
    """Return the variables .env.example names, commented optional ones included (with an empty value)."""
    found: dict[str, str] = {}
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match[1]] = match[2] if not line.startswith("#") else ""
    return found


def _interpolate(value: Any, env: dict[str, str]) -> Any:
    """Resolve compose's ${VAR}, ${VAR:-default} and ${VAR:?message} the way `docker compose config` would."""
    if isinstance(value, dict):
        return {key: _interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def resolve(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op in (":?", "?"):
            raise AssertionError(f"compose requires {name}: {arg}")
        return arg or ""

    return INTERPOLATION.sub(resolve, value.replace("$$", "\x00")).replace("\x00", "$")


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def _compose_environment(service: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return a compose service's environment as set explicitly, and as the container sees it (env_file first)."""
    spec = _compose()["services"][service]
    explicit = {name: str(value) for name, value in _interpolate(spec.get("environment", {}), _env_example()).items()}
    files = spec.get("env_file", [])
    seen: dict[str, str] = {}
    for file in [files] if isinstance(files, str) else files:
        seen |= _env_file(ROOT / (file if isinstance(file, str) else file["path"]))
    return explicit, seen | explicit


def _manifests() -> list[dict[str, Any]]:
    documents = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        documents += [document for document in yaml.safe_load_all(path.read_text(encoding="utf-8")) if document]
    return documents


def _kustomization() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text(encoding="utf-8"))
    return loaded


def _containers(document: dict[str, Any]) -> list[dict[str, Any]]:
    pod = document.get("spec", {}).get("template", {}).get("spec", {})
    containers: list[dict[str, Any]] = pod.get("containers", [])
    return containers


def _deployment(service: str) -> dict[str, Any]:
    [found] = [d for d in _manifests() if d["kind"] == "Deployment" and d["metadata"]["name"] == f"saphan-{service}"]
    return found


def _kubernetes_environment(service: str) -> dict[str, str]:
    """Return what a service's pod sees: its ConfigMaps (generated from env files), then its explicit env."""
    generated = {item["name"]: DEPLOY / item["envs"][0] for item in _kustomization()["configMapGenerator"]
                 if "envs" in item}
    [container] = _containers(_deployment(service))
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env |= _env_file(generated[source["configMapRef"]["name"]])
    for item in container.get("env", []):
        env[item["name"]] = item.get("value", "<from the Secret>")
    return env


# --- the files are generated from the code and current ---------------------------------------------------------------
def test_the_generated_deployment_files_match_the_code() -> None:
    assert deployment.stale_files() == [], "run `saphan deployment` and commit the result"


# --- compose ---------------------------------------------------------------------------------------------------------
def test_the_compose_file_is_valid_against_the_compose_specification() -> None:
    schema = json.loads((Path(builtin_schemas.__file__).parent / "vendor" / "compose-spec.json").read_text())
    jsonschema.validate(_interpolate(_compose(), _env_example()), schema)
    with pytest.raises(jsonschema.ValidationError):  # the schema is a real one: a misspelt key fails it
        jsonschema.validate({"services": {"intake": {"imag": "saphan"}}}, schema)


def test_compose_runs_every_service_and_only_known_infrastructure() -> None:
    services = set(_compose()["services"])
    assert set(SERVICES) <= services
    assert services - set(SERVICES) == INFRASTRUCTURE
    for service in SERVICES:
        spec = _compose()["services"][service]
        assert spec["command"] == ["python", "-m", f"services.{service}"]
        assert spec["healthcheck"]["test"][-1].endswith(f":{deployment.PORTS[service]}/readyz', timeout=4)")


def test_compose_sets_every_variable_a_service_needs_and_none_it_does_not_read() -> None:
    for service in SERVICES:
        explicit, seen = _compose_environment(service)
        assert set(seen) <= known_names(service), f"{service} is given variables it never reads"
        required = {name for name, variable in variables(service).items() if variable.required}
        assert required <= set(explicit), f"{service} lacks {sorted(required - set(explicit))}"
        assert explicit["SAPHAN_ENV"] == "production"


def test_compose_secrets_are_required_with_no_default() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for service in SERVICES:
        environment = _compose()["services"][service]["environment"]
        for name, variable in variables(service).items():
            if variable.secret and variable.required:
                assert re.search(r"\$\{[A-Z_]+:\?", str(environment[name])), f"{name} needs ${{...:?...}}"
    assert not re.search(r"\$\{[A-Z_]*(PASSWORD|KEY)[A-Z_]*:-[^}]", text), "a secret has a default"


def test_every_variable_compose_reads_is_listed_in_env_example_and_the_other_way_round() -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    interpolated = {match["name"] for match in INTERPOLATION.finditer(text.replace("$$", ""))}
    assert interpolated == set(_env_example())


def test_the_settings_compose_gives_a_service_are_valid_for_production(monkeypatch: pytest.MonkeyPatch) -> None:
    for service in SERVICES:
        _, seen = _compose_environment(service)
        with monkeypatch.context() as patched:
            for name, value in seen.items():
                patched.setenv(name, value)
            settings = settings_class(service)()
            assert settings.environment == "production"
            check_no_development_defaults(settings)


# --- topics ----------------------------------------------------------------------------------------------------------
def test_the_topic_list_holds_every_topic_of_the_code_with_its_partitions_and_configs() -> None:
    listed = {}
    for line in (DEPLOY / "kafka" / "topics.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, partitions, configs = line.split()
            listed[name] = (int(partitions), configs)
    expected = {topic: (partitions_of(topic), ",".join(f"{k}={v}" for k, v in configs_of(topic).items()))
                for topic in PUBLISHED_TOPICS}
    expected |= {dead_letter_topic(consumer): (1, "") for consumer in deployment.CONSUMERS}
    expected[BROKER_LIFE] = (1, "retention.ms=-1")
    # A relay's marker says the broker holds what the relay published: only the relay may create it, never set-up.
    assert not {relay_marker_topic(producer) for producer in deployment.CONSUMERS} & set(listed)
    assert {name: (p, "" if c == "-" else c) for name, (p, c) in listed.items()} == expected
    assert all(configs_of(topic) == {"retention.ms": "-1"} for topic in PUBLISHED_TOPICS)


def test_compose_and_kubernetes_create_the_topics_from_that_list() -> None:
    init = _compose()["services"]["kafka-init"]
    assert "./deploy/kafka/topics.txt:/etc/saphan/topics.txt:ro" in init["volumes"]
    [job] = [d for d in _manifests() if d["kind"] == "Job" and d["metadata"]["name"] == "saphan-kafka-topics"]
    [topics] = [g for g in _kustomization()["configMapGenerator"] if g["name"] == "saphan-kafka-topics"]
    assert set(topics["files"]) == {"kafka/topics.txt", "kafka/create-topics.sh"}
    assert _containers(job)[0]["command"] == init["command"]


# --- Kubernetes ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("document", _manifests(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_each_kubernetes_manifest_is_valid_against_the_kubernetes_schemas(document: dict[str, Any]) -> None:
    kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_the_kubernetes_validator_refuses_a_broken_manifest() -> None:
    broken = json.loads(json.dumps(_deployment("intake")))
    broken["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_kustomization_names_files_that_exist_and_every_configmap_a_manifest_uses() -> None:
    kustomization = _kustomization()
    for resource in kustomization["resources"]:
        assert (DEPLOY / resource).is_file(), resource
    assert {f"k8s/{p.name}" for p in (DEPLOY / "k8s").glob("*.yaml")} == set(kustomization["resources"])
    generated = {item["name"] for item in kustomization["configMapGenerator"]}
    for item in kustomization["configMapGenerator"]:
        for file in [*item.get("envs", []), *item.get("files", [])]:
            assert (DEPLOY / file).is_file(), file
    used = set()
    for document in _manifests():
        pod = document.get("spec", {}).get("template", {}).get("spec", {})
        used |= {v["configMap"]["name"] for v in pod.get("volumes", []) if "configMap" in v}
        used |= {s["configMapRef"]["name"] for c in _containers(document) for s in c.get("envFrom", [])}
    assert used == generated


def test_every_secret_the_manifests_read_is_listed_in_the_example_and_the_other_way_round() -> None:
    keys = set()
    for document in _manifests():
        for container in _containers(document):
            keys |= {item["valueFrom"]["secretKeyRef"]["key"] for item in container.get("env", [])
                     if "secretKeyRef" in item.get("valueFrom", {})}
    assert keys == set(_env_file(DEPLOY / "k8s" / "secrets.example.env"))


def test_kubernetes_runs_every_service_scaled_out_and_unprivileged() -> None:
    deployments = {d["metadata"]["name"] for d in _manifests() if d["kind"] == "Deployment"}
    assert {f"saphan-{service}" for service in SERVICES} <= deployments
    for service in SERVICES:
        spec = _deployment(service)["spec"]
        [container] = _containers(_deployment(service))
        assert container["command"] == ["python", "-m", f"services.{service}"]
        assert container["ports"] == [{"name": "http", "containerPort": deployment.PORTS[service]}]
        assert spec["replicas"] >= 2 and spec["template"]["spec"]["securityContext"]["runAsNonRoot"]
        autoscalers = [d for d in _manifests() if d["kind"] == "HorizontalPodAutoscaler"
                       and d["spec"]["scaleTargetRef"]["name"] == f"saphan-{service}"]
        assert autoscalers and autoscalers[0]["spec"]["maxReplicas"] <= min(map(partitions_of, PUBLISHED_TOPICS[:-1]))


def test_kubernetes_gives_every_service_what_it_needs_and_nothing_it_does_not_read() -> None:
    site = set(_env_file(DEPLOY / "k8s" / "site.env"))
    read_somewhere = set().union(*(known_names(service) for service in SERVICES))
    assert site <= read_somewhere, f"site.env sets variables nothing reads: {sorted(site - read_somewhere)}"
    for service in SERVICES:
        env = _kubernetes_environment(service)
        own = {name for name in env if name not in site}
        assert own <= known_names(service), f"{service} is given variables it never reads"
        required = {name for name, variable in variables(service).items() if variable.required}
        assert required <= set(env), f"{service} lacks {sorted(required - set(env))}"
        assert env["SAPHAN_ENV"] == "production"


def test_every_setting_of_the_code_appears_in_the_deployment_files() -> None:
    for service in SERVICES:
        text = (DEPLOY / "config" / f"{service}.env").read_text(encoding="utf-8")
        missing = [name for name in variables(service) if not re.search(rf"\b{name}\b", text)]
        assert not missing, f"{service}: {missing}"


# --- the image -------------------------------------------------------------------------------------------------------
def test_the_image_runs_as_an_unprivileged_user_and_exposes_every_port() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^USER 10001:10001$", dockerfile, re.MULTILINE)
    [exposed] = re.findall(r"^EXPOSE (.+)$", dockerfile, re.MULTILINE)
    assert {int(port) for port in exposed.split()} == set(deployment.PORTS.values())


# --- the real stack, where a Docker engine runs ----------------------------------------------------------------------
def _docker_engine() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


@pytest.mark.system
@pytest.mark.skipif(not _docker_engine(), reason="no Docker engine on this machine: the compose stack is not started "
                                                 "(the files are still checked against their schemas above)")
def test_the_compose_stack_takes_a_report_through_to_the_audit_ledger(tmp_path: Path) -> None:
    issuer = AuthSettings(issuer="saphan-e2e", audience="saphan")
    (tmp_path / "jwks").mkdir()
    (tmp_path / "jwks" / "jwks.json").write_text(json.dumps(dev_issuer.jwks(tmp_path)), encoding="utf-8")
    values = {name: value for name, value in _env_example().items() if value}
    values |= {name: f"e2e{len(name)}x{abs(hash(name)) % 10**8}" for name in values if name.endswith("PASSWORD")}
    values |= {name: base64.b64encode(os.urandom(32)).decode() for name in values if name.endswith("_KEY")}
    values |= {"AUTH_JWKS_URL": "http://jwks:8080/jwks.json", "AUTH_ISSUER": issuer.issuer,
               "AUTH_AUDIENCE": issuer.audience, "SAPHAN_E2E_JWKS_DIR": str(tmp_path / "jwks")}
    (tmp_path / "stack.env").write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    compose = ["docker", "compose", "--project-name", "saphan-e2e", "--env-file", str(tmp_path / "stack.env"),
               "-f", "docker-compose.yml", "-f", "tests/compose.e2e.yml"]

    def token(unit: str, role: Role) -> dict[str, str]:
        signed = dev_issuer.mint(tmp_path, user="e2e", unit=unit, roles=[role], settings=issuer)
        return {"Authorization": f"Bearer {signed}"}

    try:
        subprocess.run([*compose, "up", "--build", "--detach", "--wait", "--wait-timeout", "600"], cwd=ROOT,
                       check=True, timeout=1200)
        with httpx.Client(timeout=10) as client:
            for port in deployment.PORTS.values():
                assert client.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
                assert "saphan_" in client.get(f"http://127.0.0.1:{port}/metrics").text
            created = client.post("http://127.0.0.1:8001/cases", json=report(0),
                                  headers=token("hotline-1300", Role.HOTLINE_OPERATOR))
            assert created.status_code == 201, created.text
            case_id = created.json()["case_id"]
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                timeline = client.get(f"http://127.0.0.1:8004/cases/{case_id}/timeline",
                                      headers=token("oversight-1", Role.AUDITOR))
                types = [event["type"] for event in timeline.json().get("events", [])]
                if "saphan.referral.referral-requested.v1" in types:
                    break
                time.sleep(1)
            assert "saphan.referral.referral-requested.v1" in types, types
            auditor = token("oversight-1", Role.AUDITOR)
            client.post("http://127.0.0.1:8004/checkpoints", headers=auditor)
            trail = client.get(f"http://127.0.0.1:8004/cases/{case_id}/trail", headers=auditor).json()
            key = client.get("http://127.0.0.1:8004/ledger/public-key", headers=auditor).json()["public_key"]
            assert verify_trail.problems(trail, key) == []
    finally:
        subprocess.run([*compose, "down", "--volumes"], cwd=ROOT, timeout=300)
