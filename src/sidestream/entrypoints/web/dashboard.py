"""Pages: the dashboard (a member's organisations' streams, needs, proposals, synergies and
impact so far; the region's for facilitators) and the impact dashboard (what the agreed and
realised synergies avoid, every figure with its P10–P90 range)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.responses import Response

from sidestream.bootstrap.container import Container
from sidestream.domain.impact import Grouping, Indicator
from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.http.security import Visitor
from sidestream.entrypoints.web.i18n import gettext_noop
from sidestream.entrypoints.web.pages import finish, page
from sidestream.services.dashboard import Dashboard, dashboard
from sidestream.services.impact import Selection
from sidestream.services.impact_views import ImpactView, impact_for_reader

router = APIRouter(include_in_schema=False)
HEADLINE_GROUPING = Grouping.REGION


INDICATOR_LABELS = {
    Indicator.TONNES: gettext_noop("Material exchanged"),
    Indicator.HEAT_MWH: gettext_noop("Heat exchanged"),
    Indicator.VOLUME_M3: gettext_noop("Volume exchanged"),
    Indicator.CO2E_AVOIDED: gettext_noop("CO2e avoided (virgin production replaced)"),
    Indicator.CO2E_TRANSPORT: gettext_noop("CO2e added by transport"),
    Indicator.CO2E_PROCESSING: gettext_noop("CO2e added by processing"),
    Indicator.NET_CO2E: gettext_noop("Net CO2e avoided"),
    Indicator.LANDFILL_DIVERTED: gettext_noop("Diverted from landfill"),
    Indicator.EUR_PRODUCER: gettext_noop("Producer's € a year"),
    Indicator.EUR_RECEIVER: gettext_noop("Receiver's € a year"),
    Indicator.EUR_NET: gettext_noop("Net € a year, both parties"),
}
GROUPING_LABELS = {
    Grouping.REGION: gettext_noop("Region"),
    Grouping.MUNICIPALITY: gettext_noop("By municipality"),
    Grouping.ORGANISATION: gettext_noop("By organisation"),
    Grouping.YEAR: gettext_noop("By year"),
}
LABELS = {"indicators": INDICATOR_LABELS, "groupings": GROUPING_LABELS}


def _dashboard(container: Container, visitor: Visitor) -> Dashboard:
    return dashboard(
        container.unit_of_work, container.reference, visitor.principal, container.today()
    )


def _impact(container: Container, visitor: Visitor, selection: Selection) -> ImpactView:
    return impact_for_reader(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        container.impact_factors,
        visitor.principal,
        container.today(),
        selection,
    )


def _dashboard_json(board: Dashboard, impact: ImpactView) -> dict[str, Any]:
    return {
        "is_region": board.is_region,
        "organisation_names": list(board.organisation_names),
        "streams": [stream.as_record() for stream in board.streams],
        "needs": [need.as_record() for need in board.needs],
        "expiring": [listing.as_record() for listing in board.expiring],
        "proposals_by_status": {k.value: v for k, v in board.proposals_by_status.items()},
        "synergies_by_stage": {k.value: v for k, v in board.synergies_by_stage.items()},
        "impact_realised": _impact_json(impact),
    }


def _impact_json(impact: ImpactView) -> dict[str, Any]:
    return {
        "selection": impact.selection.value,
        "scope": impact.scope,
        "synergy_count": impact.synergy_count,
        "totals": [
            {
                "grouping": row.grouping.value,
                "group": row.group,
                "indicator": row.indicator.value,
                "unit": row.unit,
                "estimate": asdict(row.estimate),
                "flows_covered": row.flows_covered,
                "flow_count": row.flow_count,
            }
            for row in impact.totals
        ],
    }


def _headline(impact: ImpactView, visitor: Visitor, own: tuple[str, ...]) -> list[Any]:
    """The rows a dashboard leads with: the region's, or a member's own organisations'."""
    if visitor.principal.oversees_registry or not own:
        return [row for row in impact.totals if row.grouping is HEADLINE_GROUPING]
    return [row for row in impact.totals if row.grouping is Grouping.ORGANISATION]


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    if visitor.principal.is_anonymous:
        return RedirectResponse("/signin?next=/dashboard", status_code=303)
    board = _dashboard(container, visitor)
    impact = _impact(container, visitor, Selection.REALISED)
    return page(
        request,
        visitor,
        "dashboard.html",
        {
            "board": board,
            "impact": impact,
            "headline": _headline(impact, visitor, board.organisation_names),
            "labels": LABELS,
        },
    )


@router.get("/dashboard.json")
def dashboard_json(request: Request, container: AppContainer, visitor: CurrentVisitor) -> Response:
    board = _dashboard(container, visitor)
    impact = _impact(container, visitor, Selection.REALISED)
    return finish(JSONResponse(_dashboard_json(board, impact)), request, visitor)


def _selection(text: str | None) -> Selection:
    return Selection.AGREED if text != Selection.REALISED.value else Selection.REALISED


@router.get("/impact", response_class=HTMLResponse)
def impact_page(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    selection: str | None = None,
) -> Response:
    impact = _impact(container, visitor, _selection(selection))
    groups: dict[Grouping, list[Any]] = {}
    for row in impact.totals:
        groups.setdefault(row.grouping, []).append(row)
    return page(
        request,
        visitor,
        "impact.html",
        {
            "impact": impact,
            "groups": groups,
            "selections": (Selection.AGREED, Selection.REALISED),
            "labels": LABELS,
        },
    )


@router.get("/impact.json")
def impact_json(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    selection: str | None = None,
) -> Response:
    impact = _impact(container, visitor, _selection(selection))
    return finish(JSONResponse(_impact_json(impact)), request, visitor)
