"""/api/v1: import and export."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["import and export"])
