"""The Telegram Bot API's own description (``specs/telegram/api.json``) as a request checker.

Every method call the stand-in receives is checked here: the method must exist, every
parameter must be one the method declares, required ones must be present, and each value
must have a declared type — scalars, files, arrays, and objects checked field by field
against the spec's type definitions, recursively (``InlineKeyboardMarkup`` down to each
``InlineKeyboardButton``). Abstract types (``BotCommandScope``, ``ChatMember`` …) accept any
of their subtypes.

Values come in two shapes, as on the real server: a JSON body carries native JSON values;
query strings, urlencoded forms and multipart parts carry text, where numbers and booleans
are written out and arrays and objects are JSON-encoded (python-telegram-bot sends forms).
"""

from __future__ import annotations

import json
import re
from collections.abc import Container
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "telegram" / "api.json"

SCALARS = frozenset({"Integer", "String", "Boolean", "Float", "InputFile"})
ARRAY = "Array of "
_INTEGER_TEXT = re.compile(r"-?\d+")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request (what ``InputFile`` means on the wire)."""

    filename: str | None
    content: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class Checked:
    """A checked parameter: its value decoded to Python (``"42"`` → 42), or the problems."""

    value: Any
    errors: tuple[str, ...] = ()


class BotApiSpec:
    """The methods and types of one version of the Bot API, loaded from its JSON description."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.version: str = spec.get("version", "?")
        self.methods: dict[str, dict[str, Any]] = spec["methods"]
        self.types: dict[str, dict[str, Any]] = spec["types"]
        self._by_lower = {name.lower(): name for name in self.methods}

    @classmethod
    def load(cls, path: Path = SPEC_PATH) -> BotApiSpec:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def method_name(self, name: str) -> str | None:
        """The spec's spelling of a method; Telegram matches method names case-insensitively."""
        return self._by_lower.get(name.lower())

    @cached_property
    def returns(self) -> dict[str, list[str]]:
        return {name: m.get("returns", []) for name, m in self.methods.items()}

    def fields(self, method: str) -> dict[str, dict[str, Any]]:
        return {f["name"]: f for f in self.methods[method].get("fields", [])}

    # -- requests --------------------------------------------------------------------------

    def check_call(
        self, method: str, params: dict[str, Any], *, textual: bool | Container[str]
    ) -> tuple[str | None, dict[str, Any], list[str]]:
        """Check one call; return the spec's method name, the decoded params and the problems.

        ``textual`` names the parameters (or ``True``: all) that came from a query string or
        a form — text, JSON-encoded where structured; file parts are :class:`Upload` values.
        """
        name = self.method_name(method)
        if name is None:
            return None, {}, [f"unknown method {method!r}"]
        errors: list[str] = []
        if name != method:
            errors.append(f"method {method!r} is spelled {name!r} in the spec")
        declared = self.fields(name)
        uploads = {k for k, v in params.items() if isinstance(v, Upload)}
        decoded: dict[str, Any] = {}
        for key, value in params.items():
            field = declared.get(key)
            if field is None:
                if isinstance(value, Upload) and self._attached(params, key):
                    decoded[key] = value  # a part named by "attach://<name>" elsewhere
                    continue
                errors.append(f"{name}: unknown parameter {key!r}")
                continue
            as_text = textual if isinstance(textual, bool) else key in textual
            checked = self.check_value(
                value, field["types"], f"{name}.{key}", textual=as_text, uploads=uploads
            )
            errors.extend(checked.errors)
            decoded[key] = checked.value
        for key, field in declared.items():
            if field.get("required") and key not in params:
                errors.append(f"{name}: missing required parameter {key!r}")
        return name, decoded, errors

    @staticmethod
    def _attached(params: dict[str, Any], part: str) -> bool:
        needle = f"attach://{part}"
        return any(isinstance(v, str) and needle in v for v in params.values())

    # -- values ----------------------------------------------------------------------------

    def check_value(
        self,
        value: Any,
        types: list[str],
        path: str,
        *,
        textual: bool = False,
        uploads: set[str] | frozenset[str] = frozenset(),
    ) -> Checked:
        """``value`` as one of ``types`` (the first that fits), or why none fits."""
        attempts: list[Checked] = []
        for type_name in types:
            checked = self._check_one(value, type_name, path, textual=textual, uploads=uploads)
            if not checked.errors:
                return checked
            attempts.append(checked)
        structured = [
            (t, a)
            for t, a in zip(types, attempts, strict=True)
            if t not in SCALARS and isinstance(a.value, dict | list)
        ]
        if structured:  # an object or array: say what is wrong inside the closest candidate
            closest, checked = min(structured, key=lambda pair: len(pair[1].errors))
            if len(types) == 1:
                return checked
            intro = f"{path}: expected {' or '.join(types)}; closest is {closest}:"
            return Checked(value, (intro, *checked.errors))
        return Checked(value, (f"{path}: expected {' or '.join(types)}, got {_show(value)}",))

    def _check_one(
        self,
        value: Any,
        type_name: str,
        path: str,
        *,
        textual: bool,
        uploads: set[str] | frozenset[str],
    ) -> Checked:
        if type_name.startswith(ARRAY):
            return self._check_array(value, type_name[len(ARRAY) :], path, textual=textual)
        if type_name == "InputFile":
            if isinstance(value, Upload):
                return Checked(value)
            if isinstance(value, str) and value.startswith("attach://"):
                if value.removeprefix("attach://") in uploads:
                    return Checked(value)
                return Checked(value, (f"{path}: {value} names no uploaded part",))
            return Checked(value, (f"{path}: not a file",))
        if isinstance(value, Upload):
            return Checked(value, (f"{path}: a file where {type_name} is expected",))
        if type_name in SCALARS:
            return _check_scalar(value, type_name, path, textual=textual)
        if textual:
            if not isinstance(value, str):
                return Checked(value, (f"{path}: expected JSON text",))
            try:
                value = json.loads(value)
            except ValueError:
                return Checked(value, (f"{path}: {type_name} is not valid JSON",))
        return self.check_object(value, type_name, path)

    def _check_array(self, value: Any, item_type: str, path: str, *, textual: bool) -> Checked:
        if textual:
            if not isinstance(value, str):
                return Checked(value, (f"{path}: expected a JSON array",))
            try:
                value = json.loads(value)
            except ValueError:
                return Checked(value, (f"{path}: not a JSON array",))
        if not isinstance(value, list):
            return Checked(value, (f"{path}: expected Array of {item_type}, got {_show(value)}",))
        items: list[Any] = []
        errors: list[str] = []
        for i, item in enumerate(value):
            checked = self.check_value(item, [item_type], f"{path}[{i}]")
            items.append(checked.value)
            errors.extend(checked.errors)
        return Checked(items, tuple(errors))

    def check_object(self, value: Any, type_name: str, path: str = "") -> Checked:
        """A JSON object against a type of the spec (an abstract type: any of its subtypes)."""
        path = path or type_name
        spec = self.types.get(type_name)
        if spec is None:
            return Checked(value, (f"{path}: the spec has no type {type_name!r}",))
        if not isinstance(value, dict):
            return Checked(value, (f"{path}: expected {type_name} object, got {_show(value)}",))
        if "subtypes" in spec:
            best: Checked | None = None
            for subtype in spec["subtypes"]:
                checked = self.check_object(value, subtype, path)
                if not checked.errors:
                    return checked
                if best is None or len(checked.errors) < len(best.errors):
                    best = checked
            assert best is not None
            return Checked(value, (f"{path}: matches no subtype of {type_name}", *best.errors))
        declared = {f["name"]: f for f in spec.get("fields", [])}
        errors: list[str] = []
        out: dict[str, Any] = {}
        for key, item in value.items():
            field = declared.get(key)
            if field is None:
                errors.append(f"{path}: {type_name} has no field {key!r}")
                continue
            checked = self.check_value(item, field["types"], f"{path}.{key}")
            errors.extend(checked.errors)
            out[key] = checked.value
        for key, field in declared.items():
            if field.get("required") and key not in value:
                errors.append(f"{path}: {type_name} is missing required field {key!r}")
        return Checked(out, tuple(errors))


def _check_scalar(value: Any, type_name: str, path: str, *, textual: bool) -> Checked:
    wrong = Checked(value, (f"{path}: expected {type_name}, got {_show(value)}",))
    if textual and isinstance(value, str):
        if type_name == "String":
            return Checked(value)
        if type_name == "Integer":
            return Checked(int(value)) if _INTEGER_TEXT.fullmatch(value) else wrong
        if type_name == "Float":
            try:
                return Checked(float(value))
            except ValueError:
                return wrong
        if type_name == "Boolean":
            return Checked(value == "true") if value in ("true", "false") else wrong
        return wrong
    if type_name == "String":
        return Checked(value) if isinstance(value, str) else wrong
    if isinstance(value, bool):
        return Checked(value) if type_name == "Boolean" else wrong
    if type_name == "Integer":
        return Checked(value) if isinstance(value, int) else wrong
    if type_name == "Float":
        return Checked(value) if isinstance(value, int | float) else wrong
    return wrong


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
