"""Public pages, rendered on the server: the agreement in every language, upcoming forums
and the register."""

from __future__ import annotations

from starlette.routing import BaseRoute

ROUTES: list[BaseRoute] = []
