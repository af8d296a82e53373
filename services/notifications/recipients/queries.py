"""Resolves lookups (``Target``) to people and addresses from the registry replica and the settings, and a
token's subject to the recipient key it names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlmodel import col, select

from services.notifications.recipients.domain import (
    DepartmentContacts,
    DepartmentDesk,
    Recipient,
    Target,
    TargetKind,
    commune_office_key,
    office_key,
    people_committee_key,
    school_key,
    staff_key,
)
from services.notifications.replica.models import (
    ClusterReplica,
    CommuneReplica,
    MembershipReplica,
    OfficeReplica,
    SchoolReplica,
    StaffReplica,
)
from shared.db import UnitOfWork
from shared.events.notices import CommuneGroupV1, PrincipalGroupV1


async def resolve(
    *, uow: UnitOfWork, targets: Iterable[Target], department: DepartmentContacts, today: date
) -> list[Recipient]:
    """Everyone the targets name, once each, in a stable order."""
    found: dict[str, Recipient] = {}
    for target in targets:
        for recipient in await resolve_one(uow=uow, target=target, department=department, today=today):
            found.setdefault(recipient.key, recipient)
    return list(found.values())


async def resolve_one(
    *, uow: UnitOfWork, target: Target, department: DepartmentContacts, today: date
) -> Sequence[Recipient]:
    """The people one target names (nobody, when the registry has nobody there)."""
    session = uow.session
    if target.kind is TargetKind.DEPARTMENT:
        return [department.of(DepartmentDesk(target.scope))]
    if target.kind is TargetKind.COMMUNE_OFFICE:
        return await _commune_office(uow, target.scope)
    if target.kind is TargetKind.PROVINCE:
        return await _province(uow) or [department.leadership]
    if target.kind is TargetKind.PERSON:
        return [await person_of(uow=uow, subject=target.scope)]
    if target.kind is TargetKind.PEOPLE_COMMITTEE:
        commune = await session.get(CommuneReplica, target.scope)
        return [office] if commune is not None and (office := _people_committee(commune)) else []
    if target.kind in (TargetKind.COMMUNE_OFFICES_MATCHING, TargetKind.PEOPLE_COMMITTEES_MATCHING):
        of = _culture_office if target.kind is TargetKind.COMMUNE_OFFICES_MATCHING else _people_committee
        found = [
            of(commune) for commune in await _communes(uow, CommuneGroupV1.model_validate_json(target.scope))
        ]
        return [office for office in found if office is not None]
    if target.kind is TargetKind.SCHOOL_PRINCIPAL:
        school = await session.get(SchoolReplica, target.scope)
        if school is None or school.status != "active":
            return []
        principal = await session.get(StaffReplica, school.principal_staff_code or "")
        return [one] if (one := _principal_of(school, principal)) else []
    if target.kind is TargetKind.PRINCIPALS_MATCHING:
        schools = await _schools(uow, PrincipalGroupV1.model_validate_json(target.scope))
        codes = [school.principal_staff_code for school in schools if school.principal_staff_code]
        staff = {
            person.code: person
            for person in (
                await session.exec(select(StaffReplica).where(col(StaffReplica.code).in_(codes)))
            ).all()
        }
        found = [_principal_of(school, staff.get(school.principal_staff_code or "")) for school in schools]
        return [recipient for recipient in found if recipient is not None]
    cluster_no = int(target.scope)
    if target.kind is TargetKind.CLUSTER_LEADER:
        cluster = await session.get(ClusterReplica, cluster_no)
        codes = [cluster.leader_staff_code] if cluster and cluster.leader_staff_code else []
        if not codes:  # the cluster's state may lag its leader's: the membership says it too
            codes = await _members(uow, cluster_no, ("leader",), today)
    else:
        codes = await _members(uow, cluster_no, ("member", "unit_representative"), today)
    return await _people(uow, codes)


COMMUNE_OFFICER = "commune_officer"
"""The registry's role of a person who works for a commune (its Office of Culture and Social Affairs)."""


async def _commune_office(uow: UnitOfWork, gso_code: str) -> list[Recipient]:
    """The Office of Culture and Social Affairs: its contact, if the registry has one, and the commune's
    officers (people with the ``commune_officer`` role there). Nobody when it has neither."""
    commune = await uow.session.get(CommuneReplica, gso_code)
    if commune is None:
        return []
    found = []
    if commune.culture_office_email or commune.culture_office_phone:
        name = f"Phòng Văn hóa - Xã hội {commune.name}"
        if commune.culture_office_head:
            name = f"{commune.culture_office_head} ({name})"
        found.append(
            Recipient(
                commune_office_key(commune.gso_code),
                name,
                commune.culture_office_email,
                commune.culture_office_phone,
            )
        )
    query = (
        select(StaffReplica)
        .where(col(StaffReplica.commune_code) == gso_code, col(StaffReplica.active))
        .order_by(col(StaffReplica.code))
    )
    officers = [person for person in (await uow.session.exec(query)).all() if COMMUNE_OFFICER in person.roles]
    return found + [_person(officer) for officer in officers]


