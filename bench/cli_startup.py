"""How long the ``planbot`` command takes to start, and what its imports cost.

    uv run python bench/cli_startup.py [--runs N]

Each case runs N times in a fresh process with the bytecode cache on (written by a warm-up
run first: this environment may set PYTHONDONTWRITEBYTECODE, which would make every run
compile from source). Printed: the median and best wall time of each case, and its ratio to
the bare interpreter measured in the same run; then, from ``python -X importtime``, the
largest imports of each command. Goals (issue 11): ``planbot --help`` ≤ 1 s and
``planbot deadline 1/10/2568 --days 30`` ≤ 1.5 s on the 2-core development machine.

"eager" imports what the CLI used to import up front (both chat SDKs, the web
app, the ORM): what a command would pay without lazy imports.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLANBOT = [sys.executable, "-c", "from bot.cli import app; app()"]
EVERYTHING = (
    "import bot.cli, bot.web, models.db, bot.channels.line.service, bot.channels.line.richmenu,"
    " bot.channels.telegram.service"
)
CASES = {
    "python (the floor)": [sys.executable, "-c", "pass"],
    "import typer": [sys.executable, "-c", "import typer"],
    "planbot --help": [*PLANBOT, "--help"],
    "planbot deadline 1/10/2568 --days 30": [*PLANBOT, "deadline", "1/10/2568", "--days", "30"],
    "planbot holidays 2569": [*PLANBOT, "holidays", "2569"],
    "eager: SDKs, web app, ORM (old start-up)": [sys.executable, "-c", EVERYTHING],
}
GOALS = {"planbot --help": 1.0, "planbot deadline 1/10/2568 --days 30": 1.5}


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in env.items() if not k.startswith(("PLANBOT_", "TELEGRAM_", "LINE_"))}
    return env


def timed(command: list[str], cwd: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def top_imports(command: list[str], cwd: str, env: dict[str, str], count: int) -> list[str]:
    """The largest top-level imports of ``command`` (cumulative ms), from -X importtime."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = line.removeprefix("import time:").split("|")
        if not name.startswith("  "):  # top level: imported by the command itself
            rows.append((int(cumulative) / 1000, name.strip()))
    return [f"{ms:7.0f} ms  {name}" for ms, name in sorted(rows, reverse=True)[:count]]


def main(runs: int) -> None:
    env = environment()
    with tempfile.TemporaryDirectory() as cwd:  # no .env, nothing written to the checkout
        for command in CASES.values():  # warm-up: writes the bytecode cache
            subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
        results = {name: [timed(cmd, cwd, env) for _ in range(runs)] for name, cmd in CASES.items()}
        floor = statistics.median(results["python (the floor)"])
        print(f"\nplanbot start-up, {runs} runs each, bytecode cache on, {os.cpu_count()} cores\n")
        head = f"{'case':<40} {'median s':>9} {'best s':>8} {'× python':>9}  goal"
        print(head)
        print("-" * len(head))
        for name, times in results.items():
            median = statistics.median(times)
            goal = GOALS.get(name)
            verdict = "" if goal is None else f"≤ {goal} s {'met' if median <= goal else 'MISSED'}"
            print(f"{name:<40} {median:>9.3f} {min(times):>8.3f} {median / floor:>9.1f}  {verdict}")
        for name in ("planbot --help", "planbot deadline 1/10/2568 --days 30"):
            print(f"\nlargest imports of {name}:")
            for row in top_imports(CASES[name], cwd, env, 8):
                print(f"  {row}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10, help="runs per case")
    arguments = parser.parse_args()
    if not 1 <= arguments.runs <= 1000:
        parser.error("--runs between 1 and 1000")
    sys.path.insert(0, str(ROOT))
    main(arguments.runs)
