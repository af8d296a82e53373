"""Every service has the one shape of the README's "The tree" (docs/adding-a-service.md lists it).

The services are read from the folder listing of ``services/``, so a new service is checked as soon as its
folder exists, with the same rules as every other: no service has exceptions. The import rules between
those files are the import contracts of pyproject's ``[tool.importlinter]`` (``lint-imports``); this test
checks the files and folders, and that the contracts name every service.
"""

from __future__ import annotations

import ast
import importlib
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import MetaData

from shared.settings import ServiceSettings

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVICES_DIR = REPO_ROOT / "services"
IGNORED = {"__pycache__"}

REQUIRED_FILES = {"__init__.py", "app.py", "settings.py", "tables.py"}
OPTIONAL_FILES = {"metrics.py", "README.md"}
SHAPE_FOLDERS = {"migrations", "jobs", "replica", "seed_data", "templates", "static"}
"""Any other folder is a concept."""
ASSET_FOLDERS = {"templates", "static"}
"""A served service's page templates and browser files (the console's): no Python. A folder of these names
that holds Python modules is a concept like any other (notifications' message templates)."""

CONCEPT_FILES = {
    "__init__.py",
    "api.py",  # HTTP routes, thin
    "models.py",  # tables and read/write schemas
    "service.py",  # use cases: commands, in one unit of work
    "queries.py",  # read-only use cases
    "domain.py",  # rules as plain functions and classes, no I/O
    "handlers.py",  # event handlers, thin
    "adapters.py",  # the outside world: SMTP, HTTP
    "seed.py",  # seed rows
    "README.md",
}
REPLICA_FILES = {"__init__.py", "models.py", "handlers.py", "queries.py", "api.py"}
REPLICA_REQUIRED = {"models.py", "handlers.py"}
MIGRATIONS_REQUIRED = {"env.py", "versions"}
INDEPENDENCE_CONTRACT = "independent-services"


def service_names() -> list[str]:
    _, folders = entries(SERVICES_DIR)
    return sorted(name for name in folders if not name.startswith((".", "_")))


def entries(folder: Path) -> tuple[set[str], set[str]]:
    """The names of a folder's files and of its subfolders, as git sees them: a folder left behind with
    nothing but ``__pycache__`` in it (after its modules moved) is not there."""
    children = [child for child in folder.iterdir() if child.name not in IGNORED]
    files = {child.name for child in children if not child.is_dir()}
    return files, {child.name for child in children if child.is_dir() and holds_files(child)}


def holds_files(folder: Path) -> bool:
    return any(
        not path.is_dir() and IGNORED.isdisjoint(path.relative_to(folder).parts) for path in folder.rglob("*")
    )


def concepts(service: Path) -> list[Path]:
    _, folders = entries(service)
    return [
        service / name
        for name in sorted(folders)
        if name not in SHAPE_FOLDERS or (name in ASSET_FOLDERS and holds_python(service / name))
    ]


def holds_python(folder: Path) -> bool:
    return any(IGNORED.isdisjoint(path.relative_to(folder).parts) for path in folder.rglob("*.py"))


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


# Each rule takes a service folder and returns what is wrong with it (nothing when it has the shape); its
# docstring is the rule, printed under what breaks it.

LAYER_FOLDERS = {"api", "models", "service", "services", "queries", "domain", "handlers", "adapters"}
"""Folders named after a kind of module: the old layered tree, where one concept is spread over them."""


def top_level_names(service: Path) -> list[str]:
    """A service holds __init__.py, app.py, settings.py, tables.py, optionally metrics.py and README.md, then
    migrations/, jobs/, replica/, seed_data/, templates/ and static/ and one folder per concept; no other
    modules."""
    files, _ = entries(service)
    problems = [f"missing {name}" for name in sorted(REQUIRED_FILES - files)]
    problems += [
        f"{name} is not one of the service's files"
        for name in sorted(files - REQUIRED_FILES - OPTIONAL_FILES)
    ]
    return problems


def concept_folders(service: Path) -> list[str]:
    """A concept folder holds only files named __init__.py, api.py, models.py, service.py, queries.py,
    domain.py, handlers.py, adapters.py, seed.py, README.md; no folders."""
    problems = []
    for concept in concepts(service):
        files, folders = entries(concept)
        if concept.name in LAYER_FOLDERS:
            problems.append(
                f"{concept.name}/ is a layer, not a concept: its modules belong in their concepts"
            )
        problems += [f"{concept.name}/{name}" for name in sorted(files - CONCEPT_FILES)]
        problems += [f"{concept.name}/{name}/" for name in sorted(folders)]
    return problems


def migrations_folder(service: Path) -> list[str]:
    """migrations/ is the service's Alembic environment: env.py and the versions/ folder."""
    migrations = service / "migrations"
    if not migrations.is_dir():
        return ["missing migrations/"]
    files, folders = entries(migrations)
    problems = [f"missing migrations/{name}" for name in sorted(MIGRATIONS_REQUIRED - files - folders)]
    if "versions" in files:
        problems.append("migrations/versions is not a folder")
    return problems


