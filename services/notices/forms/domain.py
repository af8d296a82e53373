"""A return form's rules, without I/O: a definition is well formed, and answers fit its fields.

A form is data: sections of fields, each with a type (int, decimal, text, bool), a unit, bounds and
whether it is required. A field may name the school fact it counts towards (``pupils``, ``classes``,
``teachers``): a fact is the sum of its fields, and becomes the school's figure for the school year.
Every refusal names the field (``values.<code>``) and, for a bound, the bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.errors import Unprocessable
from shared.events.notices import FieldValue

MAX_TEXT = 2000


class FieldType(StrEnum):
    INT = "int"
    DECIMAL = "decimal"
    TEXT = "text"
    BOOL = "bool"


class SchoolFact(StrEnum):
    """What the registry keeps of a school per school year."""

    PUPILS = "pupils"
    CLASSES = "classes"
    TEACHERS = "teachers"


class FieldSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    label: str = Field(min_length=1, max_length=300)
    type: FieldType
    unit: str | None = Field(default=None, max_length=40, description="e.g. học sinh, lớp, phòng")
    min: Decimal | None = None
    max: Decimal | None = None
    required: bool = False
    school_fact: SchoolFact | None = Field(default=None, description="Counts towards this school figure")

    @model_validator(mode="after")
    def _bounds_fit_the_type(self) -> FieldSpec:
        numeric = self.type in (FieldType.INT, FieldType.DECIMAL)
        if not numeric and (self.min is not None or self.max is not None):
            raise ValueError(f"field {self.code}: only int and decimal fields have bounds")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field {self.code}: min {self.min} is above max {self.max}")
        if self.school_fact is not None and self.type is not FieldType.INT:
            raise ValueError(f"field {self.code}: only an int field counts towards a school fact")
        return self


class SectionSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,59}$")
    title: str = Field(min_length=1, max_length=300)
    fields: list[FieldSpec] = Field(min_length=1, max_length=200)


class FormDefinition(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sections: list[SectionSpec] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _field_codes_are_unique(self) -> FormDefinition:
        seen: set[str] = set()
        for field in self.fields():
            if field.code in seen:
                raise ValueError(f"field code {field.code} is used twice")
            seen.add(field.code)
        return self

    def fields(self) -> list[FieldSpec]:
        return [field for section in self.sections for field in section.fields]


def check_values(definition: FormDefinition, values: Mapping[str, Any]) -> dict[str, FieldValue]:
    """The answers as stored (decimals as strings), or a 422 naming the first field that does not fit."""
    by_code = {field.code: field for field in definition.fields()}
    for code in values:
        if code not in by_code:
            raise Unprocessable(f"the form has no field {code}", field=f"values.{code}")
    checked: dict[str, FieldValue] = {}
    for field in definition.fields():
        value = values.get(field.code)
        if value is None:
            if field.required:
                raise Unprocessable(f"{field.label} is required", field=f"values.{field.code}")
            continue
        checked[field.code] = _check(field, value)
    return checked


def _check(field: FieldSpec, value: Any) -> FieldValue:
    name = f"values.{field.code}"
    if field.type is FieldType.BOOL:
        if not isinstance(value, bool):
            raise Unprocessable(f"{field.label} must be true or false", field=name)
        return value
    if field.type is FieldType.TEXT:
        if not isinstance(value, str):
            raise Unprocessable(f"{field.label} must be text", field=name)
        if len(value) > MAX_TEXT:
            raise Unprocessable(f"{field.label} must be at most {MAX_TEXT} characters", field=name)
        return value
    number = _number(field, value)
    unit = f" {field.unit}" if field.unit else ""
    if field.min is not None and number < field.min:
        raise Unprocessable(f"{field.label} must be at least {field.min}{unit} (got {number})", field=name)
    if field.max is not None and number > field.max:
        raise Unprocessable(f"{field.label} must be at most {field.max}{unit} (got {number})", field=name)
    return int(number) if field.type is FieldType.INT else str(number)


def _number(field: FieldSpec, value: Any) -> Decimal:
    name = f"values.{field.code}"
    if isinstance(value, bool):
        raise Unprocessable(f"{field.label} must be a number", field=name)
    if field.type is FieldType.INT:
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, float) and value.is_integer():
            return Decimal(int(value))
        raise Unprocessable(f"{field.label} must be a whole number", field=name)
    try:
        number = Decimal(str(value)) if isinstance(value, int | float | str) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise Unprocessable(f"{field.label} must be a decimal number", field=name)
    return number


def school_facts(definition: FormDefinition, values: Mapping[str, FieldValue]) -> dict[SchoolFact, int]:
    """Each fact the form counts, summed over its answered fields; a fact without answers is left out."""
    facts: dict[SchoolFact, int] = {}
    for field in definition.fields():
        value = values.get(field.code)
        if field.school_fact is not None and isinstance(value, int) and not isinstance(value, bool):
            facts[field.school_fact] = facts.get(field.school_fact, 0) + value
    return facts
