"""Imports every event module so that the catalog knows every type; consumers import this, not the parts."""

from shared.events import (
    activities,  # noqa: F401 - registers the activities service's event types
    incidents,  # noqa: F401 - registers the incidents service's event types
    notices,  # noqa: F401 - registers the notices service's event types
    notifications,  # noqa: F401 - registers the notifications service's event types
    registry,  # noqa: F401 - registers the registry's event types
)
from shared.events.base import all_event_specs, spec_for_type

__all__ = ["all_event_specs", "spec_for_type"]
