"""An import-linter contract type the built-in ones lack (registered in pyproject's ``[tool.importlinter]``).

``forbidden_external_submodules`` forbids a *submodule* of an external package (``sqlalchemy.ext.asyncio``)
while the package itself (``sqlalchemy``) stays allowed. The built-in ``forbidden`` type refuses external
submodules: grimp knows an external package only by its top-level name. So this contract takes the graph's
direct imports of that top-level name and reads the import statements at their lines to see what exactly
was imported. Only direct imports are checked (like ``allow_indirect_imports = true``).

    [[tool.importlinter.contracts]]
    type = "forbidden_external_submodules"
    source_modules = ["services.**.domain"]
    forbidden_modules = ["sqlalchemy.ext.asyncio"]
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules


@dataclass(frozen=True, order=True)
class Violation:
    importer: str
    line_number: int
    imported: str


class ForbiddenExternalSubmodulesContract(Contract):
    type_name = "forbidden_external_submodules"

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    forbidden_modules = fields.SetField(subfield=fields.StringField())
    broken_contract_guidance = fields.TextField(required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        if str(self.session_options.get("include_external_packages")).lower() != "true":
            raise ValueError(f"{self.type_name} needs include_external_packages = true at the top level.")
        forbidden: set[str] = self.forbidden_modules  # type: ignore[assignment]
        sources = module_expressions_to_modules(graph, self.source_modules, as_packages=True)  # type: ignore[arg-type]
        violations: set[Violation] = set()
        for source in sorted(module.name for module in sources):
            for root in sorted({name.split(".")[0] for name in forbidden}):
                if root not in graph.modules:
                    continue
                for detail in graph.get_import_details(importer=source, imported=root):
                    for statement in _statements_at(source, detail["line_number"]):
                        matching = [name for name in statement if _is_within(name, forbidden)]
                        if matching:
                            violations.add(Violation(source, detail["line_number"], matching[0]))
        return ContractCheck(kept=not violations, warnings=[], metadata={"violations": sorted(violations)})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            output.print_error(
                f"{violation.importer} is not allowed to import {violation.imported} "
                f"(l.{violation.line_number})"
            )
        output.new_line()
        if self.broken_contract_guidance:
            output.print_error(str(self.broken_contract_guidance), bold=False)


def _is_within(name: str, modules: set[str]) -> bool:
    return any(name == module or name.startswith(module + ".") for module in modules)


def _statements_at(module: str, line_number: int) -> list[list[str]]:
    """For each import statement starting at that line, the absolute module names it may import."""
    statements: list[list[str]] = []
    for node in ast.walk(_syntax_tree(module)):
        if getattr(node, "lineno", None) != line_number:
            continue
        if isinstance(node, ast.Import):
            statements.extend([alias.name] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from sqlalchemy.ext import asyncio` imports the submodule too.
            statements.append([node.module, *(f"{node.module}.{alias.name}" for alias in node.names)])
    return statements


@cache
def _syntax_tree(module: str) -> ast.Module:
    return ast.parse(_source_file(module).read_text(encoding="utf-8"))


def _source_file(module: str) -> Path:
    """The file of a module of one of the root packages, found without importing anything but the root."""
    root, *parts = module.split(".")
    spec = importlib.util.find_spec(root)
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"{root} is not a package on the path")
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


__all__ = ["ForbiddenExternalSubmodulesContract"]
