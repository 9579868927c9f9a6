"""/api/v1: reference."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["reference"])
