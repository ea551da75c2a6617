"""The portal's routes, one module per area; each module has a list `routes`."""

from __future__ import annotations

from starlette.routing import BaseRoute


def all_routes() -> list[BaseRoute]:
    from qualify.web.routes import (
        advance,
        decisions,
        health,
        home,
        interviews,
        office,
        reports,
        screening,
        signin,
        training,
    )

    return [
        *health.routes,
        *signin.routes,
        *home.routes,
        *interviews.routes,
        *screening.routes,
        *office.routes,
        *decisions.routes,
        *advance.routes,
        *training.routes,
        *reports.routes,
    ]
