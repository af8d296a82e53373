"""What a service builds while starting (modules, the app, its routes, models and caches) lives as long as
the process: moved out of the garbage collector's sight once, it is never traversed again.

CPython's oldest-generation collection walks every tracked object; in a started service that is some
200,000 objects, tens of milliseconds during which no request or event moves, every few seconds under
load. ``gc.freeze()`` (the CPython documentation's advice for long-lived processes) puts the objects that
exist once start-up is over into a permanent generation. It is done once per process: a test session
that starts many apps freezes only the first's start-up, and nothing it makes later piles up there.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_heap() -> bool:
    """Collect what start-up left over, then freeze the rest; ``False`` if this process already did."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect()
    gc.freeze()
    return True
