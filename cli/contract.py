"""The event contract other systems build on: a JSON Schema per event type and each service's AsyncAPI
document, committed under ``contract/`` and kept honest.

- ``write`` regenerates the files from the code (``shared/events`` and the services' brokers), and refuses
  a change that would break a consumer of an existing type: such a change needs a new type (``….v2``).
- ``check`` (the tests) says what is stale and what is breaking, compared with the committed files.

Breaking, for a consumer that validates what it reads: a removed event type or field, a changed type or
format, a field newly required, an enum that lost a value (old messages no longer validate) or gained one
(old consumers refuse the new value), a type moved to another topic or key.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from shared.events.catalog import all_event_specs
from shared.events.topics import ALL_TOPICS

REPO_ROOT = Path(__file__).resolve().parents[1]
CONTRACT_DIR = REPO_ROOT / "contract"
REGENERATE_COMMAND = "make contract"
"""What the stale-contract message tells a developer to run (it runs ``edu-clusters contract write``)."""

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The documents describe a deployment, not one machine: the same broker address whatever the environment.
DOCUMENTED_BOOTSTRAP = "kafka:9092"


def render(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def event_schemas() -> dict[str, dict[str, Any]]:
    """``events/<type>.json`` → the JSON Schema of each event type's body, with its envelope facts."""
    schemas = {}
    for spec in all_event_specs():
        if spec.topic not in ALL_TOPICS:  # test-only types registered by the test suite
            continue
        short_type = spec.event_type.removeprefix("vn.gov.nghean.edu.")
        schemas[f"events/{short_type}.json"] = {
            "$schema": SCHEMA_DIALECT,
            "$id": f"https://edu-clusters.nghean.gov.vn/contract/events/{short_type}.json",
            **spec.model.model_json_schema(),
            "x-cloudevents-type": spec.event_type,
            "x-kafka-topic": spec.topic.name,
            "x-kafka-key": f"{spec.model.key_field} ({spec.topic.key})",
            "x-compacted": spec.topic.compacted,
        }
    return schemas


def asyncapi_documents() -> dict[str, dict[str, Any]]:
    """``asyncapi/<service>.json`` → what each built service serves at ``/asyncapi.json``."""
    from cli.services import built_services  # the services, only when documents are asked for

    async def fetch_all(data_dir: str) -> dict[str, dict[str, Any]]:
        documents = {}
        for service in built_services():
            app = service.app(
                data_dir=data_dir, kafka_bootstrap_servers=DOCUMENTED_BOOTSTRAP, kafka_topic_prefix=""
            )
            # No lifespan: the document describes the broker's declared channels, nothing needs to run.
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://contract") as client:
                response = await client.get("/asyncapi.json")
            response.raise_for_status()
            documents[f"asyncapi/{service.name}.json"] = response.json()
        return documents

    with tempfile.TemporaryDirectory() as data_dir:
        return asyncio.run(fetch_all(data_dir))


def generated() -> dict[str, str]:
    """Every contract file as the code says it should read, by path under ``contract/``."""
    documents = {**event_schemas(), **asyncapi_documents()}
    return {path: render(document) for path, document in sorted(documents.items())}


def committed(root: Path = CONTRACT_DIR) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for folder in ("events", "asyncapi")
        for path in sorted((root / folder).glob("*.json"))
    }


@dataclass
class Comparison:
    stale: list[str] = field(default_factory=list)
    """Files that differ from the code, or are missing, or are left over."""
    breaking: list[str] = field(default_factory=list)
    """Why the code's schemas would break a consumer of the committed ones."""

    def message(self) -> str:
        lines = []
        if self.breaking:
            lines.append("Breaking changes to the event contract (publish a new type, ….v2, instead):")
            lines.extend(f"  - {reason}" for reason in self.breaking)
        if self.stale:
            lines.append(f"The committed contract is stale; regenerate it with `{REGENERATE_COMMAND}`:")
            lines.extend(f"  - contract/{path}" for path in self.stale)
        return "\n".join(lines)


def compare(current: dict[str, str], baseline: dict[str, str]) -> Comparison:
    result = Comparison()
    for path in sorted(current.keys() | baseline.keys()):
        if current.get(path) != baseline.get(path):
            result.stale.append(path)
        if path.startswith("events/") and path in baseline:
            type_name = path.removeprefix("events/").removesuffix(".json")
            if path not in current:
                result.breaking.append(f"{type_name}: the event type was removed")
            else:
                result.breaking.extend(
                    f"{type_name}: {reason}"
                    for reason in breaking_changes(json.loads(baseline[path]), json.loads(current[path]))
                )
    return result


