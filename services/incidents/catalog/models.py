"""The catalogs that drive behaviour (categories, severities, severity rules): data a department admin edits.

A severity carries its acknowledgement and resolution targets and its escalation chain; a rule raises the
severity of a report when its counts reach a threshold (food poisoning with 50 cases or more, any death).
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from pydantic import Field as PydanticField
from pydantic import field_validator
from sqlmodel import Field, SQLModel

from services.incidents.catalog.domain import EscalationStep, Measure
from services.incidents.tables import IncidentsTable
from shared.web.patch import PatchModel

CODE_PATTERN = r"^[a-z][a-z0-9_]{1,39}$"


class CategoryBase(SQLModel):
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    default_severity: str = Field(max_length=40, description="A severity code")
    restricted_by_default: bool = Field(default=False, description="Child-safety cases hide their details")
    report_within: str | None = Field(default=None, max_length=200, description="The legal floor, as text")
    active: bool = True


class Category(CategoryBase, IncidentsTable, table=True):
    __tablename__ = "categories"

    code: str = Field(primary_key=True, max_length=40)


class CategoryCreate(CategoryBase):
    code: str = Field(max_length=40, description="Lowercase letters, digits and underscores")

    @field_validator("code")
    @classmethod
    def _code_is_a_slug(cls, code: str) -> str:
        if not re.fullmatch(CODE_PATTERN, code):
            raise ValueError("code must be 2-40 lowercase letters, digits or underscores, first a letter")
        return code


class CategoryUpdate(PatchModel):
    clearable = frozenset({"report_within"})

    name_vi: str | None = PydanticField(default=None, min_length=1, max_length=200)
    name_en: str | None = PydanticField(default=None, min_length=1, max_length=200)
    default_severity: str | None = PydanticField(default=None, max_length=40)
    restricted_by_default: bool | None = None
    report_within: str | None = PydanticField(default=None, max_length=200)
    active: bool | None = None


class CategoryPublic(CategoryBase):
    code: str


class SeverityBase(SQLModel):
    name_vi: str = Field(min_length=1, max_length=100)
    name_en: str = Field(min_length=1, max_length=100)
    rank: int = Field(ge=1, le=20, description="1 is the most severe")
    acknowledge_minutes: int = Field(ge=1, le=60 * 24 * 30, description="Acknowledgement target")
    resolve_minutes: int = Field(ge=1, le=60 * 24 * 365, description="Resolution target")


class Severity(SeverityBase, IncidentsTable, table=True):
    __tablename__ = "severities"

    code: str = Field(primary_key=True, max_length=40)
    escalation_chain: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)

    def chain(self) -> list[EscalationStep]:
        return [EscalationStep.model_validate(step) for step in self.escalation_chain]


class SeverityUpdate(PatchModel):
    name_vi: str | None = PydanticField(default=None, min_length=1, max_length=100)
    name_en: str | None = PydanticField(default=None, min_length=1, max_length=100)
    acknowledge_minutes: int | None = PydanticField(default=None, ge=1, le=60 * 24 * 30)
    resolve_minutes: int | None = PydanticField(default=None, ge=1, le=60 * 24 * 365)
    escalation_chain: list[EscalationStep] | None = PydanticField(default=None, min_length=1, max_length=20)


class SeverityPublic(SeverityBase):
    code: str
    escalation_chain: list[EscalationStep]


class SeverityRuleBase(SQLModel):
    category_code: str | None = Field(default=None, max_length=40, description="None: any category")
    measure: Measure
    at_least: int = Field(ge=1, le=1_000_000, description="The rule applies when the count reaches this")
    raises_to: str = Field(max_length=40, description="The severity code the report is raised to")
    description: str = Field(default="", max_length=300)


class SeverityRule(SeverityRuleBase, IncidentsTable, table=True):
    __tablename__ = "severity_rules"

    id: int | None = Field(default=None, primary_key=True)


class SeverityRuleCreate(SeverityRuleBase):
    pass


class SeverityRulePublic(SeverityRuleBase):
    id: int
