"""The files of attachments, on disk under the service's data directory, named by their SHA-256.

The same file attached twice is stored once; a file is written to a temporary name and renamed into
place, so a reader never sees half a file.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    async def put(self, sha256: str, content: bytes) -> Path:
        return await asyncio.to_thread(self._put, sha256, content)

    async def read(self, sha256: str) -> bytes:
        return await asyncio.to_thread(self.path_of(sha256).read_bytes)

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def _put(self, sha256: str, content: bytes) -> Path:
        target = self.path_of(sha256)
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(content)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return target
