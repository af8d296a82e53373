"""HTTP routes of the return forms."""

from __future__ import annotations

from fastapi import APIRouter

from services.notices.forms import queries, service
from services.notices.forms.models import ReturnForm, ReturnFormCreate, ReturnFormPublic
from shared.auth import CurrentPrincipal
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/return-forms", tags=["return forms"])


def _public(form: ReturnForm) -> ReturnFormPublic:
    return ReturnFormPublic.model_validate({**form.model_dump(), "definition": form.spec()})


@router.get("", response_model=list[ReturnFormPublic])
async def list_forms(uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """Every return form a notice may request, the shipped start-of-year form among them."""
    return [_public(form) for form in await queries.list_forms(uow=uow)]


@router.get("/{code}", response_model=ReturnFormPublic)
async def get_form(code: str, uow: UnitOfWorkDep, _principal: CurrentPrincipal) -> object:
    """One form: its sections and fields, with types, units and bounds."""
    return _public(await queries.get_form(uow=uow, code=code, field="code"))


@router.post("", response_model=ReturnFormPublic, status_code=201)
async def create_form(data: ReturnFormCreate, uow: UnitOfWorkDep, principal: CurrentPrincipal) -> object:
    """Define a new return form (the Department); a form is never edited, a change takes a new code."""
    return _public(await service.create_form(uow=uow, principal=principal, data=data))
