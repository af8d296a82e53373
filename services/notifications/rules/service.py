"""Use cases of the rules: seed the defaults, list and edit them, and find those an event matches."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import col, select

from services.notifications.recipients.domain import EventFacts, RecipientRole
from services.notifications.rules.domain import SEVERITY_RANK, Priority, RuleSpec, matches
from services.notifications.rules.models import Rule, RuleCreate, RuleUpdate
from services.notifications.rules.seed import default_rules
from shared.db import UnitOfWork
from shared.errors import NotFound, Unprocessable
from shared.events.catalog import all_event_specs
from shared.events.notifications import DeliveryChannel
from shared.events.topics import ACTIVITY_EVENTS, INCIDENT_EVENTS, NOTICE_EVENTS

NOTIFIABLE_TOPICS = (INCIDENT_EVENTS.name, ACTIVITY_EVENTS.name, NOTICE_EVENTS.name)

RULES_CHANGED = "notifications.rules-changed"
"""The wake-up signal of a committed change to the rules: the fan-out forgets the rules it kept."""

RulesByType = Mapping[str, tuple[RuleSpec, ...]]
"""The enabled rules by event type, in the order they were made."""


def notifiable_event_types() -> list[str]:
    return [spec.event_type for spec in all_event_specs() if spec.topic.name in NOTIFIABLE_TOPICS]


async def seed_rules(*, uow: UnitOfWork) -> None:
    """Add the default rules that are missing; an edited or disabled default stays as the admin left it."""
    existing = set((await uow.session.exec(select(Rule.code))).all())
    for rule in default_rules():
        if rule.code not in existing:
            uow.session.add(rule)
    uow.wake_after_commit(RULES_CHANGED)
    await uow.commit()


async def list_rules(*, uow: UnitOfWork) -> Sequence[Rule]:
    return (await uow.session.exec(select(Rule).order_by(col(Rule.id)))).all()


async def create_rule(*, uow: UnitOfWork, rule: RuleCreate) -> Rule:
    _check(rule.event_type, rule.min_severity)
    stored = Rule.model_validate(rule)
    uow.session.add(stored)
    uow.wake_after_commit(RULES_CHANGED)
    await uow.commit()
    await uow.session.refresh(stored)
    return stored


async def update_rule(*, uow: UnitOfWork, rule_id: int, changes: RuleUpdate) -> Rule:
    stored = await uow.session.get(Rule, rule_id)
    if stored is None:
        raise NotFound(f"rule {rule_id} does not exist", field="rule_id")
    update = changes.model_dump(exclude_unset=True)
    _check(stored.event_type, update.get("min_severity", stored.min_severity))
    stored.sqlmodel_update(update)
    uow.session.add(stored)
    uow.wake_after_commit(RULES_CHANGED)
    await uow.commit()
    await uow.session.refresh(stored)
    return stored


async def matching_rules(*, uow: UnitOfWork, facts: EventFacts) -> list[RuleSpec]:
    """The enabled rules the event matches, read now (the coverage report; the fan-out keeps them)."""
    return matching(await enabled_rules(uow), facts)


async def enabled_rules(uow: UnitOfWork) -> RulesByType:
    """Every enabled rule, by event type: what the fan-out keeps (``shared.db.kept``)."""
    by_type: dict[str, list[RuleSpec]] = {}
    query = select(Rule).where(col(Rule.enabled)).order_by(col(Rule.id))
    for rule in (await uow.session.exec(query)).all():
        by_type.setdefault(rule.event_type, []).append(spec_of(rule))
    return {event_type: tuple(specs) for event_type, specs in by_type.items()}


def matching(rules: RulesByType, facts: EventFacts) -> list[RuleSpec]:
    """The enabled rules the event matches."""
    return [spec for spec in rules.get(facts.event_type, ()) if matches(spec, facts)]


def spec_of(rule: Rule) -> RuleSpec:
    return RuleSpec(
        event_type=rule.event_type,
        roles=tuple(RecipientRole(role) for role in rule.roles),  # JSON hands them back as plain strings
        channels=tuple(DeliveryChannel(channel) for channel in rule.channels),
        min_severity=rule.min_severity,
        restricted=rule.restricted,
        cluster_nos=tuple(rule.cluster_nos),
        priority=Priority(rule.priority) if rule.priority else None,
    )


def _check(event_type: str, min_severity: str | None) -> None:
    if event_type not in notifiable_event_types():
        raise Unprocessable(
            f"{event_type!r} is not an incident, activity or notice event type", field="event_type"
        )
    if min_severity is not None and min_severity not in SEVERITY_RANK:
        raise Unprocessable(f"min_severity must be one of {', '.join(SEVERITY_RANK)}", field="min_severity")
