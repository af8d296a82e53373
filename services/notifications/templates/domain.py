"""Rendering templates in jinja2's sandbox, what they render from, and the plain fallback text when a
template fails.

Templates are data an administrator edits, so they are untrusted: the sandbox refuses attribute tricks
(``__class__`` and friends), and ``StrictUndefined`` turns a misspelt variable into an error rather than
an empty gap in a message about a drowning. At delivery time that error must not lose the message: the
fallback text says what happened in plain words, built from facts every event has.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from services.notifications.labels.domain import RECIPIENT_ROLES, event_type_label, incident_labels, label
from services.notifications.recipients.domain import EventFacts
from shared.clock import VIETNAM


class Language(StrEnum):
    VI = "vi"
    EN = "en"


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


# What a template can use: the event's JSON, and names the event only has as codes.

PRIVATE_FIELDS = frozenset({"reporter_subject"})
"""Fields of an event that name a person: the fan-out reads them, templates and webhooks never see them."""


def event_context(
    facts: EventFacts,
    payload: Mapping[str, Any],
    *,
    school_name: str | None = None,
    commune_name: str | None = None,
) -> dict[str, Any]:
    """The part of the context every recipient shares; kept with the source event for rendering later."""
    local = facts.occurred_at.astimezone(VIETNAM)
    return {
        "event_type": facts.event_type,
        "event": {name: value for name, value in payload.items() if name not in PRIVATE_FIELDS},
        "reference": facts.reference or "",
        "severity": facts.severity or "",
        "restricted": facts.restricted,
        "cluster_nos": list(facts.cluster_nos),
        "school": {"code": facts.school_code, "name": school_name or facts.school_code}
        if facts.school_code
        else None,
        "commune": (
            {"code": facts.commune_code, "name": commune_name or facts.commune_code}
            if facts.commune_code
            else None
        ),
        "occurred_at": local.isoformat(),
        "occurred_at_local": local.strftime("%H:%M %d/%m/%Y"),
    }


def recipient_context(
    base: Mapping[str, Any],
    *,
    recipient_name: str,
    language: Language,
    stands_in_for: Sequence[str] = (),
    recipient_key: str | None = None,
) -> dict[str, Any]:
    """The shared context with what one recipient reads: their name, and every code the event carries
    as words in their language (``category_label``, ``severity_label``, ``status_label``, roles, levels,
    deadlines, ``vacancies``), ``where`` (the school and commune), the roles nobody holds that they
    hear for (``stands_in_for``), and what the event gives them alone (``per_recipient``: a notice's
    signed links, as ``recipient.open_url`` and the like)."""
    commune = base.get("commune") or {}
    school = base.get("school") or {}
    places = [name for name in (school.get("name"), commune.get("name")) if name]
    own = (base.get("per_recipient") or {}).get(recipient_key or "", {})
    return {
        **base,
        "recipient": {**own, "name": recipient_name},
        "language": language.value,
        "where": ", ".join(places) or ("chưa rõ nơi" if language is Language.VI else "place not yet known"),
        "event_label": event_type_label(str(base.get("event_type") or ""), language),
        **incident_labels(base.get("event") or {}, language, commune_name=commune.get("name")),
        "stands_in_for": [label(RECIPIENT_ROLES, role, language) for role in stands_in_for],
    }


def local_date(value: str | date | None) -> str:
    """A template filter: a date as people in Nghe An write it, ``20/04/2026``."""
    if value is None:
        return "—"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y")


def unaccent(value: object) -> str:
    """A template filter: Vietnamese without its marks, for SMS (``Ngộ độc`` → ``Ngo doc``)."""
    text = unicodedata.normalize("NFD", str(value)).replace("đ", "d").replace("Đ", "D")
    return "".join(char for char in text if not unicodedata.combining(char))


def local_time(value: str | datetime | None) -> str:
    """A template filter: an event's UTC time as people in Nghe An read it, ``17:19 23/11/2026``."""
    if value is None:
        return "—"  # an optional time the event does not have (no registration deadline, say)
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"{value} has no time zone; event times are UTC")
    return moment.astimezone(VIETNAM).strftime("%H:%M %d/%m/%Y")


class TemplateProblem(Exception):
    """A template that cannot render: which part (``subject`` or ``body``) and why, in plain words."""

    def __init__(self, part: str, reason: str) -> None:
        super().__init__(f"{part}: {reason}")
        self.part = part
        self.reason = reason


MAX_OUTPUT_CHARS = 100_000
"""Far more than any message needs; a template that writes more is stopped, not sent."""
MAX_EXPONENT = 64


