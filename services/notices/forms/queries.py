"""Reads of the return forms."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from services.notices.forms.models import ReturnForm
from shared.db import UnitOfWork
from shared.errors import NotFound


async def list_forms(*, uow: UnitOfWork) -> Sequence[ReturnForm]:
    return (await uow.session.exec(select(ReturnForm).order_by(col(ReturnForm.code)))).all()


async def get_form(*, uow: UnitOfWork, code: str, field: str = "form_code") -> ReturnForm:
    form = await uow.session.get(ReturnForm, code)
    if form is None:
        raise NotFound(f"there is no return form {code}", field=field)
    return form
