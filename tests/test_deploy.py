"""The deployment's entry point, without a container: what the image runs, run here.

The image (``Dockerfile``) runs ``planbot db upgrade`` (compose's ``migrate`` service) and
then ``planbot serve --host 0.0.0.0``; ``deploy/smoke.sh`` builds and starts it where a
Docker daemon runs. This test runs the same two commands as processes against a fresh
PostgreSQL database and the LINE stand-in: ``/readyz`` answers 200, a signed LINE webhook
gets its reply through the stand-in, ``/metrics`` counted it, the logs are JSON lines with
no secret in them, and SIGTERM ends it cleanly. Also checks the deployment files agree with
what the code expects.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy.engine import make_url

from tests.conftest import POSTGRES_ADMIN_URL, _admin_execute, _postgres_unavailable
from tests.standins.line_chat import say

ROOT = Path(__file__).resolve().parent.parent
PLANBOT = str(Path(sys.executable).parent / "planbot")  # the console script the image runs
SECRET = "deploy-test-channel-secret"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fresh_postgres() -> Any:
    name = f"planbot_deploy_{uuid.uuid4().hex[:8]}"
    try:
        asyncio.run(_admin_execute(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        _postgres_unavailable(f"{type(exc).__name__}: {exc}")
    yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.mark.postgres
async def test_the_entry_point_migrates_serves_answers_line_and_stops_cleanly(
    fresh_postgres: str, line_api: Any, tmp_path: Path
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PLANBOT_DATABASE_URL": fresh_postgres,
        "PLANBOT_DOCUMENTS_DIR": str(tmp_path / "documents"),
        "PLANBOT_PUBLIC_URL": "https://planbot.example.go.th",
        "PLANBOT_LOG_FORMAT": "json",
        "PLANBOT_LOG_LEVEL": "DEBUG",
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": line_api.access_token,
        "LINE_API_BASE_URL": line_api.api_base_url,
        "LINE_DATA_API_BASE_URL": line_api.data_base_url,
    }
    migrated = subprocess.run(
        [PLANBOT, "db", "upgrade"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [PLANBOT, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = await wait_ready(url, server)
        assert ready == {
            "status": "ready",
            "database": "ok",
            "schema": "ok",
            "channels": "ok",
            "shutdown": "ok",
        }
        replies = await say(url, line_api, SECRET, "ช่วยเหลือ")
        assert any("เข้าร่วม" in text for text in replies), replies
        async with httpx.AsyncClient(base_url=url) as client:
            metrics = (await client.get("/metrics")).text
        assert 'planbot_messages_received_total{channel="line"} 1.0' in metrics
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=60)
    # uvicorn shuts down gracefully, then re-raises the signal (systemd counts it clean)
    assert server.returncode in (0, -signal.SIGTERM), err[-2000:]
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    messages = [line["message"] for line in lines]
    assert any(m.startswith("LINE service started") for m in messages)
    assert "Application shutdown complete." in messages
    turn = [ln for ln in lines if ln["name"] == "handlers.engine" and ln["channel"] == "line"]
    assert turn and turn[0]["event"] != "-"
    assert SECRET not in err and line_api.access_token not in err


async def wait_ready(url: str, server: subprocess.Popen[str]) -> dict[str, Any]:
    """Poll /readyz until 200 (the process starting up); fail if it dies first."""
    deadline = time.monotonic() + 90
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise AssertionError(f"planbot serve exited: {server.stderr.read()[-2000:]}")  # type: ignore[union-attr]
            try:
                response = await client.get("/readyz")
                if response.status_code == 200:
                    return dict(response.json())
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError("planbot serve was not ready within 90 s")


# -- the deployment files ---------------------------------------------------------------


def test_the_image_is_small_non_root_and_carries_typst_and_the_font() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --locked --no-dev" in dockerfile  # the locked dependencies only
    assert "USER planbot" in dockerfile and "useradd" in dockerfile  # not root
    assert "slim" in dockerfile and "AS runtime" in dockerfile  # a slim base, build tools left
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert 'CMD ["planbot", "serve", "--host", "0.0.0.0"' in dockerfile
    assert "import typst, fontpkg_sarabun" in dockerfile  # checked at build time
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8")
    assert ".venv" in ignored and "*.db" in ignored


def test_compose_starts_postgres_then_migrates_then_serves() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["migrate"]["command"] == ["planbot", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    planbot = services["planbot"]
    assert planbot["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "/readyz" in " ".join(planbot["healthcheck"]["test"])
    assert planbot["environment"]["PLANBOT_DATABASE_URL"].startswith("postgresql+asyncpg://")
    tried = {name for name, s in services.items() if "try" in s.get("profiles", [])}
    assert tried == {"planbot-try", "line-standin"}
    assert services["line-standin"]["build"]["target"] == "standin"
    unit = (ROOT / "deploy" / "planbot.service").read_text(encoding="utf-8")
    assert "ExecStartPre=" in unit and "db upgrade" in unit and "User=planbot" in unit
    assert "KillSignal=SIGTERM" in unit
