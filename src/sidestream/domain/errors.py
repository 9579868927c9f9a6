"""One error hierarchy for the whole product.

The domain raises these; adapters translate them for their audience (a CLI message, an HTTP
problem response). None of them carries a stack trace meant for a user.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class FieldError:
    """One reason why one field of one record is not acceptable. `reason` is in English; a
    reason made by field_error also keeps its template and parameters, so that a page can say
    it in the reader's language."""

    field: str
    reason: str
    row: int | None = None  # 1-based data row of an imported file, when the record came from one
    # The reason with {placeholders} (the text to translate) and their values; an error is the
    # same error whichever way its reason was made.
    template: str | None = dataclass_field(default=None, compare=False)
    params: tuple[tuple[str, str], ...] = dataclass_field(default=(), compare=False)

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.reason}"


def field_error(
    field_name: str,
    template: str,
    params: Mapping[str, object] | None = None,
    row: int | None = None,
) -> FieldError:
    """A FieldError whose reason is the template with the parameters filled in."""
    values = {name: str(value) for name, value in (params or {}).items()}
    reason = template.format(**values) if values else template  # a plain reason may hold braces
    return FieldError(field_name, reason, row, template, tuple(values.items()))


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
    def single(cls, field: str, template: str, **params: object) -> InvalidInput:
        """One broken rule: its reason, or the reason's template with its values."""
        return cls([field_error(field, template, params)])


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


class Forbidden(SidestreamError):
    """The person asking may not do this (their role or memberships do not allow it)."""


class SignInFailed(SidestreamError):
    """Sign-in refused. One message whatever the cause, so it never tells whether an account
    exists."""

    MESSAGE = "email or password is wrong"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class TooManyAttempts(SidestreamError):
    """Sign-in refused without looking at the password: too many recent failures."""

    def __init__(self, retry_at: datetime) -> None:
        self.retry_at = retry_at  # the first moment another attempt is allowed
        # "after HH:MM" must hold for the whole minute shown: round up to the next minute.
        shown = retry_at
        if shown.second or shown.microsecond:
            shown = shown.replace(second=0, microsecond=0) + timedelta(minutes=1)
        super().__init__(f"too many attempts, try again after {shown:%H:%M}")
