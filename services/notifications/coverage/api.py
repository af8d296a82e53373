"""The coverage report's route: the Department sees, commune by commune, who would hear of an incident."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.notifications.coverage import queries
from services.notifications.coverage.models import CoveragePublic
from services.notifications.recipients.domain import DepartmentContacts
from shared.auth import Principal, Role, require_roles
from shared.clock import Clock, today_in_vietnam
from shared.web import UnitOfWorkDep

router = APIRouter(tags=["coverage"])
DepartmentStaff = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER))]


@router.get("/coverage", response_model=CoveragePublic)
async def coverage(
    request: Request,
    uow: UnitOfWorkDep,
    _principal: DepartmentStaff,
    cluster_no: Annotated[int | None, Query(ge=1, le=99)] = None,
    nobody_local_only: bool = False,
) -> object:
    """Per commune, who would hear of an incident at each severity, flagging where nobody local would."""
    clock: Clock = request.app.state.clock
    department: DepartmentContacts = request.app.state.department_contacts
    now = clock()
    return await queries.coverage(
        uow=uow,
        department=department,
        now=now,
        today=today_in_vietnam(now),
        cluster_no=cluster_no,
        nobody_local_only=nobody_local_only,
    )
