"""Tills, cash limits and voids (issue 15): ``app.py`` includes ``router``. The routes use the
four-eyes runtime's DCM reader, so ``four_eyes`` must be present too."""

from __future__ import annotations

from .routes_tills import router

__all__ = ["router"]
