"""/api/v1: synergies."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["synergies"])
