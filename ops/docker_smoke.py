"""Deploy Lift with docker-compose exactly as docs/operations.md tells a newcomer, and prove it
works: `make docker-smoke`. Needs a running Docker engine and the base images, so it is not
part of `make test`.

It builds the image, makes the secrets (a throw-away container prints the VAPID keys), starts
the compose service, and checks: /readyz, the container's own health check, HTTPS headers and
Secure cookies, a non-root process owning a private data directory, a patient signing up and
checking in, a backup made inside the container, the check-in surviving SIGKILL (the container
restarts by itself), a restore that really goes back to the backup, and production mode
refusing insecure cookies. Everything it made is removed at the end, the named volume included.
It uses host port 8000, as docker-compose.yml does. With `--upgrade-from REVISION` it first
deploys that older release onto the same volume and checks the upgrade keeps its data.
"""

from __future__ import annotations

import argparse
import json
import re
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
PROJECT = "lift-smoke"
URL = "http://127.0.0.1:8000"
BACKUP = "/data/backups/lift-smoke.db"


def run(*args: str, env_file: Path | None = None, check: bool = True, cwd: Path = REPO) -> subprocess.CompletedProcess:
    compose = ["docker-compose", "-p", PROJECT, *(["--env-file", str(env_file)] if env_file else [])]
    command = [*compose, *args[1:]] if args[0] == "compose" else list(args)
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=check)


def step(message: str) -> None:
    print(f"- {message}", flush=True)


def write_env_file(folder: Path) -> Path:
    """The .env a newcomer fills in: a long random secret, and the VAPID keys printed by
    `python -m lift vapid` in a throw-away container."""
    printed = run("docker", "run", "--rm", "-e", "LIFT_DATA_DIR=/tmp/keys", "lift:latest", "sh", "-c",
                  "python -m lift vapid && echo LIFT_VAPID_PRIVATE_KEY=$(cat /tmp/keys/vapid_private_key)").stdout
    keys = dict(line.split("=", 1) for line in printed.splitlines() if line.startswith("LIFT_VAPID_"))
    assert set(keys) == {"LIFT_VAPID_PRIVATE_KEY", "LIFT_VAPID_PUBLIC_KEY"}, printed
    env_file = folder / "lift.env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in {
        "LIFT_SECRET_KEY": secrets.token_urlsafe(48), **keys,
        "LIFT_VAPID_SUBJECT": "mailto:ops@example.org"}.items()))
    return env_file


def wait_ready(timeout_s: float = 60, path: str = "/readyz") -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            response = httpx.get(f"{URL}{path}", timeout=2)
            if response.status_code == 200:
                return response.json()
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "Lift did not become ready"
        time.sleep(0.5)


def container_id(env_file: Path) -> str:
    return run("compose", "ps", "-q", "app", env_file=env_file).stdout.strip()


def health(container: str) -> str:
    return json.loads(run("docker", "inspect", container).stdout)[0]["State"]["Health"]["Status"]


def sign_up() -> tuple[str, str]:
    """(Cookie header, CSRF token). Cookies are carried by hand: they are Secure, and this
    speaks plain HTTP to the loopback port, where a TLS proxy would."""
    token = httpx.get(f"{URL}/signup", timeout=10).cookies["csrftoken"]
    answer = httpx.post(f"{URL}/signup", timeout=30, headers={"Cookie": f"csrftoken={token}"}, data={
        "email": "smoke@example.org", "password": "violet kettle harbour 41", "timezone": "UTC",
        "_csrf_token": token})
    assert answer.status_code == 303, answer.status_code
    return f"csrftoken={token}; lift_session={answer.cookies['lift_session']}", token


def check_in(cookies: str, token: str, days_ago: int, mood: int) -> None:
    day = datetime.now(UTC).date() - timedelta(days=days_ago)
    saved = httpx.post(f"{URL}/checkin", timeout=10, headers={"Cookie": cookies}, data={
        "local_date": day.isoformat(), "mood": str(mood), "anxiety": "3", "sleep_hours": "7.5", "thoughts": "0",
        "_csrf_token": token})
    assert saved.status_code == 200 and "Check-in saved" in saved.text, saved.status_code


def moods(cookies: str) -> list[str]:
    history = httpx.get(f"{URL}/checkins", timeout=10, headers={"Cookie": cookies})
    assert history.status_code == 200, history.status_code
    return re.findall(r"Mood (\d+)", history.text)