class _BoundedSandbox(SandboxedEnvironment):
    """The sandbox stops attribute tricks but not size: ``"x" * 10**9`` or ``9 ** 9 ** 9`` would take the
    worker's memory or CPU. Intercepting ``*`` and ``**`` bounds them (and stops jinja2 folding them at
    compile time, where they would run unchecked)."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponents above {MAX_EXPONENT} are not allowed in a template")
        if operator == "*":
            sized, times = (left, right) if hasattr(left, "__len__") else (right, left)
            if hasattr(sized, "__len__") and isinstance(times, int) and len(sized) * times > MAX_OUTPUT_CHARS:
                raise SecurityError(f"a template may not build more than {MAX_OUTPUT_CHARS} characters")
        return super().call_binop(context, operator, left, right)


class TemplateRenderer:
    """One sandbox for the service; compiled templates are kept by their source text."""

    def __init__(self, *, cache_size: int = 512) -> None:
        self._environment = _BoundedSandbox(undefined=StrictUndefined, autoescape=False)
        self._environment.filters["local_time"] = local_time
        self._environment.filters["local_date"] = local_date
        self._environment.filters["unaccent"] = unaccent
        self._compiled: dict[str, Any] = {}
        self._cache_size = cache_size

    def check_syntax(self, part: str, source: str) -> None:
        self._compile(part, source)

    def render(self, *, subject: str, body: str, context: Mapping[str, Any]) -> Rendered:
        return Rendered(self._render("subject", subject, context), self._render("body", body, context))

    def _render(self, part: str, source: str, context: Mapping[str, Any]) -> str:
        template = self._compile(part, source)
        try:
            return _bounded_text(template.generate(context)).strip()
        except TemplateError as exc:
            raise TemplateProblem(part, exc.message or type(exc).__name__) from exc
        except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError) as exc:
            # a filter given the wrong thing, or a macro calling itself
            raise TemplateProblem(part, f"{type(exc).__name__}: {exc}") from exc

    def _compile(self, part: str, source: str) -> Any:
        template = self._compiled.get(source)
        if template is None:
            try:
                template = self._environment.from_string(source)
            except TemplateError as exc:
                line = getattr(exc, "lineno", None)
                where = f" (line {line})" if line else ""
                raise TemplateProblem(part, f"{exc.message}{where}") from exc
            except (ValueError, ArithmeticError, RecursionError) as exc:  # constant folding gone wrong
                raise TemplateProblem(part, f"{type(exc).__name__}: {exc}") from exc
            if len(self._compiled) >= self._cache_size:
                self._compiled.clear()
            self._compiled[source] = template
        return template


def _bounded_text(chunks: Iterator[str]) -> str:
    """The rendered text, stopped as soon as it passes ``MAX_OUTPUT_CHARS``."""
    parts, size = [], 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise SecurityError(f"the template writes more than {MAX_OUTPUT_CHARS} characters")
        parts.append(chunk)
    return "".join(parts)


def fallback_message(context: Mapping[str, Any], language: Language) -> Rendered:
    """What is sent when the template fails: plain, complete enough to act on, never empty."""
    what = context.get("event_label") or event_type_label(str(context.get("event_type") or ""), language)
    reference = context.get("reference") or ""
    category = context.get("category_label") or ""
    severity = context.get("severity_label") or ""
    school = (context.get("school") or {}).get("name") or ""
    commune = (context.get("commune") or {}).get("name") or ""
    where = ", ".join(part for part in (school, commune) if part)
    # an incident's one-click link (a notice's links say "đã nhận", not "tiếp nhận", and stay out)
    incident = "incidents.incident." in str(context.get("event_type") or "")
    link = (context.get("recipient") or {}).get("acknowledge_url") if incident else None
    if language is Language.VI:
        subject = f"[Thông báo] {what} {reference}".strip()
        lines = [f"Sự việc: {what}", f"Mã: {reference}", f"Loại: {category}", f"Mức độ: {severity}"]
        lines += [f"Nơi: {where}"]
        lines += [f"Tiếp nhận ngay: {link}"] if link else []
        lines += ["(Mẫu thông báo bị lỗi; đây là nội dung thay thế.)"]
    else:
        subject = f"[Notice] {what} {reference}".strip()
        lines = [f"What: {what}", f"Reference: {reference}", f"Kind: {category}", f"Severity: {severity}"]
        lines += [f"Where: {where}"]
        lines += [f"Take it in hand now: {link}"] if link else []
        lines += ["(The message template failed; this is the fallback text.)"]
    return Rendered(subject, "\n".join(line for line in lines if not line.endswith(": ")))
