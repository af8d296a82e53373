"""Return form commands: add a form (the Department), and seed the shipped ones."""

from __future__ import annotations

from sqlmodel import select

from services.notices.forms.models import ReturnForm, ReturnFormCreate
from services.notices.forms.seed import shipped_forms
from shared.auth import Principal
from shared.db import UnitOfWork
from shared.errors import Conflict, Forbidden

SEEDER = "notices-seed"


async def create_form(*, uow: UnitOfWork, principal: Principal, data: ReturnFormCreate) -> ReturnForm:
    if not principal.is_department_staff:
        raise Forbidden("only the Department defines return forms", field="role")
    if await uow.session.get(ReturnForm, data.code) is not None:
        raise Conflict(f"a form {data.code} exists; a changed form takes a new code", field="code")
    form = _row(data, principal.subject)
    uow.session.add(form)
    await uow.commit()
    return form


async def seed_forms(*, uow: UnitOfWork) -> None:
    existing = set((await uow.session.exec(select(ReturnForm.code))).all())
    for data in shipped_forms():
        if data.code not in existing:
            uow.session.add(_row(data, SEEDER))
    await uow.commit()


def _row(data: ReturnFormCreate, created_by: str) -> ReturnForm:
    return ReturnForm(
        code=data.code,
        name=data.name,
        description=data.description,
        definition=data.definition.model_dump(mode="json"),
        created_by=created_by,
    )
