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
from datetime import UTC, date, datetime
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
    read_json,
    read_table_rows,
)
from services.registry.bulk.models import FileFormat, ImportReport, RowErrorPublic
from services.registry.clusters.models import Cluster, ClusterMembership, MembershipRole
from services.registry.clusters.service import record_cluster
from services.registry.communes import models as commune_models
from services.registry.communes.models import Commune, CommuneContactsRow, OldDistrict
from services.registry.memberships import models as membership_models
from services.registry.memberships import service as membership_service
from services.registry.memberships.models import MembershipRow, period_key
from services.registry.offices import models as office_models
from services.registry.offices.models import Office, OfficeRow
from services.registry.offices.service import record_office
from services.registry.schools import models as school_models
from services.registry.schools.domain import MAX_REGION_SIZE
from services.registry.schools.models import CoreRegion, School, SchoolCreate, SchoolStatus
from services.registry.schools.queries import visible_schools
from services.registry.schools.service import record_school
from services.registry.staff import models as staff_models
from services.registry.staff import service as staff_service
from services.registry.staff.models import Staff, StaffCreate
from services.registry.staff.queries import visible_staff
from services.registry.tables import apply_changes, full_state
from shared.auth import Principal
from shared.auth.people_cache import PEOPLE_CHANGED
from shared.db import UnitOfWork
from shared.errors import Unprocessable
from shared.events import CommuneStateV1, StaffStateV1
from shared.tabular import TableFormat, rows_of, write_table
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

    @property
    def key(self) -> str:
        """The row's field that names the entity (a second row with the same value is an error)."""
        ...

    async def preload(self, uow: UnitOfWork, rows: Sequence[tuple[int, Any]]) -> None: ...

    def existing(self, key: str) -> Any | None: ...

    def problems(self, line: int, row: Any) -> list[RowError]: ...

    def would_change(self, current: Any, row: Any) -> bool: ...

    async def create(self, uow: UnitOfWork, row: Any, now: datetime) -> None: ...

    async def update(self, uow: UnitOfWork, current: Any, row: Any, now: datetime) -> None: ...

    async def finish(self, uow: UnitOfWork, now: datetime) -> None:
        """After every row is applied, before the one flush and commit: publish what the rows changed."""
        ...


class CodeImporter:
    """Entities keyed by their own code, each row a full or partial state: created, or its fields changed
    (schools and staff)."""

    key = KEY

    def changes(self, row: Any) -> dict[str, Any]:
        raise NotImplementedError

    def new_entity(self, row: Any) -> Any:
        raise NotImplementedError

    async def record(self, uow: UnitOfWork, entity: Any) -> None:
        raise NotImplementedError

    def would_change(self, current: Any, row: Any) -> bool:
        return _would_change(current, self.changes(row))

    async def create(self, uow: UnitOfWork, row: Any, now: datetime) -> None:
        entity = self.new_entity(row)
        uow.session.add(entity)
        await self.record(uow, entity)

    async def update(self, uow: UnitOfWork, current: Any, row: Any, now: datetime) -> None:
        apply_changes(current, self.changes(row), now)
        await self.record(uow, current)

    async def finish(self, uow: UnitOfWork, now: datetime) -> None:
        return None


SAMPLE_CHUNK_ROWS = 200
"""Rows of generated sample data per transaction: about a tenth of a second of the write lock each on an
idle machine; seconds on one whose cores are shared many times over, which is why chunks stay small."""


async def import_rows(
    *, uow: UnitOfWork, importer: Importer, data: bytes, fmt: FileFormat, dry_run: bool
) -> ImportReport:
    """Check every row; apply them all (creating or updating by code) only if none is wrong."""

    def read() -> list[tuple[int, dict[str, Any]]]:
        if fmt is FileFormat.JSON:
            return read_json(data)
        return read_table_rows(data, TableFormat(fmt.value), columns=importer.columns)

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
    checked: CheckedRows[Any] = await asyncio.to_thread(check_rows, raw, importer.row_model, key=importer.key)
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
        current = importer.existing(str(getattr(row, importer.key)))
        if current is None:
            report.created += 1
            if not dry_run:
                await importer.create(uow, row, now)
        elif importer.would_change(current, row):
            report.updated += 1
            if not dry_run:
                await importer.update(uow, current, row, now)
        else:
            report.unchanged += 1
        if not dry_run and chunk_rows is not None and done % chunk_rows == 0:
            await importer.finish(uow, now)
            await uow.commit()  # the chunk is in; other writers get the lock before the next one
        elif done % 200 == 0:
            await asyncio.sleep(0)  # let the other requests in between rows of CPU work
    if not dry_run:
        await importer.finish(uow, now)
    if not dry_run:
        await uow.session.flush()
        await uow.commit()
        report.applied = True
    return report


def export_rows(records: list[dict[str, Any]], *, columns: list[str], fmt: FileFormat) -> bytes:
    """The columns an import reads, so an exported file can be edited and imported back."""
    if fmt is FileFormat.JSON:
        return json.dumps(
            [{name: record.get(name) for name in columns} for record in records],
            ensure_ascii=False,
            default=str,
        ).encode()
    return write_table(TableFormat(fmt.value), columns, rows_of(records, columns))


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


