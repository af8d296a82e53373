"""What the world is told about an entity: its full current state, as the event schema defines it."""

from __future__ import annotations

from typing import Any, TypeVar

from shared.events import EventPayload

State = TypeVar("State", bound=EventPayload)


def full_state(state_class: type[State], entity: object, **derived: Any) -> State:
    """Build a state event from an entity's attributes plus the fields derived elsewhere.

    ``derived`` holds what the entity's own row does not (a school's cluster comes through its commune);
    the event schema validates the result, so a missing or wrong field fails here, not in a consumer.
    """
    fields = {name: getattr(entity, name) for name in state_class.model_fields if hasattr(entity, name)}
    return state_class.model_validate({**fields, **derived})
