"""Benchmark: signed LINE webhooks through planbot's whole path, against a bare endpoint.

    uv run python bench/webhook.py [--seconds N] [--users N] [--backends sqlite,postgres]

For each database (SQLite in a temporary file; PostgreSQL on 127.0.0.1:5432 with trust
auth, in a throwaway database created and dropped here) the script starts, each in its own
process as in production:

- **full**: ``planbot serve``'s app with the LINE service: verify the signature, store in
  the inbox, answer 200, run the dialog step in the background (conversation state, event
  record, project form), write the database, and reply to the stand-in LINE API;
- **bare**: a FastAPI endpoint that only verifies the signature and answers 200;

and drives both with signed webhook deliveries built to ``webhook.yml`` from this process
(aiohttp, keep-alive, loopback only). The stand-in LINE API (``tests/standins/line_api.py``,
every request validated against LINE's OpenAPI file) runs in this process too; a message
counts as handled when its reply reaches it, so the full path's figures are end to end.

Phases, each ``--seconds`` long after a one-second warm-up: the bare endpoint saturated; the
full path saturated (closed loop: each sender waits for the reply before its next message);
the full path at half its saturated rate (open loop, evenly spaced), where latency counts.
Goal: full ≥ 0.25× bare throughput, p99 < 50 ms at half load. Everything is bounded: every
wait has a timeout, each phase stops on time, the child processes are killed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request, Response

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.standins (not part of the installed package)

SECRET = "bench-channel-secret"
POSTGRES_ADMIN_URL = os.environ.get(
    "PLANBOT_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
DIALOG = ("เสนอโครงการ", "โครงการทดสอบความเร็ว หมู่ที่ {n}", "ยกเลิก", "สถานะ")
REPLY_TIMEOUT = 10.0
SENDERS = 32


# -- the child processes ------------------------------------------------------------------------


def app_for(kind: str) -> Any:
    """The ASGI app a child serves; it prints READY once started (the parent waits for it)."""
    from fastapi import FastAPI
    from linebot.v3 import SignatureValidator

    if kind == "full":
        from bot.settings import Settings
        from bot.web import create_app

        app = create_app(Settings(_env_file=None))
    else:
        app = FastAPI()
        validator = SignatureValidator(SECRET)

        @app.post("/webhooks/line")
        async def bare(request: Request) -> Response:
            body = (await request.body()).decode()
            if not validator.validate(body, request.headers.get("x-line-signature", "")):
                return Response(status_code=400)
            return Response("{}", media_type="application/json")

    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            print("READY", flush=True)
            yield state

    app.router.lifespan_context = lifespan
    return app


def full_app() -> Any:
    return app_for("full")


def bare_app() -> Any:
    return app_for("bare")


def serve(kind: str, fd: int) -> None:
    """Child: serve the full app or the bare endpoint on the listening socket ``fd``.

    The socket is rebuilt with ``socket.socket(fileno=fd)`` so it knows it is TCP: uvicorn's
    own ``fd=`` option makes it a Unix socket, and asyncio then leaves TCP_NODELAY off on
    every connection, so each answer waits about 40 ms for a delayed ACK.
    """
    import uvicorn

    config = uvicorn.Config(
        f"webhook:{kind}_app", factory=True, log_level="warning", access_log=False
    )
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


@dataclass
class Child:
    processes: list[subprocess.Popen[str]]
    url: str

    def cpu_seconds(self) -> float:
        """User + system CPU of the server processes so far (Linux)."""
        total = 0
        for process in self.processes:
            try:
                fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def start_child(kind: str, env: dict[str, str], workers: int = 1) -> Child:
    """``workers`` server processes sharing one listening socket (the kernel spreads the
    connections), as ``uvicorn --workers`` would run them."""
    # IPPROTO_TCP, not the default 0, so that asyncio turns TCP_NODELAY on for each connection
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    port = sock.getsockname()[1]
    command = [sys.executable, __file__, "--serve", kind, "--fd", str(sock.fileno())]
    processes = []
    try:
        for _ in range(workers):
            process = subprocess.Popen(
                command,
                env={**os.environ, **env, "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}"},
                pass_fds=[sock.fileno()],
                stdout=subprocess.PIPE,
                text=True,
            )
            processes.append(process)
            assert process.stdout is not None
            line = process.stdout.readline()  # blocks until it has started (or died)
            if line.strip() != "READY":
                raise RuntimeError(f"{kind} server did not start: {line!r}")
    except BaseException:
        Child(processes, "").stop()
        raise
    finally:
        sock.close()  # the children hold their own copies
    return Child(processes, f"http://127.0.0.1:{port}/webhooks/line")


# -- the stand-in LINE API, in its own process ---------------------------------------------------


def run_stand_in() -> None:
    """Child: the stand-in LINE API; prints its URLs, then ``R token time`` per reply.

    Reply tokens come from the load generator, so any token is good once. On end of input
    it prints the requests LINE would have refused (``PROBLEM …``) and exits.
    """
    import threading

    from tests.standins.line_api import LineApiStandIn

    stand_in = LineApiStandIn(quota_limit=None).start()
    stand_in.unknown_tokens_fresh = True
    lock = threading.Lock()

    def on_call(call: Any) -> None:
        if call.operation_id == "replyMessage" and call.status < 300:
            with lock:
                sys.stdout.write(f"R {call.body['replyToken']} {time.monotonic()}\n")
                sys.stdout.flush()

    stand_in.on_call = on_call
    print(f"READY {stand_in.api_base_url} {stand_in.data_base_url}", flush=True)
    for line in sys.stdin:
        if line.strip() == "PROBLEMS":
            with lock:
                for problem in stand_in.problems:
                    print("PROBLEM", problem.replace("\n", " "), flush=True)
                print("END", flush=True)
    stand_in.stop()


@dataclass
class StandIn:
    process: asyncio.subprocess.Process
    api_base_url: str
    data_base_url: str
    access_token: str = "test-access-token"
    load: Load | None = None
    _reader: asyncio.Task[None] | None = None
    _problems: asyncio.Future[list[str]] | None = None

    @classmethod
    async def start(cls) -> StandIn:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--standin",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), 60)).decode().split()
        if not first or first[0] != "READY":
            process.kill()
            raise RuntimeError(f"stand-in did not start: {first}")
        stand_in = cls(process, first[1], first[2])
        stand_in._reader = asyncio.create_task(stand_in._read())
        return stand_in

    async def _read(self) -> None:
        assert self.process.stdout is not None
        problems: list[str] = []
        async for raw in self.process.stdout:
            kind, _, rest = raw.decode().rstrip("\n").partition(" ")
            if kind == "R" and self.load is not None:
                token, at = rest.split()
                self.load.arrived(token, float(at))
            elif kind == "PROBLEM":
                problems.append(rest)
            elif kind == "END" and self._problems is not None:
                self._problems.set_result(problems)
                problems = []

    async def problems(self) -> list[str]:
        """What the stand-in refused so far (requests LINE would have refused)."""
        assert self.process.stdin is not None
        self._problems = asyncio.get_running_loop().create_future()
        self.process.stdin.write(b"PROBLEMS\n")
        await self.process.stdin.drain()
        return await asyncio.wait_for(self._problems, 30)

    async def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), 15)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


# -- the database ------------------------------------------------------------------------------


async def prepare(url: str, users: int) -> list[str]:
    """Migrate, create the demo อบต. with an open round, and ``users`` LINE submitters."""
    from datetime import date

    from sqlmodel import select

    from bot.demo import ensure_demo
    from bot.runtime import Runtime
    from bot.settings import Settings
    from models import db
    from models.enums import Channel, Role, TriggerKind
    from models.org import ChannelAccount, Membership, Organization, Person
    from models.rounds import open_round

    rt = Runtime.from_settings(Settings(_env_file=None), database_url=url)
    try:
        await db.upgrade(rt.engine)
        await ensure_demo(rt)
        ids = []
        async with db.transaction(rt.sessions) as session:
            org = (await session.exec(select(Organization))).one()
            await open_round(
                session,
                rt.clock,
                rt.days_off,
                org=org,
                fiscal_year=rt.clock.today().year + 544,
                trigger_kind=TriggerKind.ANNUAL_BUDGET,
                trigger_date=date.today(),
            )
            for i in range(users):
                person = Person(name=f"ผู้ใหญ่บ้าน ทดสอบ {i}", created_at=rt.clock.now())
                session.add(person)
                await session.flush()
                user = "U" + hashlib.md5(f"bench{i}".encode()).hexdigest()
                ids.append(user)
                session.add(
                    ChannelAccount(
                        channel=Channel.LINE,
                        external_id=user,
                        person_id=person.id,
                        created_at=rt.clock.now(),
                    )
                )
                session.add(
                    Membership(
                        person_id=person.id,  # type: ignore[arg-type]
                        org_id=org.id,  # type: ignore[arg-type]
                        role=Role.SUBMITTER,
                        unit=f"หมู่ที่ {i % 20 + 1}",
                    )
                )
        return ids
    finally:
        await rt.close()


async def admin(statement: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def database(backend: str) -> AsyncIterator[str]:
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        return
    from sqlalchemy.engine import make_url

    name = f"planbot_bench_{uuid.uuid4().hex[:10]}"
    await admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(False)
    finally:
        await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the load ----------------------------------------------------------------------------------


@dataclass
class Result:
    handled: int = 0
    lost: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # ms
    cpu_ms: float = 0.0  # the server's CPU per handled message

    def measured(self, child: Child, cpu_before: float) -> Result:
        if self.handled:
            self.cpu_ms = (child.cpu_seconds() - cpu_before) * 1000 / self.handled
        return self

    @property
    def rate(self) -> float:
        return self.handled / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


class Load:
    """Signed webhook deliveries for a set of users, each walking the dialog in turn."""

    def __init__(self, users: list[str], url: str, wait_for_reply: bool) -> None:
        self.users = users
        self.url = url
        self.wait_for_reply = wait_for_reply
        self.step: dict[str, int] = dict.fromkeys(users, 0)
        self.waiting: dict[str, asyncio.Future[float]] = {}
        self.counter = 0

    def arrived(self, token: str, at: float) -> None:
        """The stand-in received the reply with this token at ``at`` (time.monotonic)."""
        future = self.waiting.pop(token, None)
        if future is not None and not future.done():
            future.set_result(at)

    def body(self, user: str) -> tuple[bytes, str]:
        self.counter += 1
        n = self.step[user]
        self.step[user] = n + 1
        text = DIALOG[n % len(DIALOG)].format(n=self.counter)
        token = secrets.token_hex(16)
        event = {
            "type": "message",
            "timestamp": int(time.time() * 1000),
            "mode": "active",
            "webhookEventId": f"01BENCH{uuid.uuid4().hex[:19].upper()}",
            "deliveryContext": {"isRedelivery": False},
            "source": {"type": "user", "userId": user},
            "replyToken": token,
            "message": {"type": "text", "id": str(self.counter), "text": text, "quoteToken": "q"},
        }
        body = json.dumps(
            {"destination": "U" + "0" * 32, "events": [event]}, ensure_ascii=False
        ).encode()
        return body, token

    async def one(self, session: Any, user: str, result: Result) -> None:
        body, token = self.body(user)
        signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest())
        headers = {"content-type": "application/json", "x-line-signature": signature.decode()}
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if self.wait_for_reply:
            self.waiting[token] = future
        started = time.monotonic()
        try:
            async with session.post(self.url, data=body, headers=headers) as response:
                await response.read()
                ok = response.status == 200
            if ok and self.wait_for_reply:
                done = await asyncio.wait_for(future, REPLY_TIMEOUT)
            else:
                done = time.monotonic()
        except Exception:  # a lost message is counted, not fatal
            ok = False
        self.waiting.pop(token, None)
        if not ok:
            result.lost += 1
            return
        result.handled += 1
        result.latencies.append((done - started) * 1000)


async def closed_loop(load: Load, seconds: float, senders: int = SENDERS) -> Result:
    """Saturation: each sender owns some users and sends again as soon as it is answered."""
    import aiohttp

    result = Result()
    groups = [load.users[i::senders] for i in range(senders)]
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=senders),
        timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT),
    ) as session:
        started = time.perf_counter()
        stop_at = started + seconds

        async def sender(users: list[str]) -> None:
            i = 0
            while time.perf_counter() < stop_at:
                await load.one(session, users[i % len(users)], result)
                i += 1

        await asyncio.gather(*(sender(g) for g in groups if g))
        result.seconds = time.perf_counter() - started
    return result


async def open_loop(load: Load, rate: float, seconds: float) -> Result:
    """A steady ``rate`` per second, evenly spaced, whatever the answers take."""
    import aiohttp

    result = Result()
    total = max(1, int(rate * seconds))
    interval = 1.0 / rate
    tasks: list[asyncio.Task[None]] = []
    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=256),
        timeout=aiohttp.ClientTimeout(total=REPLY_TIMEOUT),
    ) as session:
        started = time.perf_counter()
        for i in range(total):
            delay = started + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)  # pacing the load generator, not synchronisation
            user = load.users[i % len(load.users)]
            tasks.append(asyncio.create_task(load.one(session, user, result)))
        await asyncio.wait(tasks, timeout=REPLY_TIMEOUT + 5)
        result.seconds = time.perf_counter() - started
    return result


# -- one backend -------------------------------------------------------------------------------


@dataclass
class Figures:
    backend: str
    bare: Result
    full: Result
    half: Result
    half_rate: float
    workers: int = 1


async def run_backend(
    backend: str, seconds: float, users: int, stand_in: StandIn, workers: int
) -> Figures:
    async with database(backend) as url:
        ids = await prepare(url, users)
        env = {
            "PLANBOT_DATABASE_URL": url,
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": stand_in.access_token,
            "LINE_API_BASE_URL": stand_in.api_base_url,
            "LINE_DATA_API_BASE_URL": stand_in.data_base_url,
            "PLANBOT_LOG_LEVEL": "WARNING",
        }
        workers = 1 if backend == "sqlite" else workers
        bare_child = start_child("bare", env, workers)
        try:
            load = Load(ids, bare_child.url, wait_for_reply=False)
            await closed_loop(load, 1.0)  # warm-up
            cpu = bare_child.cpu_seconds()
            bare = (await closed_loop(load, seconds)).measured(bare_child, cpu)
        finally:
            bare_child.stop()
        full_child = start_child("full", env, workers)
        try:
            load = Load(ids, full_child.url, wait_for_reply=True)
            stand_in.load = load
            await closed_loop(load, 1.0)
            cpu = full_child.cpu_seconds()
            full = (await closed_loop(load, seconds)).measured(full_child, cpu)
            half_rate = max(1.0, full.rate / 2)
            cpu = full_child.cpu_seconds()
            half = (await open_loop(load, half_rate, seconds)).measured(full_child, cpu)
        finally:
            stand_in.load = None
            full_child.stop()
        return Figures(backend, bare, full, half, half_rate, workers)


def report(all_figures: list[Figures], seconds: float, users: int) -> None:
    print(f"\nLINE webhook benchmark — {seconds:g} s per phase, {users} users, {SENDERS} senders,")
    print(f"{os.cpu_count()} CPUs; the app and the bare endpoint each in their own process\n")
    head = (
        f"{'database':<10} {'path':<28} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'lost':>5} {'CPU ms/msg':>11}"
    )
    print(head)
    print("-" * len(head))
    for f in all_figures:
        rows = [
            ("bare: verify only, saturated", f.bare),
            ("full: saturated", f.full),
            (f"full: half load ({f.half_rate:.0f}/s)", f.half),
        ]
        for name, r in rows:
            print(
                f"{f.backend:<10} {name:<28} {r.rate:>8.1f} {r.percentile(50):>8.1f}"
                f" {r.percentile(99):>8.1f} {r.lost:>5} {r.cpu_ms:>11.2f}"
            )
        ratio = f.full.rate / f.bare.rate if f.bare.rate else float("nan")
        p99 = f.half.percentile(99)
        print(
            f"{f.backend:<10} ratio full/bare = {ratio:.2f}× (goal ≥ 0.25×) · "
            f"p99 at half load = {p99:.1f} ms (goal < 50 ms) · "
            f"{'✅' if ratio >= 0.25 and p99 < 50 else '❌'}"
        )
        print()


async def main(args: argparse.Namespace) -> None:
    from tests.standins.line_api import webhook_schemas

    # the deliveries are built like this one, which must follow webhook.yml
    sample = Load(["U" + "1" * 32], "", wait_for_reply=False).body("U" + "1" * 32)
    webhook_schemas().check("CallbackRequest", json.loads(sample[0]))
    stand_in = await StandIn.start()
    try:
        figures = []
        for backend in args.backends.split(","):
            print(f"… {backend}", flush=True)
            figures.append(
                await run_backend(backend, args.seconds, args.users, stand_in, args.workers)
            )
            refused = await stand_in.problems()
            if refused:
                raise SystemExit("requests LINE would refuse:\n" + "\n".join(refused[:10]))
        report(figures, args.seconds, args.users)
    finally:
        await stand_in.stop()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--users", type=int, default=400, help="LINE users taking turns")
    parser.add_argument("--backends", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="app processes on PostgreSQL (SQLite: always 1, it has one writer)",
    )
    parser.add_argument("--serve", choices=["full", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--standin", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fd", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not 0.5 <= args.seconds <= 300 or not 1 <= args.users <= 10_000:
        parser.error("--seconds between 0.5 and 300, --users between 1 and 10000")
    return args


if __name__ == "__main__":
    arguments = parse(sys.argv[1:])
    if arguments.standin:
        run_stand_in()
    elif arguments.serve:
        serve(arguments.serve, arguments.fd)
    else:
        asyncio.run(main(arguments))
