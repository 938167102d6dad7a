"""
Live counters of what the emulator saw and did.

Strictly private; `Stats` is re-exported by ``maiu_async.emulator``.
"""

from __future__ import annotations

import attrs

from aiohttp import web

from ._config import FAULT_KINDS


__all__ = ["STATS", "Stats"]


def _no_faults() -> dict[str, int]:
    return dict.fromkeys(FAULT_KINDS, 0)


@attrs.define
class Stats:
    """
    Counters, readable in-process and at ``GET /_emulator/stats``.

    Attributes:
        requests: API requests received (``/api/v1/...``).
        by_route: Requests per route name (``"create_project"``...);
            unknown routes count as ``"not_found"``.
        workspaces_created: Workspaces created through the API.
        projects_created: Projects created through the API.
        assets_created: Assets registered through the API.
        rate_limited: 429 answers sent, by the limiter or as faults.
        faults: Injected faults per kind.
        auth_failures: Requests refused with 401.

    """

    requests: int = 0
    by_route: dict[str, int] = attrs.Factory(dict)
    workspaces_created: int = 0
    projects_created: int = 0
    assets_created: int = 0
    rate_limited: int = 0
    faults: dict[str, int] = attrs.Factory(_no_faults)
    auth_failures: int = 0

    def count_route(self, name: str) -> None:
        """
        Count one request to the route *name*.
        """
        self.requests += 1
        self.by_route[name] = self.by_route.get(name, 0) + 1

    def count_fault(self, kind: str) -> None:
        """
        Count one injected fault of *kind*.
        """
        self.faults[kind] = self.faults.get(kind, 0) + 1

    def reset(self) -> None:
        """
        Set every counter back to zero.
        """
        fresh = Stats()
        for field in attrs.fields(Stats):
            setattr(self, field.name, getattr(fresh, field.name))

    def as_dict(self) -> dict[str, int | dict[str, int]]:
        """
        Return a JSON-ready copy of every counter.
        """
        return {
            "requests": self.requests,
            "by_route": dict(self.by_route),
            "workspaces_created": self.workspaces_created,
            "projects_created": self.projects_created,
            "assets_created": self.assets_created,
            "rate_limited": self.rate_limited,
            "faults": dict(self.faults),
            "auth_failures": self.auth_failures,
        }


STATS = web.AppKey("stats", Stats)
