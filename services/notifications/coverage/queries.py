"""Who hears of an event (the fan-out's audience), and the coverage report: for every commune, who would
hear of an incident there at each severity, by the rules and the registry replica as they stand now."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select

from services.notifications.coverage.domain import Audience, Vacancy, falls_through, vacancy_scope
from services.notifications.coverage.models import (
    CommuneCoveragePublic,
    CoveragePublic,
    DeskPublic,
    GapPublic,
    HeardPublic,
    SeverityCoveragePublic,
)
from services.notifications.labels.domain import LEVELS, RECIPIENT_ROLES, SEVERITIES, VI, label, vacancies
from services.notifications.recipients import queries as recipients
from services.notifications.recipients.domain import (
    DUTY_DESK,
    LEADERSHIP,
    DepartmentContacts,
    EventFacts,
    Recipient,
    Target,
    TargetKind,
    office_key,
    targets_for,
)
from services.notifications.replica.models import CommuneReplica
from services.notifications.rules import service as rules
from services.notifications.rules.domain import SEVERITY_RANK, RuleSpec, matches
from services.notifications.rules.models import Rule
from shared.db import UnitOfWork
from shared.events.incidents import IncidentReportedV1


@dataclass
class Resolver:
    """Resolves lookups once each: a report over every commune asks for the same cluster many times."""

    uow: UnitOfWork
    department: DepartmentContacts
    today: date
    _found: dict[Target, list[Recipient]] = field(default_factory=dict)

    async def people(self, targets: Sequence[Target]) -> list[Recipient]:
        found: list[Recipient] = []
        for target in targets:
            if target not in self._found:
                self._found[target] = list(
                    await recipients.resolve_one(
                        uow=self.uow, target=target, department=self.department, today=self.today
                    )
                )
            found.extend(self._found[target])
        return found


async def audience(
    *,
    uow: UnitOfWork,
    facts: EventFacts,
    department: DepartmentContacts,
    today: date,
    matched: Sequence[RuleSpec] | None = None,
    resolver: Resolver | None = None,
) -> Audience:
    """Everyone the matching rules name for the event, and the chain's roles nobody holds (the duty desk
    stands in for each of those)."""
    if matched is None:
        matched = await rules.matching_rules(uow=uow, facts=facts)
    resolver = resolver or Resolver(uow, department, today)
    heard = Audience()
    for rule in matched:
        for role in rule.roles:
            targets = targets_for(role, facts)
            people = await resolver.people(targets)
            heard.note(role, targets, people)
            if people:
                heard.add(people, role=role, channels=rule.channels)
            elif falls_through(role, facts):
                vacancy = Vacancy(role, vacancy_scope(role, facts))
                if vacancy not in heard.vacancies:
                    heard.vacancies.append(vacancy)
                desk = await resolver.people([DUTY_DESK])  # the imported office, else the settings' desk
                heard.add(desk, role=role, channels=rule.channels, standing_in=True)
    return heard


SEVERITIES_MOST_SEVERE_FIRST = sorted(SEVERITY_RANK, key=SEVERITY_RANK.__getitem__, reverse=True)


async def coverage(
    *,
    uow: UnitOfWork,
    department: DepartmentContacts,
    now: datetime,
    today: date,
    cluster_no: int | None = None,
    nobody_local_only: bool = False,
) -> CoveragePublic:
    """For every commune in the replica (or a cluster's), who would hear of a report there at each
    severity: the rules for a reported incident that is not restricted, resolved as the fan-out would."""
    query = select(CommuneReplica).order_by(
        col(CommuneReplica.cluster_no).is_(None), col(CommuneReplica.cluster_no), col(CommuneReplica.name)
    )
    if cluster_no is not None:
        query = query.where(col(CommuneReplica.cluster_no) == cluster_no)
    communes = (await uow.session.exec(query)).all()
    stored = await uow.session.exec(
        select(Rule).where(col(Rule.event_type) == IncidentReportedV1.event_type, col(Rule.enabled))
    )
    reported_rules = [rules.spec_of(rule) for rule in stored.all()]
    resolver = Resolver(uow, department, today)
    items = []
    for commune in communes:
        items.append(await _commune(uow, commune, reported_rules, resolver, department, now, today))
    gap_counts = Counter(gap.role for item in items for gap in item.gaps)
    shown = [item for item in items if item.nobody_local or not nobody_local_only]
    return CoveragePublic(
        generated_at=now,
        desks=await _desks(resolver),
        communes=len(items),
        nobody_local=sum(item.nobody_local for item in items),
        gaps=dict(sorted(gap_counts.items())),
        items=shown,
    )


DESKS = (
    ("duty-desk", "department_office", DUTY_DESK),
    ("leadership", "department_leadership", LEADERSHIP),
    ("province", "province", Target(TargetKind.PROVINCE, "province")),
)
"""The Department's desks and the province step, each by the chain level that names it."""


async def _desks(resolver: Resolver) -> list[DeskPublic]:
    """Who each desk reaches today, and whether the imported offices name them (else: settings)."""
    desks = []
    for desk, level, target in DESKS:
        people = await resolver.people([target])
        desks.append(
            DeskPublic(
                desk=desk,
                desk_label=label(LEVELS, level, VI),
                from_offices=any(person.key.startswith(office_key("")) for person in people),
                people=[
                    HeardPublic(
                        key=person.key,
                        name=person.name,
                        email=person.email,
                        phone=person.phone,
                        channels=[],
                        roles=[],
                        role_labels=[],
                        stands_in_for=[],
                        stands_in_for_labels=[],
                    )
                    for person in people
                ],
            )
        )
    return desks


async def _commune(
    uow: UnitOfWork,
    commune: CommuneReplica,
    reported_rules: Sequence[RuleSpec],
    resolver: Resolver,
    department: DepartmentContacts,
    now: datetime,
    today: date,
) -> CommuneCoveragePublic:
    severities, vacant = [], []
    nobody_local = False
    for severity in SEVERITIES_MOST_SEVERE_FIRST:
        facts = EventFacts(
            event_id=f"coverage:{commune.gso_code}:{severity}",
            event_type=IncidentReportedV1.event_type,
            occurred_at=now,
            severity=severity,
            cluster_nos=(commune.cluster_no,) if commune.cluster_no is not None else (),
            commune_code=commune.gso_code,
        )
        matched = [rule for rule in reported_rules if matches(rule, facts)]
        heard = await audience(
            uow=uow, facts=facts, department=department, today=today, matched=matched, resolver=resolver
        )
        nobody_local = nobody_local or heard.unreached
        vacant += [v.role.value for v in heard.vacancies if v.role.value not in vacant]
        severities.append(
            SeverityCoveragePublic(
                severity=severity,
                severity_label=label(SEVERITIES, severity, VI),
                reaches_locally=heard.local_reached,
                heard=[
                    HeardPublic(
                        key=item.recipient.key,
                        name=item.recipient.name,
                        email=item.recipient.email,
                        phone=item.recipient.phone,
                        channels=sorted(item.channels),
                        roles=[role.value for role in item.roles],
                        role_labels=[label(RECIPIENT_ROLES, role, VI) for role in item.roles],
                        stands_in_for=[role.value for role in item.stands_in_for],
                        stands_in_for_labels=[
                            label(RECIPIENT_ROLES, role, VI) for role in item.stands_in_for
                        ],
                    )
                    for item in heard.heard.values()
                ],
            )
        )
    texts = {
        role: vacancies([role], cluster_no=commune.cluster_no, commune_name=commune.name, language=VI)
        for role in vacant
    }
    return CommuneCoveragePublic(
        commune_code=commune.gso_code,
        commune_name=commune.name,
        cluster_no=commune.cluster_no,
        nobody_local=nobody_local,
        gaps=[GapPublic(role=role, text=" ".join(texts[role])) for role in vacant],
        severities=severities,
    )