async def _province(uow: UnitOfWork) -> list[Recipient]:
    """The province-level recipients the registry names, active and with an address."""
    query = (
        select(OfficeReplica)
        .where(col(OfficeReplica.kind) == "province", col(OfficeReplica.active))
        .order_by(col(OfficeReplica.code))
    )
    return [
        Recipient(
            office_key(office.code),
            f"{office.duty_contact} ({office.name})" if office.duty_contact else office.name,
            office.email,
            office.phone,
        )
        for office in (await uow.session.exec(query)).all()
        if office.email or office.phone
    ]


async def _members(uow: UnitOfWork, cluster_no: int, roles: Sequence[str], today: date) -> list[str]:
    query = select(MembershipReplica.staff_code).where(
        col(MembershipReplica.cluster_no) == cluster_no,
        col(MembershipReplica.role).in_(roles),
        col(MembershipReplica.valid_from) <= today,
        (col(MembershipReplica.valid_to).is_(None)) | (col(MembershipReplica.valid_to) >= today),
    )
    return list(dict.fromkeys((await uow.session.exec(query)).all()))


async def _people(uow: UnitOfWork, codes: Sequence[str]) -> list[Recipient]:
    if not codes:
        return []
    query = select(StaffReplica).where(col(StaffReplica.code).in_(codes), col(StaffReplica.active))
    by_code = {staff.code: staff for staff in (await uow.session.exec(query)).all()}
    return [_person(by_code[code]) for code in codes if code in by_code]


def _person(staff: StaffReplica, addressee: str | None = None) -> Recipient:
    return Recipient(staff_key(staff.code), staff.full_name, staff.email, staff.phone, addressee)


def _principal_of(school: SchoolReplica, principal: StaffReplica | None) -> Recipient | None:
    """A school's principal, or without one known the school's own contacts; a notice's addressee is the
    school either way."""
    addressee = school_key(school.code)
    if principal is not None and principal.active:
        return _person(principal, addressee)
    if school.email or school.phone:
        return Recipient(
            addressee, school.principal_name or school.name, school.email, school.phone, addressee
        )
    return None


def _culture_office(commune: CommuneReplica) -> Recipient | None:
    if not (commune.culture_office_email or commune.culture_office_phone):
        return None
    name = f"Phòng Văn hóa - Xã hội {commune.name}"
    if commune.culture_office_head:
        name = f"{commune.culture_office_head} ({name})"
    key = commune_office_key(commune.gso_code)
    return Recipient(key, name, commune.culture_office_email, commune.culture_office_phone, key)


def _people_committee(commune: CommuneReplica) -> Recipient | None:
    if not (commune.people_committee_email or commune.people_committee_phone):
        return None
    key = people_committee_key(commune.gso_code)
    name = f"UBND {commune.name}"
    if commune.people_committee_head:
        name = f"{commune.people_committee_head} ({name})"
    return Recipient(key, name, commune.people_committee_email, commune.people_committee_phone, key)


async def _schools(uow: UnitOfWork, group: PrincipalGroupV1) -> Sequence[SchoolReplica]:
    """Active schools matching every list the group gives (none: every active school)."""
    query = select(SchoolReplica).where(col(SchoolReplica.status) == "active")
    if group.cluster_nos:
        query = query.where(col(SchoolReplica.cluster_no).in_(group.cluster_nos))
    if group.commune_codes:
        query = query.where(col(SchoolReplica.commune_code).in_(group.commune_codes))
    if group.levels:
        query = query.where(col(SchoolReplica.level).in_([str(level) for level in group.levels]))
    return (await uow.session.exec(query.order_by(col(SchoolReplica.code)))).all()


async def _communes(uow: UnitOfWork, group: CommuneGroupV1) -> Sequence[CommuneReplica]:
    """Every commune, or those of the group's clusters and those it names."""
    query = select(CommuneReplica)
    if not group.all_communes:
        condition = col(CommuneReplica.cluster_no).in_(group.cluster_nos) | col(CommuneReplica.gso_code).in_(
            group.commune_codes
        )
        query = query.where(condition)
    return (await uow.session.exec(query.order_by(col(CommuneReplica.gso_code)))).all()


async def person_of(*, uow: UnitOfWork, subject: str) -> Recipient:
    """The person a token's subject names: a staff member (by code or email) with their addresses; else
    the subject itself, written to by email when it is an address, and always in its inbox."""
    key = await person_key_of(uow=uow, subject=subject)
    if key.startswith("staff:"):
        staff = await uow.session.get(StaffReplica, key.removeprefix("staff:"))
        if staff is not None:
            return _person(staff)
    return Recipient(key, subject, subject if "@" in subject else None)


async def person_key_of(*, uow: UnitOfWork, subject: str) -> str:
    """The recipient key of a token's subject: a staff code, or a staff member's email, else the subject.

    Office and desk keys (``commune-office:…``, ``department:…``) may be used as subjects as they are.
    """
    prefixes = ("staff", "school", "commune-office", "people-committee", "department", "office")
    if ":" in subject and subject.split(":", 1)[0] in prefixes:
        return subject
    staff = await uow.session.get(StaffReplica, subject)
    if staff is None and "@" in subject:
        query = select(StaffReplica).where(col(StaffReplica.email) == subject)
        staff = (await uow.session.exec(query)).first()
    return staff_key(staff.code) if staff is not None else subject
