"""Four-eyes on the hub (issue 10): requests, policy, audit, events and alerts, with their
background work (resuming interrupted executions, the unapproved-change watcher).
``app.py`` includes ``router`` (its lifespan runs inside the hub's)."""

from __future__ import annotations

from fastapi import APIRouter

from .fe_runtime import lifespan
from .routes_audit import router as audit_router
from .routes_requests import router as requests_router

router = APIRouter(lifespan=lifespan)
router.include_router(requests_router)
router.include_router(audit_router)
