"""JSON logs that carry the service name and, when known, the event id and trace id of the work at hand."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

_fields: ContextVar[dict[str, str] | None] = ContextVar("log_fields", default=None)
_HANDLER_NAME = "edu-clusters-json"


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Every log record written inside carries these fields (``None`` values are left out)."""
    token = _fields.set({**(_fields.get() or {}), **{k: v for k, v in fields.items() if v is not None}})
    try:
        yield
    finally:
        _fields.reset(token)


class _ContextFilter(logging.Filter):
    def __init__(self, service_name: str) -> None:
        super().__init__()
        self.service_name = service_name

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service_name
        for name, value in (_fields.get() or {}).items():
            setattr(record, name, value)
        return True


def configure_logging(service_name: str, level: int | str = logging.INFO) -> None:
    """Send the root logger's records to stderr as JSON lines. Calling it again replaces the handler."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_ContextFilter(service_name))
    root.addHandler(handler)
    root.setLevel(level)
