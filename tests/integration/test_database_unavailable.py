"""A database that is away answers 503 with Retry-After, in the one error body, and the service serves
again as soon as it is back: a restart of PostgreSQL is no 500 (the fault suite found one)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from deploy.local.postgres import PostgresBinariesMissing, PostgresLauncher
from shared.db import create_engine
from shared.db.availability import database_unavailable
from shared.web.errors import install_error_handlers

pytestmark = pytest.mark.postgres


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[PostgresLauncher]:
    try:
        launcher = PostgresLauncher(tmp_path / "pg")
    except PostgresBinariesMissing as error:
        pytest.skip(str(error))
    launcher.start()
    try:
        yield launcher
    finally:
        launcher.stop()


def app_reading(url: str) -> FastAPI:
    engine = create_engine(url)
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/count")
    async def count() -> dict[str, int]:
        async with engine.connect() as connection:
            return {"one": (await connection.execute(sa.text("SELECT 1"))).scalar_one()}

    @app.get("/broken")
    async def broken() -> dict[str, int]:
        async with engine.connect() as connection:
            await connection.execute(sa.text("SELECT * FROM no_such_table"))
        return {}

    return app


async def test_a_stopped_database_is_a_503_to_retry_and_a_restarted_one_serves_again(
    database: PostgresLauncher,
) -> None:
    app = app_reading(database.url("postgres"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/count")).json() == {"one": 1}  # a pooled connection exists

        database.halt("immediate")
        away = await client.get("/count")
        assert away.status_code == 503
        assert away.headers["retry-after"] == "2"
        assert away.json() == {
            "detail": "the service's database is unavailable for a moment; try again",
            "field": None,
            "rule": None,
        }

        database.resume()
        back = await client.get("/count")
        assert back.status_code == 200, back.text


async def test_a_query_that_is_wrong_stays_a_server_error(database: PostgresLauncher) -> None:
    app = app_reading(database.url("postgres"))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/broken")).status_code == 500  # a defect is not hidden as "try again"


def test_locked_sqlite_and_cut_connections_are_transient_and_a_missing_table_is_not() -> None:
    locked = sa.exc.OperationalError("INSERT ...", {}, Exception("database is locked"))
    missing = sa.exc.ProgrammingError("SELECT ...", {}, Exception("relation does not exist"))
    refused = sa.exc.OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "refused"))
    assert database_unavailable(locked)
    assert not database_unavailable(missing)
    assert database_unavailable(ConnectionRefusedError(111, "Connect call failed"))
    assert database_unavailable(sa.exc.TimeoutError("QueuePool limit reached"))
    assert database_unavailable(refused)  # the driver's error, wrapped by SQLAlchemy