def write(root: Path = CONTRACT_DIR, *, accept_breaking: bool = False) -> Comparison:
    """Bring the committed files up to date, unless that would break a consumer (see ``compare``)."""
    current = generated()
    comparison = compare(current, committed(root))
    if comparison.breaking and not accept_breaking:
        return comparison
    for path in comparison.stale:
        target = root / path
        if path in current:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(current[path], encoding="utf-8")
        else:
            target.unlink()
    return comparison


# --- Compatibility of two JSON Schemas (pydantic's output: $defs and $ref, anyOf for optionals) ---------


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why a consumer written against ``old`` would fail on messages valid against ``new``."""
    reasons: list[str] = []
    for envelope_fact in ("x-cloudevents-type", "x-kafka-topic", "x-kafka-key", "x-compacted"):
        if old.get(envelope_fact) != new.get(envelope_fact):
            reasons.append(
                f"{envelope_fact} changed from {old.get(envelope_fact)!r} to {new.get(envelope_fact)!r}"
            )
    _compare(_Resolver(old), old, _Resolver(new), new, "(body)", reasons)
    return reasons


class _Resolver:
    def __init__(self, root: dict[str, Any]) -> None:
        self.definitions: dict[str, Any] = root.get("$defs", {})

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        seen = set()
        while "$ref" in schema:
            reference = schema["$ref"]
            if reference in seen or not reference.startswith("#/$defs/"):
                break
            seen.add(reference)
            schema = {**self.definitions[reference.removeprefix("#/$defs/")], **_without(schema, "$ref")}
        return schema


def _without(schema: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k != key}


def _branches(resolver: _Resolver, schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    schema = resolver.resolve(schema)
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        for branch in alternatives:
            yield from _branches(resolver, branch)
    else:
        yield schema


def _types(branch: dict[str, Any]) -> set[str]:
    if "const" in branch:
        return {_json_type(branch["const"])}
    if "enum" in branch:
        return {_json_type(value) for value in branch["enum"]}
    declared = branch.get("type")
    if declared is None:
        return {"any"}
    return {declared} if isinstance(declared, str) else set(declared)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _compare(
    old_resolver: _Resolver,
    old: dict[str, Any],
    new_resolver: _Resolver,
    new: dict[str, Any],
    where: str,
    reasons: list[str],
) -> None:
    old_branches, new_branches = list(_branches(old_resolver, old)), list(_branches(new_resolver, new))
    old_types = set().union(*(_types(b) for b in old_branches))
    new_types = set().union(*(_types(b) for b in new_branches))
    if "any" not in old_types:
        # integer values are numbers too; anything else the old schema did not allow is a new type.
        widened = {t for t in new_types - old_types if not (t == "integer" and "number" in old_types)}
        if widened:
            reasons.append(f"{where}: type changed from {_show(old_types)} to {_show(new_types)}")
    old_formats = {b.get("format") for b in old_branches if b.get("type") == "string"}
    new_formats = {b.get("format") for b in new_branches if b.get("type") == "string"}
    if old_formats and new_formats and old_formats != new_formats:
        reasons.append(f"{where}: string format changed from {_show(old_formats)} to {_show(new_formats)}")

    old_enum = {value for b in old_branches for value in b.get("enum", [])}
    new_enum = {value for b in new_branches for value in b.get("enum", [])}
    if old_enum and new_enum:
        if old_enum - new_enum:
            reasons.append(f"{where}: enum narrowed, {_show(old_enum - new_enum)} removed")
        if new_enum - old_enum:
            reasons.append(
                f"{where}: enum widened with {_show(new_enum - old_enum)} (old consumers refuse it)"
            )

    old_object = next((b for b in old_branches if "properties" in b), None)
    new_object = next((b for b in new_branches if "properties" in b), None)
    if old_object is not None and new_object is not None:
        old_properties, new_properties = old_object["properties"], new_object["properties"]
        for name in sorted(old_properties.keys() - new_properties.keys()):
            reasons.append(f"{_path(where, name)}: field removed")
        for name in sorted(set(new_object.get("required", [])) - set(old_object.get("required", []))):
            reasons.append(f"{_path(where, name)}: field is newly required")
        for name in sorted(old_properties.keys() & new_properties.keys()):
            _compare(
                old_resolver,
                old_properties[name],
                new_resolver,
                new_properties[name],
                _path(where, name),
                reasons,
            )

    old_items = next((b["items"] for b in old_branches if "items" in b), None)
    new_items = next((b["items"] for b in new_branches if "items" in b), None)
    if old_items is not None and new_items is not None:
        _compare(old_resolver, old_items, new_resolver, new_items, f"{where}[]", reasons)


def _path(where: str, name: str) -> str:
    return name if where == "(body)" else f"{where}.{name}"


def _show(values: set[Any]) -> str:
    return "|".join(sorted(str(value) for value in values))
