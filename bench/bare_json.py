"""The baseline for HTTP benchmarks: a bare ASGI app under the same uvicorn, with no framework, database
or auth: what uvicorn and the HTTP client cost by themselves on this machine.

GET answers one JSON document (``BENCH_BODY``); POST echoes the JSON body it was sent.
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
    body = BODY
    if scope["method"] == "POST":
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 201 if scope["method"] == "POST" else 200,
                "headers": headers})  # fmt: skip
    await send({"type": "http.response.body", "body": body})
