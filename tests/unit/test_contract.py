"""The committed event contract (contract/) matches the code, and a change that would break a consumer of
an existing event type is refused."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from cli import contract
from cli.services import built_services
from shared.events.catalog import all_event_specs
from shared.events.topics import ALL_TOPICS


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return contract.generated()


def test_the_committed_contract_is_what_the_code_says(generated: dict[str, str]) -> None:
    comparison = contract.compare(generated, contract.committed())
    assert not (comparison.stale or comparison.breaking), comparison.message()


def test_it_has_a_schema_for_every_event_type_and_a_document_for_every_service(
    generated: dict[str, str],
) -> None:
    types = {spec.event_type for spec in all_event_specs() if spec.topic in ALL_TOPICS}
    schemas = [json.loads(text) for path, text in generated.items() if path.startswith("events/")]
    assert {schema["x-cloudevents-type"] for schema in schemas} == types
    assert {path for path in generated if path.startswith("asyncapi/")} == {
        f"asyncapi/{service.name}.json" for service in built_services()
    }
    registry_document = json.loads(generated["asyncapi/registry.json"])
    assert registry_document["asyncapi"].startswith("3.")
    assert "registry.clusters:publish" in registry_document["channels"]


def test_a_stale_file_names_the_command_that_regenerates_it(generated: dict[str, str]) -> None:
    baseline = dict(generated)
    baseline["asyncapi/registry.json"] = baseline["asyncapi/registry.json"].replace("3.0.0", "2.6.0")
    message = contract.compare(generated, baseline).message()
    assert "contract/asyncapi/registry.json" in message
    assert "make contract" in message


# --- what counts as breaking, on small models -------------------------------------------------------


class Level(StrEnum):
    PRIMARY = "primary"
    LOWER_SECONDARY = "lower_secondary"


class Contact(BaseModel):
    phone: str
    email: str | None = None


class SchoolV1(BaseModel):
    code: str
    name: str
    pupils: int
    level: Level
    opened_on: datetime
    contacts: list[Contact]
    principal: Contact | None = None


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    return model.model_json_schema()


def changes(**fields: Any) -> list[str]:
    """The breaking changes of SchoolV1 → a model with these fields replaced (``None`` removes one)."""
    annotations = {**SchoolV1.__annotations__, **fields}
    namespace: dict[str, Any] = {
        "__annotations__": {name: kind for name, kind in annotations.items() if kind is not None},
        "__module__": __name__,
    }
    if "principal" not in fields:
        namespace["principal"] = None
    changed = type("SchoolV1", (BaseModel,), namespace)
    return contract.breaking_changes(schema_of(SchoolV1), schema_of(changed))


def test_the_same_schema_is_compatible() -> None:
    assert changes() == []


def test_an_optional_field_may_be_added() -> None:
    with_optional = type(
        "SchoolV1",
        (SchoolV1,),
        {"__annotations__": {"boarding": bool | None}, "boarding": None, "__module__": __name__},
    )
    assert contract.breaking_changes(schema_of(SchoolV1), schema_of(with_optional)) == []


def test_a_removed_field_breaks() -> None:
    assert changes(pupils=None) == ["pupils: field removed"]


def test_a_changed_type_breaks() -> None:
    assert changes(pupils=str) == ["pupils: type changed from integer to string"]


def test_a_field_that_may_now_be_null_breaks_but_one_that_no_longer_may_does_not() -> None:
    assert changes(pupils=int | None) == ["pupils: type changed from integer to integer|null"]
    assert changes(principal=Contact) == ["principal: field is newly required"]


def test_a_new_required_field_breaks() -> None:
    assert changes(region=str) == ["region: field is newly required"]


def test_a_narrowed_or_widened_enum_breaks() -> None:
    class Narrow(StrEnum):
        PRIMARY = "primary"

    class Wide(StrEnum):
        PRIMARY = "primary"
        LOWER_SECONDARY = "lower_secondary"
        PRESCHOOL = "preschool"

    assert changes(level=Narrow) == ["level: enum narrowed, lower_secondary removed"]
    assert changes(level=Wide) == ["level: enum widened with preschool (old consumers refuse it)"]


def test_a_changed_string_format_breaks() -> None:
    assert changes(opened_on=str) == ["opened_on: string format changed from date-time to None"]


def test_changes_inside_nested_objects_and_lists_break() -> None:
    class ContactWithoutPhone(BaseModel):
        email: str | None = None

    assert changes(contacts=list[ContactWithoutPhone]) == ["contacts[].phone: field removed"]
    assert changes(contacts=list[str]) == ["contacts[]: type changed from object to string"]


def test_a_type_moved_to_another_topic_breaks() -> None:
    committed = json.loads((contract.CONTRACT_DIR / "events" / "registry.cluster.v1.json").read_text())
    moved = {**committed, "x-kafka-topic": "registry.units"}
    assert contract.breaking_changes(committed, moved) == [
        "x-kafka-topic changed from 'registry.clusters' to 'registry.units'"
    ]


def test_write_refuses_a_breaking_change_and_leaves_the_contract_as_it_was(tmp_path: Path) -> None:
    root = tmp_path / "contract"
    shutil.copytree(contract.CONTRACT_DIR, root)
    committed_path = root / "events" / "registry.cluster.v1.json"
    # As if the code had dropped a field the committed contract promises: the committed file has one more.
    schema = json.loads(committed_path.read_text())
    schema["properties"]["founded_by_decree"] = {"type": "string"}
    committed_path.write_text(contract.render(schema))
    removed_type = root / "events" / "registry.district.v1.json"
    removed_type.write_text(contract.render({"x-cloudevents-type": "vn.gov.nghean.edu.registry.district.v1"}))

    comparison = contract.write(root)

    assert comparison.breaking == [
        "registry.cluster.v1: founded_by_decree: field removed",
        "registry.district.v1: the event type was removed",
    ]
    assert "founded_by_decree" in committed_path.read_text() and removed_type.exists()
    assert contract.write(root, accept_breaking=True).breaking
    assert contract.compare(contract.generated(), contract.committed(root)).stale == []
