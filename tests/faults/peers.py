"""The fault suite's outside parties, each run as its own process so that they outlive the services.

    python -m tests.faults.peers smtp --port P --log sink.jsonl
    python -m tests.faults.peers webhooks --port P --log receiver.jsonl --hold-file hold

The SMTP sink appends one JSON line per message it accepts (Message-ID, recipients, subject). The webhook
receiver echoes verification challenges and appends one line per delivery (webhook-id, event type, the
incident id); while ``--hold-file`` exists it logs a delivery, writes ``<hold-file>.held`` and keeps the
request open until the file is gone: a send that notifications holds claimed when it is killed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class _LineLog:
    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="utf-8")

    def write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()


class _SinkHandler:
    def __init__(self, log: _LineLog) -> None:
        self._log = log

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = message_from_bytes(content)
        subject = str(make_header(decode_header(parsed.get("Subject", ""))))
        self._log.write(
            {
                "message_id": (parsed.get("Message-ID") or "").strip("<>").split("@")[0],
                "to": list(envelope.rcpt_tos),
                "subject": subject,
            }
        )
        return "250 OK"


async def _smtp(port: int, log: Path) -> None:
    controller = Controller(_SinkHandler(_LineLog(log)), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        await _until_terminated()
    finally:
        controller.stop()


async def _webhooks(port: int, log_path: Path, hold_file: Path) -> None:
    log = _LineLog(log_path)

    async def receive(request: web.Request) -> web.Response:
        document = await request.json()
        if document.get("type") == "webhook.verification":
            return web.json_response({"challenge": document.get("challenge")})
        data = document.get("data") or {}
        log.write(
            {
                "webhook_id": request.headers.get("webhook-id", ""),
                "type": document.get("type"),
                "incident_id": data.get("incident_id"),
                "event_id": document.get("id"),
            }
        )
        if hold_file.exists():  # noqa: ASYNC240 - one stat per delivery, on a test peer
            hold_file.with_suffix(".held").write_text(request.headers.get("webhook-id", ""))
            while hold_file.exists():  # noqa: ASYNC110, ASYNC240 - another process removes the file
                await asyncio.sleep(0.05)
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await _until_terminated()
    finally:
        await runner.cleanup()


async def _until_terminated() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["smtp", "webhooks"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--hold-file", type=Path, default=Path("/nonexistent/hold"))
    args = parser.parse_args()
    if args.kind == "smtp":
        asyncio.run(_smtp(args.port, args.log))
    else:
        asyncio.run(_webhooks(args.port, args.log, args.hold_file))


if __name__ == "__main__":
    main()
