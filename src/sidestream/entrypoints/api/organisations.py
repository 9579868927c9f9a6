"""/api/v1: organisations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["organisations"])