def jobs_folder(service: Path) -> list[str]:
    """jobs/ holds one module per background loop (a function building a shared.jobs.PeriodicJob)."""
    jobs = service / "jobs"
    if not jobs.is_dir():
        return []
    files, folders = entries(jobs)
    problems = [f"jobs/{name}/" for name in sorted(folders)]
    problems += [f"jobs/{name} is not a Python module" for name in sorted(files) if not name.endswith(".py")]
    return problems


def replica_folder(service: Path) -> list[str]:
    """replica/ (for a registry replica) holds models.py and handlers.py, optionally queries.py and api.py."""
    replica = service / "replica"
    if not replica.is_dir():
        return []
    files, folders = entries(replica)
    problems = [f"missing replica/{name}" for name in sorted(REPLICA_REQUIRED - files)]
    problems += [f"replica/{name}" for name in sorted(files - REPLICA_FILES)]
    problems += [f"replica/{name}/" for name in sorted(folders)]
    return problems


def seed_data_folder(service: Path) -> list[str]:
    """seed_data/ holds data files only; the code that reads them is a concept's seed.py."""
    seed_data = service / "seed_data"
    if not seed_data.is_dir():
        return []
    return [f"seed_data/{path.relative_to(seed_data)}" for path in sorted(seed_data.rglob("*.py"))]


def tables_module(service: Path) -> list[str]:
    """tables.py defines the table base and <SVC>_METADATA, its metadata; it imports no concept (the
    concepts import it, app.py and migrations/env.py import the concepts)."""
    if not (service / "tables.py").is_file():
        return []  # top_level_names says it is missing
    package = f"services.{service.name}"
    _, folders = entries(service)
    below = {concept.name for concept in concepts(service)} | (SHAPE_FOLDERS & folders - {"migrations"})
    problems = [
        f"tables.py imports {name}"
        for name in sorted(imported_modules(service / "tables.py"))
        if name.startswith(package + ".") and name.removeprefix(package + ".").split(".")[0] in below
    ]
    metadata_name = f"{service.name.upper()}_METADATA"
    tables = importlib.import_module(f"{package}.tables")
    if not isinstance(getattr(tables, metadata_name, None), MetaData):
        problems.append(f"tables.py defines no {metadata_name}")
    return problems


def settings_module(service: Path) -> list[str]:
    """settings.py defines <Svc>Settings, a subclass of shared.settings.ServiceSettings."""
    if not (service / "settings.py").is_file():
        return []  # top_level_names says it is missing
    class_name = f"{camel(service.name)}Settings"
    settings = importlib.import_module(f"services.{service.name}.settings")
    candidate = getattr(settings, class_name, None)
    if not (isinstance(candidate, type) and issubclass(candidate, ServiceSettings)):
        return [f"settings.py defines no {class_name}"]
    return []


def app_module(service: Path) -> list[str]:
    """app.py is the composition root: create_app(settings=None, ...)."""
    if not (service / "app.py").is_file():
        return []  # top_level_names says it is missing
    tree = ast.parse((service / "app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "create_app":
            parameters = node.args.posonlyargs + node.args.args
            defaults = [None] * (len(parameters) - len(node.args.defaults)) + list(node.args.defaults)
            first_default = defaults[0] if defaults else None
            if (
                parameters[:1]
                and parameters[0].arg == "settings"
                and isinstance(first_default, ast.Constant)
                and first_default.value is None
            ):
                return []
            return ["app.py's create_app does not take settings=None first"]
    return ["app.py defines no create_app"]


def import_contracts(service: Path) -> list[str]:
    """pyproject's "independent-services" import contract names every service (one line each; the other
    contracts find a service by wildcard)."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    independence = [c for c in config["contracts"] if c.get("id") == INDEPENDENCE_CONTRACT]
    if not independence:
        return [f"pyproject.toml has no import contract with id {INDEPENDENCE_CONTRACT!r}"]
    if f"services.{service.name}" not in independence[0]["modules"]:
        return [f"services.{service.name} is missing from it"]
    return []


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


RULES: list[Callable[[Path], list[str]]] = [
    top_level_names,
    concept_folders,
    migrations_folder,
    jobs_folder,
    replica_folder,
    seed_data_folder,
    tables_module,
    settings_module,
    app_module,
    import_contracts,
]


def test_the_services_are_found() -> None:
    assert {"registry", "incidents", "activities", "notifications"} <= set(service_names())


def test_services_holds_only_services() -> None:
    files, _ = entries(SERVICES_DIR)
    assert files <= {"__init__.py"}, (
        f"services/ holds only service folders: {sorted(files - {'__init__.py'})}"
    )


@pytest.mark.parametrize("rule", RULES, ids=[rule.__name__ for rule in RULES])
@pytest.mark.parametrize("service", service_names())
def test_service_has_the_shape(service: str, rule: Callable[[Path], list[str]]) -> None:
    problems = rule(SERVICES_DIR / service)
    rule_text = " ".join((rule.__doc__ or rule.__name__).split())
    assert not problems, f"services/{service} leaves the shape. {rule_text}\n  " + "\n  ".join(problems)
