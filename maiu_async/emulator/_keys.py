"""
Typed keys for everything the app stores.

Strictly private.
"""

from __future__ import annotations

from aiohttp import web

from ._config import EmulatorConfig
from ._objects import ObjectChecker
from ._routes import Match
from ._runtime import Runtime
from ._state import EmulatorState
from ._stats import Stats


__all__ = ["CONFIG", "MATCH", "OBJECTS", "RUNTIME", "STATE", "STATS"]

CONFIG = web.AppKey("config", EmulatorConfig)
STATE = web.AppKey("state", EmulatorState)
STATS = web.AppKey("stats", Stats)
RUNTIME = web.AppKey("runtime", Runtime)
#: The Object Storage check; absent unless configured.
OBJECTS = web.AppKey("objects", ObjectChecker)
#: The endpoint a request resolved to; absent for unknown routes.
MATCH = web.RequestKey("match", Match)
