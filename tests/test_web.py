"""The web app answers over real HTTP: /healthz reports the database."""

from __future__ import annotations

import asyncio
import socket

import httpx
import uvicorn

from bot.runtime import Runtime
from bot.settings import Settings
from bot.web import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_healthz_over_http(runtime: Runtime) -> None:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(runtime=runtime), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
    finally:
        server.should_exit = True
        await task


async def test_healthz_reports_a_dead_database(settings: Settings) -> None:
    broken = Runtime.from_settings(
        settings, database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none"
    )
    app = create_app(runtime=broken)
    transport = httpx.ASGITransport(app=app)
    app.state.runtime = broken
    async with httpx.AsyncClient(transport=transport, base_url="http://planbot") as client:
        response = await client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    await broken.close()


async def test_serve_runs_the_scheduler_with_the_app(runtime: Runtime) -> None:
    """``planbot serve``'s app: the clock starts with it (leading, jobs registered) and stops."""
    port = free_port()
    app = create_app(runtime=runtime, scheduler=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz")).status_code == 200
        clock = app.state.scheduler
        assert clock.leading and clock.aps.running
        assert {job.id for job in clock.aps.get_jobs()} == {"leadership", "reminders", "dispatch"}
    finally:
        server.should_exit = True
        await task
    assert not clock.aps.running
