"""A database of the benchmark's own: a SQLite file in `folder`, or, given a PostgreSQL
server's URL, a database `idebot_bench_<random>` created there and dropped afterwards."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url


@asynccontextmanager
async def scratch_database(server_url: str | None, folder: Path) -> AsyncIterator[str]:
    if not server_url:
        yield f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}"
        return
    server = make_url(server_url)
    name = f"idebot_bench_{secrets.token_hex(6)}"
    connection = await asyncpg.connect(
        server.set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()
