"""Pages: a stream's lab results screened against the limit values of each use, with the
limits' legal sources, and the plain statement that screening is not a legal opinion."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.responses import Response

from sidestream.entrypoints.http.dependencies import AppContainer, CurrentVisitor
from sidestream.entrypoints.web.pages import finish, page
from sidestream.services.screening import screen_stream, screening_record

router = APIRouter(include_in_schema=False)


@router.get("/streams/{stream_id}/screening.json")
def screening_json(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    stream_id: int,
    use: str | None = None,
) -> Response:
    screened = screen_stream(
        container.unit_of_work, container.regulation, visitor.principal, stream_id, use
    )
    return finish(JSONResponse(screening_record(screened)), request, visitor)


@router.get("/streams/{stream_id}/screening", response_class=HTMLResponse)
def screening_page(
    request: Request,
    container: AppContainer,
    visitor: CurrentVisitor,
    stream_id: int,
    use: str | None = None,
) -> Response:
    screened = screen_stream(
        container.unit_of_work, container.regulation, visitor.principal, stream_id, use
    )
    return page(
        request,
        visitor,
        "screening.html",
        {"screened": screened, "parameters": container.regulation.parameters},
    )
