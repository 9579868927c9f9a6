"""One error hierarchy for the whole product.

The domain raises these; adapters translate them for their audience (a CLI message, an HTTP
problem response). None of them carries a stack trace meant for a user.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One reason why one field of one record is not acceptable."""

    field: str
    reason: str
    row: int | None = None  # 1-based data row of an imported file, when the record came from one

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.reason}"


class SidestreamError(Exception):
    """Base of every error sidestream reports to a user."""


class InvalidInput(SidestreamError):
    """Input that breaks one or more rules; every broken rule is listed."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        if not errors:
            raise ValueError("InvalidInput needs at least one FieldError")
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(str(error) for error in self.errors))

    @classmethod
    def single(cls, field: str, reason: str) -> InvalidInput:
        return cls([FieldError(field, reason)])


class NotFound(SidestreamError):
    """A record that the user named does not exist (or is not visible to them)."""

    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"{kind} {key!r} not found")


class ReferenceDataError(SidestreamError):
    """A shipped reference data file is malformed: a packaging defect, not user error."""


class Conflict(SidestreamError):
    """The request clashes with the current state, e.g. a duplicate natural key."""
