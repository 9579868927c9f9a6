"""/api/v1: scenarios."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["scenarios"])
