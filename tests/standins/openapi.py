"""Strict JSON Schema validators built from an OpenAPI 3.0 document's component schemas.

The stand-in platform APIs check every request body against the platform's own published
description, so a wrong field fails a test here instead of on a user's phone. Plain JSON
Schema cannot read two OpenAPI habits that LINE's files rely on, so the components are
rewritten before use:

- ``discriminator`` (``Message`` → ``TextMessage``, ``FlexMessage`` …): each base schema becomes
  a dispatcher that requires the discriminating property, accepts only the mapped values and
  validates the object against the mapped schema (``if type == "flex" then FlexMessage``);
  the subtypes' ``allOf: [$ref Base]`` point at a copy of the base without the dispatch, so
  validation does not loop, and each subtype pins its own discriminator value;
- closed objects: OpenAPI leaves unknown properties allowed, which would let a misspelt field
  through, so every object schema that is a whole object (not a piece of an ``allOf``) lists
  the names it may carry (its own and its ``allOf`` parts') — LINE answers 400 to unknown
  fields in most places anyway.

``format`` is checked for ``uri`` (absolute, with a scheme LINE accepts) and ``uuid``.
Limits LINE documents in its reference pages but not in the OpenAPI file can be laid over
the components with :class:`Limit`.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import jsonschema
import yaml
from jsonschema import Draft202012Validator, FormatChecker

REF_PREFIX = "#/components/schemas/"
BASE_SUFFIX = "__base"
URI_SCHEMES = {"http", "https", "line", "tel", "mailto"}

Schema = dict[str, Any]


@dataclass(frozen=True)
class Limit:
    """One documented limit the OpenAPI file lacks: ``schema`` → property → keyword = value.

    ``path`` names the property inside the schema's own ``properties`` or inside the
    ``properties`` of one of its ``allOf`` parts (how LINE's subtypes declare theirs).
    """

    schema: str
    path: str
    keyword: str
    value: Any
    why: str = ""


def load_document(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return document


def _ref_name(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref: str = node["$ref"]
        if ref.startswith(REF_PREFIX):
            return ref[len(REF_PREFIX) :]
    return None


def _ref(name: str) -> Schema:
    return {"$ref": REF_PREFIX + name}


def _subschemas(node: Schema) -> Iterator[tuple[str, Schema]]:
    """The schema-valued children of ``node``, with the keyword they sit under.

    Property *names* are never mistaken for keywords (LINE has a property called ``oneOf``).
    """
    for key in ("properties", "patternProperties"):
        for child in (node.get(key) or {}).values():
            if isinstance(child, dict):
                yield key, child
    for key in ("items", "additionalProperties", "not", "if", "then", "else"):
        child = node.get(key)
        if isinstance(child, dict):
            yield key, child
    for key in ("allOf", "oneOf", "anyOf"):
        for child in node.get(key) or []:
            if isinstance(child, dict):
                yield key, child


def _walk(node: Schema, *, parent_key: str | None = None) -> Iterator[tuple[Schema, str | None]]:
    yield node, parent_key
    for key, child in _subschemas(node):
        yield from _walk(child, parent_key=key)


def _openapi_to_jsonschema(node: Schema) -> None:
    """OpenAPI 3.0 spellings → JSON Schema 2020-12 (only ``nullable`` occurs in LINE's files)."""
    for schema, _ in _walk(node):
        if schema.pop("nullable", False) and isinstance(schema.get("type"), str):
            schema["type"] = [schema["type"], "null"]


def _apply_limit(schemas: dict[str, Schema], limit: Limit) -> None:
    target = schemas[limit.schema]
    holders = [target, *[part for part in target.get("allOf", []) if isinstance(part, dict)]]
    for holder in holders:
        prop = (holder.get("properties") or {}).get(limit.path)
        if isinstance(prop, dict):
            prop[limit.keyword] = limit.value
            return
    raise KeyError(f"{limit.schema}.{limit.path} not found for limit {limit.keyword}")


def build_components(
    document: dict[str, Any], limits: Iterable[Limit] = (), *, closed: bool = True
) -> dict[str, Schema]:
    """The document's component schemas, rewritten for a JSON Schema 2020-12 validator."""
    schemas: dict[str, Schema] = copy.deepcopy(document["components"]["schemas"])
    for schema in schemas.values():
        _openapi_to_jsonschema(schema)
    for limit in limits:
        _apply_limit(schemas, limit)

    # 1. Split every discriminated base into a plain base and (later) a dispatcher.
    dispatch: dict[str, tuple[str, dict[str, str]]] = {}
    for name, schema in list(schemas.items()):
        disc = schema.get("discriminator")
        if not disc:
            continue
        prop = disc["propertyName"]
        mapping = {value: _ref_name({"$ref": ref}) or ref for value, ref in disc["mapping"].items()}
        base = {k: v for k, v in schema.items() if k != "discriminator"}
        schemas[name + BASE_SUFFIX] = base
        dispatch[name] = (prop, mapping)
        for value, target_name in mapping.items():
            target = schemas[target_name]
            parts = target.setdefault("allOf", [])
            for i, part in enumerate(parts):
                if _ref_name(part) == name:
                    parts[i] = _ref(name + BASE_SUFFIX)
            if not any(_ref_name(p) == name + BASE_SUFFIX for p in parts):
                parts.insert(0, _ref(name + BASE_SUFFIX))
            parts.append({"properties": {prop: {"const": value}}})

    # 2. Close whole objects: not a part of an allOf, not a base that others extend. The
    #    allowed names are listed with ``propertyNames`` (gathered through the allOf parts)
    #    rather than ``unevaluatedProperties``, which re-validates every level for its
    #    annotations and makes a nested Flex message take tens of milliseconds.
    if closed:
        extended = {
            n
            for schema in schemas.values()
            for node, _ in _walk(schema)
            for part in node.get("allOf") or []
            if (n := _ref_name(part))
        }
        for name, schema in schemas.items():
            if name in extended:
                continue
            for node, parent_key in _walk(schema):
                if parent_key == "allOf":
                    continue
                if _is_object_schema(node) and not (
                    {"additionalProperties", "unevaluatedProperties", "propertyNames"} & node.keys()
                ):
                    node["propertyNames"] = {"enum": sorted(_declared(node, schemas))}

    # 3. Replace each discriminated base by its dispatcher.
    for name, (prop, mapping) in dispatch.items():
        schemas[name] = {
            "type": "object",
            "required": [prop],
            "properties": {prop: {"enum": sorted(mapping)}},
            "allOf": [
                {
                    "if": {"required": [prop], "properties": {prop: {"const": value}}},
                    "then": _ref(target),
                }
                for value, target in sorted(mapping.items())
            ],
        }
    return schemas


def _is_object_schema(node: Schema) -> bool:
    """An object with declared properties (a bare ``type: object`` stays free-form)."""
    return (
        "$ref" not in node
        and ("properties" in node or "allOf" in node)
        and node.get("type", "object") == "object"
        and not _is_map(node)
    )


def _declared(node: Schema, schemas: dict[str, Schema]) -> set[str]:
    """Property names an object may carry: its own and those of its allOf parts."""
    names = set(node.get("properties") or {})
    for part in node.get("allOf") or []:
        ref = _ref_name(part)
        names |= _declared(schemas[ref] if ref else part, schemas)
    return names


def _is_map(node: Schema) -> bool:
    """An object used as a map (``params: {type: object, additionalProperties: …}``)."""
    return "additionalProperties" in node and "properties" not in node


def format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("uri", raises=ValueError)
    def is_uri(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = urlparse(value)
        if parsed.scheme not in URI_SCHEMES:
            raise ValueError(f"scheme must be one of {sorted(URI_SCHEMES)}")
        return parsed.scheme in {"tel", "mailto"} or bool(parsed.netloc)

    @checker.checks("uuid", raises=ValueError)
    def is_uuid(value: object) -> bool:
        if not isinstance(value, str):
            return True
        return str(uuid.UUID(value)) == value.lower()

    return checker


class SchemaSet:
    """Validators for the component schemas of one OpenAPI document."""

    def __init__(self, document: dict[str, Any], limits: Iterable[Limit] = ()) -> None:
        self.document = document
        self.components = build_components(document, limits)
        self._root = {"components": {"schemas": self.components}}
        self._checker = format_checker()
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, name: str) -> Draft202012Validator:
        found = self._validators.get(name)
        if found is None:
            if name not in self.components:
                raise KeyError(f"no schema {name!r}")
            schema = {**self._root, "$ref": REF_PREFIX + name}
            found = Draft202012Validator(schema, format_checker=self._checker)
            self._validators[name] = found
        return found

    def errors(self, name: str, instance: Any) -> list[str]:
        """Every reason ``instance`` is not a valid ``name``, as ``path: message`` lines."""
        return [_describe(e) for e in _leaf_errors(self.validator(name).iter_errors(instance))]

    def check(self, name: str, instance: Any) -> None:
        problems = self.errors(name, instance)
        if problems:
            raise AssertionError(f"not a valid {name}:\n  " + "\n  ".join(problems))


def _leaf_errors(
    errors: Iterable[jsonschema.ValidationError],
) -> Iterator[jsonschema.ValidationError]:
    """The innermost causes: "does not match the then-branch" says nothing useful."""
    for error in errors:
        if error.context:
            yield from _leaf_errors(error.context)
        else:
            yield error


def _describe(error: jsonschema.ValidationError) -> str:
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return f"{path.lstrip('.') or '(body)'}: {error.message}"


@cache
def spec_schemas(path: str, limits: tuple[Limit, ...] = ()) -> SchemaSet:
    """One SchemaSet per file and limits, built once per test run (it takes a moment)."""
    return SchemaSet(load_document(Path(path)), limits)


def path_pattern(template: str) -> re.Pattern[str]:
    """``/v2/bot/richmenu/{richMenuId}`` → a regex with one named group per parameter."""
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{regex}$")
