"""/api/v1: map."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["map"])