class SchoolImporter(CodeImporter):
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


class StaffImporter(CodeImporter):
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


class MembershipImporter:
    """Cluster memberships by cluster number and staff code, one period per row, applied in file order as
    the memberships concept applies them one at a time: a new open leader's period ends the previous
    leader's the day before; a known period (same cluster, person and first day) may be given its last day,
    never changed once it has one (history is closed, not rewritten; an empty cell keeps it)."""

    entity = "memberships"
    row_model = MembershipRow
    columns = membership_models.IMPORT_COLUMNS
    key = "period_key"

    def __init__(self) -> None:
        self.clusters: dict[int, Cluster] = {}
        self.people: dict[str, Staff] = {}
        self.periods: dict[str, ClusterMembership] = {}
        self.open_of: dict[tuple[int, str], date] = {}
        """The first day of each person's open period in a cluster, as the rows so far leave it."""
        self.open_leader: dict[int, tuple[str, date]] = {}
        self.touched_people: set[str] = set()
        self.touched_clusters: set[int] = set()

    async def preload(self, uow: UnitOfWork, rows: Sequence[tuple[int, MembershipRow]]) -> None:
        self.clusters = {
            cluster.cluster_no: cluster for cluster in (await uow.session.exec(select(Cluster))).all()
        }
        self.people = await _load_by_codes(uow, Staff, sorted({row.staff_code for _, row in rows}))
        wanted = sorted({row.cluster_no for _, row in rows} & set(self.clusters))
        query = select(ClusterMembership).where(col(ClusterMembership.cluster_no).in_(wanted))
        for member in (await uow.session.exec(query.order_by(col(ClusterMembership.valid_from)))).all():
            self.periods[period_key(member.cluster_no, member.staff_code, member.valid_from)] = member
            if member.valid_to is None:
                self.open_of[(member.cluster_no, member.staff_code)] = member.valid_from
                if member.role is MembershipRole.LEADER:
                    self.open_leader[member.cluster_no] = (member.staff_code, member.valid_from)

    def existing(self, key: str) -> ClusterMembership | None:
        return self.periods.get(key)

    def problems(self, line: int, row: MembershipRow) -> list[RowError]:
        found = []
        if row.cluster_no not in self.clusters:
            found.append(RowError(line, "cluster_no", f"cluster {row.cluster_no} does not exist"))
        if row.staff_code not in self.people:
            found.append(RowError(line, "staff_code", f"staff {row.staff_code} does not exist"))
        if row.valid_to is not None and row.valid_to < row.valid_from:
            found.append(RowError(line, "valid_to", "a period cannot end before it begins"))
        if found:
            return found
        current = self.periods.get(row.period_key)
        if current is not None:
            return self._known_period(line, row, current)
        if row.valid_to is not None:
            return []  # a closed period of the history: it appoints nobody now
        since = self.open_of.get((row.cluster_no, row.staff_code))
        if since is not None:
            message = (
                f"{row.staff_code} is already a current member of cluster {row.cluster_no} since {since}"
            )
            return [RowError(line, "staff_code", message)]
        if row.role is MembershipRole.LEADER:
            previous = self.open_leader.get(row.cluster_no)
            if previous is not None and row.valid_from <= previous[1]:
                message = (
                    f"a new leader must take office after {previous[1]}, when the current leader's "
                    "period began"
                )
                return [RowError(line, "valid_from", message)]
            if previous is not None:
                self.open_of.pop((row.cluster_no, previous[0]), None)
            self.open_leader[row.cluster_no] = (row.staff_code, row.valid_from)
        self.open_of[(row.cluster_no, row.staff_code)] = row.valid_from
        return []

    def _known_period(self, line: int, row: MembershipRow, current: ClusterMembership) -> list[RowError]:
        if row.role is not current.role:
            message = f"this period is {current.role}: end it and open a new one to change the role"
            return [RowError(line, "role", message)]
        if current.valid_to is not None and row.valid_to is not None and row.valid_to != current.valid_to:
            return [RowError(line, "valid_to", f"this period already ended on {current.valid_to}")]
        if row.valid_to is not None and current.valid_to is None:
            self.open_of.pop((row.cluster_no, row.staff_code), None)
            leader = self.open_leader.get(row.cluster_no)
            if leader is not None and leader[0] == row.staff_code:
                del self.open_leader[row.cluster_no]
        return []

    def would_change(self, current: ClusterMembership, row: MembershipRow) -> bool:
        return row.valid_to is not None and current.valid_to != row.valid_to

    async def create(self, uow: UnitOfWork, row: MembershipRow, now: datetime) -> None:
        cluster = self.clusters[row.cluster_no]
        if row.role is MembershipRole.LEADER and row.valid_to is None:
            previous = [
                member
                for member in self.periods.values()
                if member.cluster_no == row.cluster_no
                and member.role is MembershipRole.LEADER
                and member.valid_to is None
            ]
            membership_service.hand_over(
                cluster, previous, to=row.staff_code, starting=row.valid_from, now=now
            )
            self.touched_people.update(member.staff_code for member in previous)
            self.touched_clusters.add(row.cluster_no)
        membership = ClusterMembership(**row.model_dump())
        uow.session.add(membership)
        self.periods[row.period_key] = membership
        self.touched_people.add(row.staff_code)

    async def update(
        self, uow: UnitOfWork, current: ClusterMembership, row: MembershipRow, now: datetime
    ) -> None:
        current.valid_to = row.valid_to
        cluster = self.clusters[row.cluster_no]
        before = cluster.leader_staff_code
        membership_service.leader_steps_down(cluster, current, now)
        if cluster.leader_staff_code != before:
            self.touched_clusters.add(row.cluster_no)
        self.touched_people.add(row.staff_code)

    async def finish(self, uow: UnitOfWork, now: datetime) -> None:
        """Each person whose periods changed is published once (their state lists them), and each cluster
        whose leader changed."""
        await uow.session.flush()
        for code in sorted(self.touched_people):
            person = self.people.get(code) or await uow.session.get(Staff, code)
            assert person is not None  # a foreign key
            await staff_service.record_changed(uow, person, now=now)
        for cluster_no in sorted(self.touched_clusters):
            record_cluster(uow, self.clusters[cluster_no])
        self.touched_people.clear()
        self.touched_clusters.clear()


