"""HTTP routes for whole-registry operations (department admin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from services.registry.admin import service
from services.registry.admin.domain import SAMPLE_SEED
from services.registry.bulk.models import ImportReport
from shared.auth import Principal, Role, require_roles
from shared.web import UnitOfWorkDep

router = APIRouter(prefix="/admin", tags=["admin"])

DepartmentAdmin = Annotated[Principal, Depends(require_roles(Role.DEPARTMENT_ADMIN))]


@router.post("/republish", status_code=status.HTTP_202_ACCEPTED)
async def republish(uow: UnitOfWorkDep, _admin: DepartmentAdmin) -> dict[str, int]:
    """Publish every entity's current state again, for a consumer that must rebuild its replica."""
    return await service.republish_all(uow=uow)


@router.post("/sample-data", response_model=dict[str, ImportReport])
async def load_sample_data(
    uow: UnitOfWorkDep,
    admin: DepartmentAdmin,
    schools: Annotated[int, Query(ge=1, le=50_000, description="How many sample schools")] = 1500,
    seed: Annotated[int, Query(description="The same seed gives the same data")] = SAMPLE_SEED,
) -> object:
    """Generate clearly labelled sample schools (codes MAU…) and their principals, for demos."""
    school_report, staff_report = await service.load_samples(
        uow=uow, principal=admin, schools=schools, seed=seed
    )
    return {"schools": school_report, "staff": staff_report}
