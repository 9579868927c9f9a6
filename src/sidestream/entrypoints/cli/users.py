"""How the command line shows accounts and the audit log (Rich)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sidestream.domain.accounts import AuditEvent
from sidestream.services.accounts import UserSummary


def print_users(console: Console, summaries: Sequence[UserSummary]) -> None:
    if not summaries:
        console.print("No accounts yet: add the first administrator with `sidestream users add`.")
        return
    table = Table(show_header=True)
    for column in ("email", "name", "roles", "organisations", "active", "created"):
        table.add_column(column)
    for summary in summaries:
        user = summary.user
        table.add_row(
            escape(user.email),
            escape(user.display_name),
            ", ".join(user.roles) or "—",
            escape(", ".join(summary.organisation_names)) or "—",
            "yes" if user.is_active else "no",
            f"{user.created_at:%Y-%m-%d %H:%M}" if user.created_at else "",
        )
    console.print(table)


def print_audit_log(
    console: Console, events: Sequence[AuditEvent], emails: Mapping[int, str]
) -> None:
    """Events newest first; actors by their e-mail address where the account still exists."""
    if not events:
        console.print("The audit log is empty.")
        return
    table = Table(show_header=True)
    for column in ("at (UTC)", "actor", "action", "entity", "detail"):
        table.add_column(column)
    for event in events:
        if event.actor_user_id is None:
            actor = "—"
        else:
            actor = emails.get(event.actor_user_id, f"user #{event.actor_user_id}")
        entity = event.entity_kind + ("" if event.entity_id is None else f" #{event.entity_id}")
        table.add_row(
            f"{event.at.astimezone(UTC):%Y-%m-%d %H:%M:%S}",
            escape(actor),
            event.action.value,
            entity,
            escape(event.detail),
        )
    console.print(table)
