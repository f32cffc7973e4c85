"""The stand-ins validate against tests/specs/, a copy of ../shared/specs/: keep them equal."""

from __future__ import annotations

from pathlib import Path

import pytest

COPY = Path(__file__).parent / "specs"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "specs"
FILES = ["line/messaging-api.yml", "line/webhook.yml", "telegram/api.json"]


@pytest.mark.parametrize("name", FILES)
def test_the_copy_matches_shared_specs(name: str) -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/specs is not beside this checkout")
    assert (COPY / name).read_bytes() == (SHARED / name).read_bytes(), f"refresh tests/specs/{name}"
