"""The live stream of an open page (server-sent events): "incidents changed where you look"."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.console.live.domain import message
from services.console.live.service import LiveHub
from services.console.signin.api import Person, parts_of
from services.console.signin.domain import Scope
from shared.auth import Role

router = APIRouter(include_in_schema=False)


@router.get("/live")
async def live(request: Request, person: Person) -> StreamingResponse:
    hub: LiveHub = request.app.state.live_hub
    heartbeat = parts_of(request).settings.live_heartbeat_s
    scope = Scope(
        cluster_no=person.cluster_no, school_code=person.school_code, commune_code=person.commune_code
    )

    async def stream() -> AsyncIterator[str]:
        yield "retry: 3000\n: connected\n\n"
        async for change in hub.listen(Role(person.role), scope, heartbeat_s=heartbeat):
            if await request.is_disconnected():
                return
            yield ": still here\n\n" if change is None else message(change)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
