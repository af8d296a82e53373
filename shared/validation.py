"""What people type, checked where they type it: names and titles on one line, free text without control
characters, email addresses, Vietnamese phone numbers.

A name with a line break in it is accepted once and then breaks everything downstream that puts it on one
line: an email's Subject, a CSV cell, a log line. So every service refuses it at the edge, with a 422 that
names the field, instead of every consumer having to cope.

Two ways to use each check, both raising ``ValueError`` (which pydantic reports naming the field):

- as a type, on plain pydantic input models: ``title: SingleLine = Field(max_length=200)``;
- as a validator, on SQLModel input models whose fields come from a table's base class (the table and the
  read model share those fields, so the check must not be on the base: a row stored before the check
  existed must still be readable): ``_lines = field_validator("name", "address")(single_line)``.

Email addresses are checked with email-validator (syntax only, no DNS: the registry must accept an address
whose mail server is down today) and stored in its normalised form. Phone numbers are Vietnamese numbers,
stored without their separators.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator

Text = TypeVar("Text", str, str | None)

LINE_BREAKS_AND_TABS = frozenset("\n\r\t")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: a name that reads one way and is stored another ("Trojan source")."""


def _forbidden(char: str, allowed: frozenset[str]) -> bool:
    if char in allowed:
        return False
    # Cc: C0 and C1 controls and DEL (CR, LF, NUL, ESC...). Zl/Zp: U+2028 and U+2029, which str.splitlines
    # and many mail clients and spreadsheets treat as line breaks.
    return unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI_CONTROLS


def _check(value: Text, *, allowed: frozenset[str], what: str) -> Text:
    if value is None:
        return value
    for char in value:
        if _forbidden(char, allowed):
            raise ValueError(f"{what} (found U+{ord(char):04X})")
    return value


def single_line(value: Text) -> Text:
    """A name, a title, an address line: no line break, tab or other control character."""
    return _check(
        value, allowed=frozenset(), what="must be one line, without line breaks or control characters"
    )


def free_text(value: Text) -> Text:
    """A description, a note, a reason: line breaks and tabs are fine, other control characters are not."""
    return _check(value, allowed=LINE_BREAKS_AND_TABS, what="must not contain control characters")


def email_address(value: Text) -> Text:
    """A single email address (no display name), in its normalised ASCII form: refused if it is not one.

    Non-ASCII local parts are refused: they need SMTPUTF8, which the Department's relay may not offer, and
    the mail could never be sent. A non-ASCII domain is kept in its IDNA (``xn--``) form, the one SMTP
    carries.
    """
    if value is None:
        return value
    single_line(value)
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(f"is not a valid email address: {exc}") from None
    return checked.ascii_email or checked.normalized


PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
VIETNAMESE_PHONE = re.compile(r"^(?:\+84|0)[0-9]{9,10}$")


def vietnamese_phone(value: Text) -> Text:
    """A Vietnamese number, ``0`` or ``+84`` and 9 or 10 digits (mobile 09x…, landline 0238…), stored
    without the spaces, dots, dashes or brackets people write it with: "0238 3.844.123" → "02383844123"."""
    if value is None:
        return value
    single_line(value)
    compact = PHONE_SEPARATORS.sub("", value)
    if not VIETNAMESE_PHONE.fullmatch(compact):
        raise ValueError(
            "is not a Vietnamese phone number: 0 or +84 and then 9 or 10 digits (spaces, dots and dashes "
            "are allowed)"
        )
    return compact


SingleLine = Annotated[str, AfterValidator(single_line)]
FreeText = Annotated[str, AfterValidator(free_text)]
EmailAddress = Annotated[str, AfterValidator(email_address)]
VietnamesePhone = Annotated[str, AfterValidator(vietnamese_phone)]


def one_line(text: str) -> str:
    """Display text made safe for one line (an email Subject, a display name): every control character and
    line break becomes a space and runs of spaces one. For text already stored, which cannot be refused."""
    cleaned = "".join(" " if _forbidden(char, frozenset()) else char for char in text)
    return " ".join(cleaned.split())
