"""The container set-up, checked without a Docker engine.

Debian's `docker-compose config` validates and resolves docker-compose.yml on its own, so the
deployment file is tested here even though no engine runs. `make test` installs docker-compose;
if it is missing the tests fail rather than skip, so a broken compose file cannot pass unseen.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
TEST_SECRET = "test-secret-key-for-compose-config"


VAPID = {"LIFT_VAPID_PRIVATE_KEY": "test-private", "LIFT_VAPID_PUBLIC_KEY": "test-public",
         "LIFT_VAPID_SUBJECT": "mailto:ops@example.org"}


def compose_config(**extra_env: str) -> subprocess.CompletedProcess[str]:
    docker_compose = shutil.which("docker-compose")
    assert docker_compose, "docker-compose is not installed; `make test` installs Debian's package"
    # Only the variables the test chooses reach interpolation, whatever the caller's shell holds.
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIFT_")}
    env.update(extra_env)
    return subprocess.run(
        [docker_compose, "--file", str(COMPOSE_FILE), "--project-directory", str(REPO), "config"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose_config(LIFT_SECRET_KEY=TEST_SECRET, **VAPID)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def app_service(config) -> dict:
    assert "lift-data" in config.get("volumes", {}), "the named volume lift-data is not declared"
    return config["services"]["app"]


def volume_mounts(service: dict) -> list[tuple[str, str, str]]:
    """(type, source, target) for every mount, in either the short or the long syntax."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
            kind = "bind" if source.startswith(("/", ".", "~")) else "volume"
            mounts.append((kind, source, target))
        else:
            mounts.append((volume.get("type", "volume"), volume.get("source"), volume.get("target")))
    return mounts


def published_ports(service: dict) -> list[tuple[str, str, str]]:
    """(host_ip, published, target) for every port, in either the short or the long syntax."""
    ports = []
    for port in service.get("ports", []):
        if isinstance(port, str):
            parts = port.split("/")[0].split(":")
            host_ip = parts[0] if len(parts) == 3 else ""
            ports.append((host_ip, parts[-2] if len(parts) > 1 else "", parts[-1]))
        else:
            ports.append((port.get("host_ip", ""), str(port.get("published", "")), str(port.get("target"))))
    return ports


def test_it_builds_the_app_service_from_the_repository(app_service):
    build = app_service["build"]
    context = build["context"] if isinstance(build, dict) else build
    assert Path(context).resolve() == REPO


def test_it_keeps_the_database_on_the_named_volume_at_data(app_service):
    assert ("volume", "lift-data", "/data") in volume_mounts(app_service)
    assert app_service["environment"]["LIFT_DATA_DIR"] == "/data"


def test_it_checks_health_on_healthz(app_service):
    check = app_service["healthcheck"]["test"]
    command = " ".join(check) if isinstance(check, list) else check
    assert "/healthz" in command
    assert "urllib" in command


def test_it_publishes_the_port_on_loopback_only(app_service):
    assert published_ports(app_service) == [("127.0.0.1", "8000", "8000")]
    assert app_service["environment"]["LIFT_HOST"] == "0.0.0.0"


def test_it_passes_the_secret_key_from_the_environment(app_service):
    assert app_service["environment"]["LIFT_SECRET_KEY"] == TEST_SECRET


def test_it_runs_in_production_mode_with_push_keys(app_service):
    assert app_service["environment"]["LIFT_ENV"] == "production"
    assert app_service["environment"]["LIFT_VAPID_SUBJECT"] == VAPID["LIFT_VAPID_SUBJECT"]


def test_it_refuses_to_start_without_push_keys():
    result = compose_config(LIFT_SECRET_KEY=TEST_SECRET)
    assert result.returncode != 0 and "LIFT_VAPID" in result.stderr


def test_it_refuses_to_start_without_a_secret_key():
    result = compose_config(**VAPID)
    assert result.returncode != 0
    assert "set LIFT_SECRET_KEY" in result.stderr


def test_it_trusts_forwarded_addresses_from_its_own_network_only(config, app_service):
    """The proxy reaches the app from the `lift` network; X-Forwarded-For from anywhere else
    (or "*", which would let a client choose its own address) would defeat the IP throttle."""
    import ipaddress

    trusted = ipaddress.ip_network(app_service["environment"]["FORWARDED_ALLOW_IPS"])
    assert app_service["networks"] == ["lift"] or "lift" in app_service["networks"]
    [pool] = config["networks"]["lift"]["ipam"]["config"]
    assert ipaddress.ip_network(pool["subnet"]) == trusted
    assert trusted.is_private


def test_it_restarts_unless_stopped(app_service):
    assert app_service["restart"] == "unless-stopped"


def test_the_dockerfile_installs_from_the_same_locks_as_make():
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"^COPY requirements\.lock ", dockerfile, re.MULTILINE)
    assert re.search(r"^RUN pip install .*-r requirements\.lock", dockerfile, re.MULTILINE)
    assert "COPY frontend/package.json frontend/package-lock.json" in dockerfile
    assert "npm ci" in dockerfile
    assert "/healthz" in dockerfile
    assert re.search(r"^USER (?!root\b)\S+", dockerfile, re.MULTILINE), "the app must not run as root"


def test_the_image_makes_the_data_directory_owner_only():
    # A new named volume copies the image's /data, mode included; Lift's own 0700 applies only
    # to a directory it creates. (ops/docker_smoke.py checks the running container: `make docker-smoke`.)
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"chown lift:lift /data\s*\\?\s*&& chmod 700 /data", dockerfile), "/data must be 0700"


def test_it_passes_the_sign_up_limit_on_and_keeps_twenty_an_hour_by_default(app_service):
    assert app_service["environment"]["LIFT_SIGNUP_IP_LIMIT"] == "20"
    result = compose_config(LIFT_SECRET_KEY=TEST_SECRET, LIFT_SIGNUP_IP_LIMIT="60", **VAPID)
    assert result.returncode == 0, result.stderr
    assert yaml.safe_load(result.stdout)["services"]["app"]["environment"]["LIFT_SIGNUP_IP_LIMIT"] == "60"


def test_it_passes_the_public_address_for_reset_links_and_leaves_it_empty_by_default(app_service):
    # Empty reads as unset: `python -m lift reset-link` then prints the link's path.
    assert app_service["environment"]["LIFT_PUBLIC_URL"] == ""
    result = compose_config(LIFT_SECRET_KEY=TEST_SECRET, LIFT_PUBLIC_URL="https://lift.clinic.example", **VAPID)
    assert result.returncode == 0, result.stderr
    environment = yaml.safe_load(result.stdout)["services"]["app"]["environment"]
    assert environment["LIFT_PUBLIC_URL"] == "https://lift.clinic.example"