class CommuneContactsImporter:
    """The contacts of communes' People's Committees and Offices of Culture and Social Affairs, by GSO code;
    the communes themselves come from the seed (a code the registry does not know is an error)."""

    entity = "commune contacts"
    row_model = CommuneContactsRow
    columns = commune_models.CONTACT_COLUMNS
    key = "commune_code"

    def __init__(self) -> None:
        self.communes: dict[str, Commune] = {}
        self.district_names: dict[str, str] = {}

    async def preload(self, uow: UnitOfWork, rows: Sequence[tuple[int, CommuneContactsRow]]) -> None:
        codes = sorted({row.commune_code for _, row in rows})
        for start in range(0, len(codes), CHUNK):
            query = select(Commune).where(col(Commune.gso_code).in_(codes[start : start + CHUNK]))
            self.communes.update(
                {commune.gso_code: commune for commune in (await uow.session.exec(query)).all()}
            )
        self.district_names = dict(
            (await uow.session.exec(select(OldDistrict.gso_code, OldDistrict.name))).all()
        )

    def existing(self, key: str) -> Commune | None:
        return self.communes.get(key)

    def problems(self, line: int, row: CommuneContactsRow) -> list[RowError]:
        if row.commune_code not in self.communes:
            return [RowError(line, "commune_code", f"commune {row.commune_code} does not exist")]
        return []

    def _changes(self, row: CommuneContactsRow) -> dict[str, Any]:
        return row.model_dump(exclude_unset=True, exclude={"commune_code"})

    def would_change(self, current: Commune, row: CommuneContactsRow) -> bool:
        return _would_change(current, self._changes(row))

    async def create(self, uow: UnitOfWork, row: CommuneContactsRow, now: datetime) -> None:
        raise AssertionError("problems() refuses an unknown commune")  # pragma: no cover

    async def update(self, uow: UnitOfWork, current: Commune, row: CommuneContactsRow, now: datetime) -> None:
        apply_changes(current, self._changes(row), now)
        uow.record(
            full_state(
                CommuneStateV1, current, old_district_name=self.district_names[current.old_district_code]
            )
        )

    async def finish(self, uow: UnitOfWork, now: datetime) -> None:
        return None


class OfficeImporter(CodeImporter):
    """The Department's offices and the province-level recipient, with their duty contacts, by code."""

    entity = "offices"
    row_model = OfficeRow
    columns = office_models.IMPORT_COLUMNS

    def __init__(self) -> None:
        self.offices: dict[str, Office] = {}

    async def preload(self, uow: UnitOfWork, rows: Sequence[tuple[int, OfficeRow]]) -> None:
        self.offices = await _load_by_codes(uow, Office, [row.code for _, row in rows])

    def existing(self, code: str) -> Office | None:
        return self.offices.get(code)

    def problems(self, line: int, row: OfficeRow) -> list[RowError]:
        if row.active and not (row.email or row.phone or self._kept_contact(row)):
            return [RowError(line, "email", "an active office needs an email or a phone to be reached at")]
        return []

    def _kept_contact(self, row: OfficeRow) -> bool:
        current = self.offices.get(row.code)
        return current is not None and bool(
            ("email" not in row.model_fields_set and current.email)
            or ("phone" not in row.model_fields_set and current.phone)
        )

    def new_entity(self, row: OfficeRow) -> Office:
        return Office.model_validate(row)

    def changes(self, row: OfficeRow) -> dict[str, Any]:
        return row.model_dump(exclude_unset=True, exclude={"code"})

    async def record(self, uow: UnitOfWork, entity: Office) -> None:
        record_office(uow, entity)