def deploy_old_release(revision: str, env_file: Path, folder: Path) -> tuple[str, str]:
    """`revision` deployed from its own files into the same compose project, so onto the same
    volume; a patient signs up and checks in there."""
    old = folder / "old"
    old.mkdir()
    files = subprocess.run(["git", "archive", revision], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=files, check=True)
    run("compose", "up", "-d", "--build", env_file=env_file, cwd=old)
    print(f"  {revision}: /healthz {wait_ready(path='/healthz')}")
    cookies, token = sign_up()
    check_in(cookies, token, days_ago=0, mood=6)
    return cookies, token


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upgrade-from", metavar="REVISION",
                        help="first deploy this git revision and check in there, then upgrade to the working tree")
    upgrade_from = parser.parse_args().upgrade_from
    with tempfile.TemporaryDirectory() as folder:
        step("build the image")
        run("docker", "build", "-q", "-t", "lift:latest", ".")
        env_file = write_env_file(Path(folder))
        try:
            if upgrade_from:
                step(f"deploy {upgrade_from}, a patient checks in there")
                cookies, token = deploy_old_release(upgrade_from, env_file, Path(folder))
                step("upgrade, as docs/operations.md says: docker-compose build && docker-compose up -d")
                run("compose", "build", env_file=env_file)
            else:
                step("docker-compose up -d")
            run("compose", "up", "-d", env_file=env_file)
            print(f"  /readyz: {wait_ready()}")
            container = container_id(env_file)

            step("headers and cookies of a production deployment")
            signin = httpx.get(f"{URL}/signin", timeout=10)
            assert signin.headers["strict-transport-security"].startswith("max-age=")
            assert "secure" in signin.headers["set-cookie"].lower()

            step("a non-root process; the data directory is its own, owner-only")
            user = run("compose", "exec", "-T", "app", "id", "-u", env_file=env_file).stdout.strip()
            data = run("compose", "exec", "-T", "app", "stat", "-c", "%U %a", "/data", env_file=env_file).stdout.strip()
            assert user == "10001" and data == "lift 700", (user, data)

            if upgrade_from:
                step("the check-in made before the upgrade is there, the session still signed in")
                assert moods(cookies) == ["6"]
            else:
                step("a patient signs up and checks in")
                cookies, token = sign_up()
                check_in(cookies, token, days_ago=0, mood=6)

            step("back up inside the container, as docs/operations.md says")
            backup = ("compose", "exec", "-T", "app", "python", "-m", "lift", "backup", BACKUP)
            said = run(*backup, env_file=env_file).stdout
            assert "integrity check ok" in said, said

            step("SIGKILL the server from outside, like the OOM killer: it restarts, the check-in kept")
            # (`docker kill` would count as stopping it by hand, which the restart policy respects.)
            pid = run("docker", "inspect", "-f", "{{.State.Pid}}", container).stdout.strip()
            run("kill", "-9", pid)
            time.sleep(2)
            wait_ready()
            assert run("docker", "inspect", "-f", "{{.RestartCount}}", container).stdout.strip() == "1"
            assert moods(cookies) == ["6"]

            step("restore, as docs/operations.md says: the check-in made after the backup is gone")
            check_in(cookies, token, days_ago=1, mood=2)
            assert moods(cookies) == ["6", "2"]
            run("compose", "stop", "app", env_file=env_file)
            said = run("compose", "run", "--rm", "app", "python", "-m", "lift", "restore", BACKUP, env_file=env_file)
            print(f"  {said.stdout.strip().splitlines()[-1]}")
            run("compose", "start", "app", env_file=env_file)
            wait_ready()
            assert moods(cookies) == ["6"]

            step("the container's own health check says healthy")
            deadline = time.monotonic() + 90
            while (status := health(container)) != "healthy":
                assert time.monotonic() < deadline, f"health is still {status}"
                time.sleep(2)

            step("production mode refuses cookies without Secure, in one line")
            refused = run("compose", "run", "--rm", "-e", "LIFT_COOKIE_SECURE=false", "app",
                          env_file=env_file, check=False)
            said = [line for line in (refused.stderr + refused.stdout).splitlines() if line.startswith("lift:")]
            assert refused.returncode != 0 and len(said) == 1 and "LIFT_COOKIE_SECURE" in said[0], refused
            print(f"  {said[0]}")
        finally:
            run("compose", "down", "-v", env_file=env_file, check=False)
    print("docker-compose deployment: all checks passed")


if __name__ == "__main__":
    sys.exit(main())
