"""JSON logs that carry the service name and, when known, the event id and trace id of the work at hand."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic_core import PydanticSerializationError, to_json

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


_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the traceback if any, then the
    record's extra fields (the service, the context's event and trace ids among them).

    The keys and their order are python-json-logger's, which this replaces because it cost ~70 us a
    line, and a consumer writes one line per event. The document is written by pydantic-core's
    serialiser (a third of ``json.dumps``'s time), and the time's date and clock part is formatted once
    a second rather than for every line.
    """

    _second: tuple[int, str] = (-1, "")
    """The last second formatted, and how: one tuple, so a thread never sees half of an update."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        second, formatted = self._second
        if int(record.created) != second:
            formatted = time.strftime(self.default_time_format, self.converter(record.created))
            self._second = (int(record.created), formatted)
        return f"{formatted},{int(record.msecs):03d}"  # logging's default_msec_format

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        if record.exc_text:
            document["exc_info"] = record.exc_text
        if record.stack_info:
            document["stack_info"] = self.formatStack(record.stack_info)
        for name, value in record.__dict__.items():
            if name not in _STANDARD:
                document[name] = value
        try:
            return to_json(document, fallback=_jsonable).decode()
        except (PydanticSerializationError, UnicodeError, ValueError):  # a lone surrogate, say
            return json.dumps(document, default=_jsonable)


def _jsonable(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def configure_logging(service_name: str, level: int | str = logging.INFO) -> None:
    """Send the root logger's records to stderr as JSON lines. Calling it again replaces the handler."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonLines())
    # The lines carry none of where a call came from, nor process and thread: the logging docs'
    # "Optimization" knobs, worth a third of a line's cost (a consumer logs each event).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler.addFilter(_ContextFilter(service_name))
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request it sends at INFO: one line per webhook, SMS and gateway call, which the
    # delivery attempts already record (with the outcome). Its warnings still come through.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
