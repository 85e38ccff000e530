"""The deployments hold what issue #24 asks (no cluster, no engine here):
every manifest of both Kubernetes overlays, rendered by `kubectl kustomize`,
is valid for Kubernetes 1.32 under kubernetes-validate --strict, and has
what running on several machines needs; docker-compose.yml is valid for
`docker-compose config` and scales web and worker behind one proxy."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent
KUBE = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.32.0"
OVERLAYS = ["staging", "production"]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is missing (.ci/run installs it)")
        pytest.skip(f"needs {name}")
    return path


def render(overlay: str) -> list[dict]:
    done = subprocess.run(  # noqa: S603
        [_tool("kubectl"), "kustomize", str(KUBE / "overlays" / overlay)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def by_kind(docs: list[dict]) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request):
    return request.param, render(request.param)


class TestKubernetes:
    def test_every_manifest_is_valid_for_the_pinned_version_strictly(self, rendered):
        import kubernetes_validate

        _overlay, docs = rendered
        assert len(docs) >= 10
        for doc in docs:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)

    def test_the_validator_would_catch_a_mistake(self, rendered):
        import kubernetes_validate

        _overlay, docs = rendered
        web = by_kind(docs)[("Deployment", "steady-web")]
        web["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGett"] = {"path": "/"}
        with pytest.raises(kubernetes_validate.ValidationError):
            kubernetes_validate.validate(web, KUBERNETES_VERSION, strict=True)

    def test_the_parts_of_a_stack_on_several_machines(self, rendered):
        overlay, docs = rendered
        objects = by_kind(docs)
        namespace = {"staging": "steady-staging", "production": "steady"}[overlay]
        assert {d["metadata"].get("namespace") for d in docs} == {namespace}
        for key in [
            ("Deployment", "steady-web"),
            ("Deployment", "steady-worker"),
            ("Deployment", "steady-beat"),
            ("Job", "steady-migrate"),
            ("Service", "steady-web"),
            ("Ingress", "steady"),
            ("HorizontalPodAutoscaler", "steady-web"),
            ("PodDisruptionBudget", "steady-web"),
            ("ConfigMap", "steady-config"),
        ]:
            assert key in objects, key
        # Exactly one scheduler; the lock makes an overlap harmless, Recreate avoids it.
        beat = objects[("Deployment", "steady-beat")]
        assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
        hpa = objects[("HorizontalPodAutoscaler", "steady-web")]
        assert hpa["spec"]["scaleTargetRef"]["name"] == "steady-web"
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]

    def test_every_pod_has_config_secrets_resources_and_no_root(self, rendered):
        _overlay, docs = rendered
        for doc in docs:
            if doc["kind"] not in ("Deployment", "Job"):
                continue
            pod = doc["spec"]["template"]["spec"]
            assert pod["securityContext"]["runAsNonRoot"] is True
            for container in pod.get("initContainers", []) + pod["containers"]:
                refs = {next(iter(r)) for r in container["envFrom"]}
                assert refs == {"configMapRef", "secretRef"}, container["name"]
                assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
                # Data lives in PostgreSQL and Redis (external, by URL): no volume holds state.
                names = {v["name"] for v in pod.get("volumes", [])}
                assert names <= {"tmp", "prometheus"}, names

    def test_web_probes_graceful_stop_and_websockets(self, rendered):
        _overlay, docs = rendered
        objects = by_kind(docs)
        pod = objects[("Deployment", "steady-web")]["spec"]["template"]["spec"]
        web = pod["containers"][0]
        assert web["livenessProbe"]["httpGet"]["path"] == "/api/v1/health/live/"
        assert web["readinessProbe"]["httpGet"]["path"] == "/api/v1/health/ready/"
        assert "--ws=websockets-sansio" in web["command"]
        graceful = int(next(a for a in web["command"] if a.startswith("--timeout-graceful-shutdown=")).split("=")[1])
        assert graceful + 5 < pod["terminationGracePeriodSeconds"]  # preStop sleep, then the uvicorn grace
        assert pod["initContainers"][0]["command"][-1].count("migrate --check") == 1
        ingress = objects[("Ingress", "steady")]
        annotations = ingress["metadata"]["annotations"]
        assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
        assert ingress["spec"]["tls"]
        config = objects[("ConfigMap", "steady-config")]["data"]
        assert config["STEADY_KEYSTORE"] == "database" and config["LOG_FORMAT"] == "json"

    def test_no_secret_value_in_the_manifests(self, rendered):
        _overlay, docs = rendered
        text = yaml.safe_dump_all(docs)
        assert "kind: Secret\n" not in text
        for key in ("SECRET_KEY", "STEADY_KEK", "DATABASE_URL", "REDIS_URL", "STEADY_METRICS_TOKEN"):
            assert f"{key}:" not in text, key

    def test_the_production_overlay_scales_up(self):
        production = by_kind(render("production"))
        staging = by_kind(render("staging"))
        key = ("HorizontalPodAutoscaler", "steady-web")
        assert production[key]["spec"]["minReplicas"] > staging[key]["spec"]["minReplicas"]
        assert production[("PodDisruptionBudget", "steady-web")]["spec"]["minAvailable"] >= 2


def _cmd(command) -> str:
    # docker-compose 1.x keeps a string command a string; 2.x splits it.
    return command if isinstance(command, str) else " ".join(command)


@pytest.fixture(scope="module")
def config():
    done = subprocess.run(  # noqa: S603
        [_tool("docker-compose"), "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


class TestCompose:
    def test_only_the_proxy_publishes_a_port(self, config):
        services = config["services"]
        published = {name for name, s in services.items() if s.get("ports")}
        assert published == {"proxy"}
        # Nothing pins a container name, so --scale web=2 worker=2 works.
        assert not [name for name, s in services.items() if "container_name" in s]

    def test_migrations_run_once_before_the_app(self, config):
        services = config["services"]
        assert "migrate --noinput" in _cmd(services["migrate"]["command"])
        assert services["migrate"]["restart"] == "no"
        for name in ("web", "worker", "beat"):
            assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name
            assert "migrate" not in _cmd(services[name]["command"]), name

    def test_the_proxy_upgrades_websockets_and_spreads_over_every_web(self, config):
        proxy = config["services"]["proxy"]
        assert any("deploy/nginx/steady.conf" in str(v) for v in proxy["volumes"])
        conf = (ROOT / "deploy" / "nginx" / "steady.conf").read_text()
        assert re.search(r"proxy_set_header Upgrade \$http_upgrade;", conf)
        assert re.search(r"proxy_set_header Connection \$connection_upgrade;", conf)
        # Resolved again at run time: containers added by --scale get traffic.
        assert "resolver 127.0.0.11" in conf and "proxy_pass $web;" in conf
        assert "X-Request-ID $request_id" in conf
        web = config["services"]["web"]
        assert web["environment"]["TRUSTED_PROXY_COUNT"] == "1"
        assert "/api/v1/health/ready/" in " ".join(web["healthcheck"]["test"])

    def test_no_app_container_keeps_journal_keys_on_a_volume(self, config):
        for name in ("web", "worker", "beat"):
            assert not config["services"][name].get("volumes"), name
        assert config["services"]["web"]["environment"]["STEADY_KEYSTORE"] == "database"
