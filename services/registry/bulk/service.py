"""Bulk import and export use cases: every row checked first, then all applied in one transaction or none.

What differs between importing schools and importing staff (the references to check, the rights, the state
to publish) is an ``Importer``. Each importer loads what the rows refer to once (a 5,000-row file must not
cost 5,000 queries), then checks rows against it without touching the database.

Reading the file and checking its rows is CPU work that would stall every other request of the service
(its health checks too) if it ran on the event loop: it runs in a worker thread. A file is at most
``MAX_IMPORT_ROWS`` rows, so its one transaction stays short (see there why larger files are refused, not
applied in parts). Generated sample data is not a file anyone needs to see land whole: it is applied in
chunks of ``SAMPLE_CHUNK_ROWS``, each its own transaction, so a 50,000-school load never holds the write
lock for long.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col, select

from services.registry.access.domain import manages_cluster
from services.registry.bulk.domain import (
    CheckedRows,
    Errors,
    RowError,
    UnreadableFile,
    check_rows,
    read_csv,
    read_json,
    write_csv,
)
from services.registry.bulk.models import FileFormat, ImportReport, RowErrorPublic
from services.registry.clusters.models import ClusterMembership
from services.registry.communes.models import Commune
from services.registry.schools import models as school_models
from services.registry.schools.domain import MAX_REGION_SIZE
from services.registry.schools.models import CoreRegion, School, SchoolCreate, SchoolStatus
from services.registry.schools.queries import visible_schools
from services.registry.schools.service import record_school
from services.registry.staff import models as staff_models
from services.registry.staff.models import Staff, StaffCreate
from services.registry.staff.queries import visible_staff
from services.registry.tables import apply_changes, full_state
from shared.auth import Principal
from shared.auth.people_cache import PEOPLE_CHANGED
from shared.db import UnitOfWork
from shared.errors import Unprocessable
from shared.events import StaffStateV1
from shared.text import fold

KEY = "code"
"""Schools and staff are both identified by their code: a row with a known code updates that entity."""


class Importer(Protocol):
    @property
    def entity(self) -> str: ...

    @property
    def row_model(self) -> type[BaseModel]: ...

    @property
    def columns(self) -> list[str]: ...

    async def preload(self, uow: UnitOfWork, rows: Sequence[tuple[int, Any]]) -> None: ...

    def existing(self, code: str) -> Any | None: ...

    def problems(self, line: int, row: Any) -> list[RowError]: ...

    def new_entity(self, row: Any) -> Any: ...

    def changes(self, row: Any) -> dict[str, Any]: ...

    async def record(self, uow: UnitOfWork, entity: Any) -> None: ...


SAMPLE_CHUNK_ROWS = 200
"""Rows of generated sample data per transaction: about a tenth of a second of the write lock each on an
idle machine; seconds on one whose cores are shared many times over, which is why chunks stay small."""


async def import_rows(
    *, uow: UnitOfWork, importer: Importer, data: bytes, fmt: FileFormat, dry_run: bool
) -> ImportReport:
    """Check every row; apply them all (creating or updating by code) only if none is wrong."""

    def read() -> list[tuple[int, dict[str, Any]]]:
        return read_csv(data, columns=importer.columns) if fmt is FileFormat.CSV else read_json(data)

    try:
        raw = await asyncio.to_thread(read)
    except UnreadableFile as exc:
        raise Unprocessable(str(exc), field="file") from exc
    return await apply_rows(uow=uow, importer=importer, raw=raw, dry_run=dry_run)


async def apply_rows(
    *,
    uow: UnitOfWork,
    importer: Importer,
    raw: list[tuple[int, dict[str, Any]]],
    dry_run: bool,
    chunk_rows: int | None = None,
) -> ImportReport:
    """The part of an import after reading the file; generated sample data enters the same way.

    ``chunk_rows`` None: every row in the caller's one transaction (an import: all or none). A number:
    a commit after every that many rows (sample data), each chunk its own short transaction.
    """
    checked: CheckedRows[Any] = await asyncio.to_thread(check_rows, raw, importer.row_model, key=KEY)
    await importer.preload(uow, checked.valid)

    def find_problems() -> Errors:
        found = Errors()
        for line, row in checked.valid:
            found.extend(importer.problems(line, row))
        return found

    errors = checked.errors.merged(await asyncio.to_thread(find_problems))
    report = ImportReport(entity=importer.entity, dry_run=dry_run, applied=False, rows=len(raw))
    if errors.count:
        report.errors = [RowErrorPublic(**vars(error)) for error in errors.listed]
        report.errors_not_listed = errors.count - len(errors.listed)
        return report
    now = datetime.now(UTC)
    for done, (_, row) in enumerate(checked.valid, start=1):
        current = importer.existing(str(getattr(row, KEY)))
        if current is None:
            report.created += 1
            if not dry_run:
                entity = importer.new_entity(row)
                uow.session.add(entity)
                await importer.record(uow, entity)
        elif _would_change(current, importer.changes(row)):
            report.updated += 1
            if not dry_run:
                apply_changes(current, importer.changes(row), now)
                await importer.record(uow, current)
        else:
            report.unchanged += 1
        if not dry_run and chunk_rows is not None and done % chunk_rows == 0:
            await uow.commit()  # the chunk is in; other writers get the lock before the next one
        elif done % 200 == 0:
            await asyncio.sleep(0)  # let the other requests in between rows of CPU work
    if not dry_run:
        await uow.session.flush()
        await uow.commit()
        report.applied = True
    return report


def export_rows(records: list[dict[str, Any]], *, columns: list[str], fmt: FileFormat) -> str:
    """The columns an import reads, so an exported file can be edited and imported back."""
    if fmt is FileFormat.CSV:
        return write_csv(records, columns=columns)
    return json.dumps(
        [{name: record.get(name) for name in columns} for record in records], ensure_ascii=False, default=str
    )


def _would_change(entity: Any, changes: dict[str, Any]) -> bool:
    return any(getattr(entity, name) != value for name, value in changes.items())


CHUNK = 900  # bound IN lists well below SQLite's and PostgreSQL's parameter limits


async def _load_by_codes(uow: UnitOfWork, table: Any, codes: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for start in range(0, len(codes), CHUNK):
        query = select(table).where(col(table.code).in_(codes[start : start + CHUNK]))
        found.update({entity.code: entity for entity in (await uow.session.exec(query)).all()})
    return found


async def _existing_codes(
    uow: UnitOfWork, column: Any, codes: Iterable[str], visible: ColumnElement[bool] | None = None
) -> set[str]:
    """The codes that exist (and, with ``visible``, that the caller sees)."""
    wanted = sorted(set(codes))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        query = select(column).where(col(column).in_(wanted[start : start + CHUNK]))
        if visible is not None:
            query = query.where(visible)
        found.update((await uow.session.exec(query)).all())
    return found


class SchoolImporter:
    entity = "schools"
    row_model = SchoolCreate
    columns = school_models.IMPORT_COLUMNS

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.schools: dict[str, School] = {}
        self.cluster_of_commune: dict[str, int | None] = {}
        self.known_schools: set[str] = set()
        self.known_staff: set[str] = set()
        self.region_sizes: Counter[int] = Counter()
        self.regions: set[int] = set()
        self.rows_in_region: Counter[int] = Counter()

    async def preload(self, uow: UnitOfWork, rows: Sequence[tuple[int, SchoolCreate]]) -> None:
        codes = [row.code for _, row in rows]
        self.schools = await _load_by_codes(uow, School, codes)
        self.cluster_of_commune = dict(
            (await uow.session.exec(select(Commune.gso_code, Commune.cluster_no))).all()
        )
        # What the importer may not see is as unknown to them as what does not exist, word for word.
        merged = [row.merged_into for _, row in rows if row.merged_into]
        self.known_schools = set(codes) | await _existing_codes(
            uow, School.code, merged, visible_schools(self.principal)
        )
        principals = [row.principal_staff_code for _, row in rows if row.principal_staff_code]
        self.known_staff = await _existing_codes(uow, Staff.code, principals, visible_staff(self.principal))
        regions = (await uow.session.exec(select(CoreRegion.id, CoreRegion.cluster_no))).all()
        self.regions = {
            region
            for region, cluster_no in regions
            if region is not None and self.principal.can_see_cluster(cluster_no)
        }
        in_file = set(codes)
        placed = (
            await uow.session.exec(
                select(School.code, School.core_region_id).where(col(School.core_region_id).is_not(None))
            )
        ).all()
        self.region_sizes = Counter(
            region for code, region in placed if code not in in_file and region is not None
        )

    def existing(self, code: str) -> School | None:
        return self.schools.get(code)

    def problems(self, line: int, row: SchoolCreate) -> list[RowError]:
        found = []
        if row.commune_code not in self.cluster_of_commune:
            found.append(RowError(line, "commune_code", f"commune {row.commune_code} does not exist"))
        elif not manages_cluster(self.principal, self.cluster_of_commune[row.commune_code]):
            found.append(
                RowError(
                    line, "commune_code", f"commune {row.commune_code} is outside the clusters you manage"
                )
            )
        current = self.schools.get(row.code)
        if current is not None and not manages_cluster(
            self.principal, self.cluster_of_commune.get(current.commune_code)
        ):
            # As POST /schools answers a taken code: nothing of where the school is, or whose it is.
            found.append(RowError(line, "code", f"a school with MOET code {row.code} already exists"))
        if row.merged_into is not None and row.merged_into not in self.known_schools:
            found.append(RowError(line, "merged_into", f"school {row.merged_into} does not exist"))
        if row.principal_staff_code is not None and row.principal_staff_code not in self.known_staff:
            found.append(
                RowError(line, "principal_staff_code", f"staff {row.principal_staff_code} does not exist")
            )
        if row.core_region_id is not None:
            if row.core_region_id not in self.regions:
                found.append(
                    RowError(line, "core_region_id", f"core region {row.core_region_id} does not exist")
                )
            else:
                self.region_sizes[row.core_region_id] += 1
                if self.region_sizes[row.core_region_id] > MAX_REGION_SIZE:
                    message = (
                        f"core region {row.core_region_id} would have more than {MAX_REGION_SIZE} schools"
                    )
                    found.append(RowError(line, "core_region_id", message))
        if row.status is SchoolStatus.MERGED and row.merged_into == row.code:
            found.append(RowError(line, "merged_into", "a school cannot be merged into itself"))
        return found

    def new_entity(self, row: SchoolCreate) -> School:
        return School.model_validate(row, update={"search_name": fold(row.name)})

    def changes(self, row: SchoolCreate) -> dict[str, Any]:
        changes = row.model_dump(exclude_unset=True, exclude={"code"})
        if "name" in changes:
            changes["search_name"] = fold(changes["name"])
        return changes

    async def record(self, uow: UnitOfWork, entity: School) -> None:
        record_school(uow, entity, self.cluster_of_commune[entity.commune_code])


class StaffImporter:
    entity = "staff"
    row_model = StaffCreate
    columns = staff_models.IMPORT_COLUMNS

    def __init__(self, principal: Principal) -> None:
        self.principal = principal
        self.people: dict[str, Staff] = {}
        self.cluster_of_commune: dict[str, int | None] = {}
        self.commune_of_school: dict[str, str] = {}
        self.memberships: dict[str, list[dict[str, Any]]] = {}
        self.seen_schools: set[str] = set()

    async def preload(self, uow: UnitOfWork, rows: Sequence[tuple[int, StaffCreate]]) -> None:
        self.people = await _load_by_codes(uow, Staff, [row.code for _, row in rows])
        # A person's published state lists their memberships: loaded here for all the file's people at
        # once (one query per person made a 2,000-row file hold the write lock for seconds).
        existing = sorted(self.people)
        for start in range(0, len(existing), CHUNK):
            of_people = (
                select(ClusterMembership)
                .where(col(ClusterMembership.staff_code).in_(existing[start : start + CHUNK]))
                .order_by(col(ClusterMembership.valid_from))
            )
            for member in (await uow.session.exec(of_people)).all():
                self.memberships.setdefault(member.staff_code, []).append(member.model_dump())
        self.cluster_of_commune = dict(
            (await uow.session.exec(select(Commune.gso_code, Commune.cluster_no))).all()
        )
        named = {row.school_code for _, row in rows if row.school_code}
        # A school the importer may not see is named as unknown, as GET /schools/{code} answers it.
        self.seen_schools = await _existing_codes(uow, School.code, named, visible_schools(self.principal))
        schools = named | {person.school_code for person in self.people.values() if person.school_code}
        for start in range(0, len(ordered := sorted(schools)), CHUNK):
            query = select(School.code, School.commune_code).where(
                col(School.code).in_(ordered[start : start + CHUNK])
            )
            self.commune_of_school.update(dict((await uow.session.exec(query)).all()))

    def existing(self, code: str) -> Staff | None:
        return self.people.get(code)

    def _cluster(self, school_code: str | None, commune_code: str | None) -> int | None:
        if school_code is not None:
            commune_code = self.commune_of_school.get(school_code)
        return self.cluster_of_commune.get(commune_code) if commune_code else None

    def problems(self, line: int, row: StaffCreate) -> list[RowError]:
        found = []
        if not row.roles and row.code not in self.people:  # an existing person keeps the roles they have
            found.append(RowError(line, "roles", "a new person needs at least one role"))
        if row.school_code is not None and row.school_code not in self.seen_schools:
            found.append(RowError(line, "school_code", f"school {row.school_code} does not exist"))
        if row.commune_code is not None and row.commune_code not in self.cluster_of_commune:
            found.append(RowError(line, "commune_code", f"commune {row.commune_code} does not exist"))
        if found:
            return found
        if not manages_cluster(self.principal, self._cluster(row.school_code, row.commune_code)):
            found.append(
                RowError(line, "school_code", "the person's unit is outside the clusters you manage")
            )
        current = self.people.get(row.code)
        if current is not None and not manages_cluster(
            self.principal, self._cluster(current.school_code, current.commune_code)
        ):
            found.append(RowError(line, "code", f"staff {row.code} already exists"))  # as POST /staff says
        return found

    def new_entity(self, row: StaffCreate) -> Staff:
        return Staff.model_validate(row, update={"search_name": fold(row.full_name)})

    def changes(self, row: StaffCreate) -> dict[str, Any]:
        changes = row.model_dump(exclude_unset=True, exclude={"code"})
        if "full_name" in changes:
            changes["search_name"] = fold(changes["full_name"])
        return changes

    async def record(self, uow: UnitOfWork, entity: Staff) -> None:
        """What ``staff.service.record`` publishes, with the memberships loaded once for the whole file
        (a new person has none)."""
        memberships = self.memberships.get(entity.code, [])
        uow.record(full_state(StaffStateV1, entity, memberships=memberships))
        uow.wake_after_commit(PEOPLE_CHANGED)  # signed-in people's scope is read from these rows
