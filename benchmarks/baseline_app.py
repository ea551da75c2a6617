"""The load benchmark's baseline: a bare Starlette endpoint doing one SELECT, served by uvicorn
like `qualify serve`, on the same database.

python -m benchmarks.baseline_app DATABASE_URL PORT
"""

from __future__ import annotations

import sys

import uvicorn
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route


def make_app(url: str) -> Starlette:
    engine = (
        create_engine(url, pool_size=20, max_overflow=0)
        if url.startswith("postgresql")
        else create_engine(url)
    )

    def one(candidate_id: int) -> list[object]:
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT id, name, state FROM candidate WHERE id = :id"), {"id": candidate_id}
            ).one()
        return list(row)

    async def candidate(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(one, int(request.path_params["id"])))

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok\n")

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/candidate/{id:int}", candidate),
        ]
    )


if __name__ == "__main__":
    uvicorn.run(
        make_app(sys.argv[1]),
        host="127.0.0.1",
        port=int(sys.argv[2]),
        log_level="warning",
        server_header=False,
    )
