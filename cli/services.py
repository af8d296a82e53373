"""Finds the services that are built (``services/<name>/app.py`` with a ``create_app`` factory) and builds
their apps with settings given as keywords, for the commands that need every service: the event contract
(AsyncAPI documents) and operators' checks. Imported by name (each topic owner of ``shared.events.topics``),
so that a new service is found without a change here."""

from __future__ import annotations

import importlib
import importlib.util
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from shared.events.topics import Owner
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class BuiltService:
    name: str
    create_app: Callable[..., FastAPI]
    settings_class: type[ServiceSettings]

    def app(self, **settings: Any) -> FastAPI:
        """The service's app with its own settings class (defaults, then the environment, then these)."""
        return self.create_app(self.settings_class(**settings))


def built_services() -> list[BuiltService]:
    """Every service of the design that has an app, in the design's order."""
    found = []
    for owner in Owner:
        module_name = f"services.{owner.value}.app"
        if importlib.util.find_spec(module_name) is None:
            continue
        create_app = importlib.import_module(module_name).create_app
        found.append(BuiltService(owner.value, create_app, _settings_class(create_app)))
    return found


def _settings_class(create_app: Callable[..., FastAPI]) -> type[ServiceSettings]:
    """The settings class a factory declares: ``def create_app(settings: XSettings | None = None)``."""
    annotation = typing.get_type_hints(create_app).get("settings")
    for candidate in (annotation, *typing.get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, ServiceSettings):
            return candidate
    raise TypeError(f"{create_app.__module__}.create_app does not declare a ServiceSettings parameter")
