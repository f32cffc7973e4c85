"""The layers point one way: bot → scheduler → handlers → models, and documents → models.

Read from the source with ``ast`` (no import runs), so a module that imports against the
arrows fails here even if nothing executes that line yet. Chat SDKs stay in bot/channels/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("bot", "scheduler", "handlers", "models", "documents")
# what each layer may import of the others (its own package is always allowed)
ALLOWED = {
    "bot": {"scheduler", "handlers", "models", "documents"},
    "scheduler": {"handlers", "models", "documents"},
    "handlers": {"models", "documents"},
    "documents": {"models"},
    "models": set(),
}
SDKS = {"telegram", "linebot"}


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a module, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def modules() -> list[tuple[str, Path]]:
    return [
        (layer, path)
        for layer in LAYERS
        if (ROOT / layer).is_dir()
        for path in sorted((ROOT / layer).rglob("*.py"))
    ]


def violations(root: Path, path: Path) -> list[str]:
    """What ``path`` (a module under ``root``) imports against the arrows, one line each."""
    rel = path.relative_to(root)
    layer = rel.parts[0]
    problems = []
    for line, package in imported_packages(path):
        if package in LAYERS and package != layer and package not in ALLOWED[layer]:
            problems.append(f"{rel}:{line} imports {package} ({layer} may not)")
        if package in SDKS and rel.parts[:2] != ("bot", "channels"):
            problems.append(f"{rel}:{line} imports the {package} SDK outside bot/channels/")
    return problems


@pytest.mark.parametrize("layer", [layer for layer in LAYERS if (ROOT / layer).is_dir()])
def test_imports_follow_the_layers(layer: str) -> None:
    problems = [p for lay, path in modules() if lay == layer for p in violations(ROOT, path)]
    assert not problems, "\n".join(problems)


def test_the_check_catches_imports_against_the_arrows(tmp_path: Path) -> None:
    """The checker itself, on a small tree: upward, lazy and SDK imports are all reported."""
    (tmp_path / "models").mkdir()
    (tmp_path / "bot" / "channels").mkdir(parents=True)
    bad = tmp_path / "models" / "bad.py"
    bad.write_text("from handlers.messages import Text\ndef f():\n    import telegram\n")
    fine = tmp_path / "bot" / "channels" / "tg.py"
    fine.write_text("import telegram\nfrom scheduler import dispatch\nfrom models import db\n")
    assert violations(tmp_path, bad) == [
        "models/bad.py:1 imports handlers (models may not)",
        "models/bad.py:3 imports the telegram SDK outside bot/channels/",
    ]
    assert violations(tmp_path, fine) == []
