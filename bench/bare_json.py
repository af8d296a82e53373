"""The baseline for read benchmarks: a bare ASGI app under the same uvicorn, answering one JSON document.

No framework, no database, no auth: what uvicorn and the HTTP client cost by themselves on this machine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

BODY = os.environ.get(
    "BENCH_BODY", json.dumps({"code": "MAU00001", "name": "Trường Tiểu học (mẫu)"})
).encode()


async def app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
    send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
) -> None:
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})
