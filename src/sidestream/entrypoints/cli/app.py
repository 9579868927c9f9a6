"""The `sidestream` command line (Typer + Rich)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable
from sqlalchemy.exc import SQLAlchemyError

from sidestream.adapters.datasets.demo import load_demo_tables
from sidestream.adapters.datasets.eprtr import load_eprtr_facilities
from sidestream.adapters.reports.impact import (
    LABELS,
    write_html,
    write_summary_csv,
    write_trace_csv,
)
from sidestream.adapters.scenario_files import read_scenario_file
from sidestream.adapters.tabular.files import FileFormat, read_rows, write_records
from sidestream.bootstrap.container import Container
from sidestream.domain.accounts import AuditEvent, AuditFilter, Principal, User
from sidestream.domain.documents import (
    ACCEPTED_LABELS,
    MAX_DOCUMENT_BYTES,
    DocumentKind,
    DocumentUpload,
    StreamDocument,
    size_error,
)
from sidestream.domain.errors import InvalidInput, SidestreamError
from sidestream.domain.impact import (
    AMOUNT_OF_BASIS,
    UNITS,
    AccountingSettings,
    Grouping,
    Indicator,
    Party,
)
from sidestream.domain.matching import DEFAULT_TOP_K
from sidestream.domain.network_design import Criterion
from sidestream.domain.proposals import ProposalRecord
from sidestream.domain.prospecting import MeasuredValue, ProspectResult
from sidestream.domain.regulation import RegulatoryStatus, StatusRecord
from sidestream.domain.scenarios import ScenarioRun, scenario_from_mapping, scenario_to_mapping
from sidestream.domain.solving import (
    LinearProgram,
    LinearProgramSolver,
    SolverProgress,
    SolveStatus,
)
from sidestream.domain.synergies import Stage, Synergy
from sidestream.entrypoints.cli.scenarios import (
    print_comparison,
    print_scenario_list,
    print_scenario_run,
)
from sidestream.entrypoints.cli.screening import print_screening
from sidestream.entrypoints.cli.users import print_audit_log, print_users
from sidestream.services.accounts import (
    IssuedToken,
    UserSummary,
    any_accounts,
    bootstrap_administrator,
    create_api_token,
    create_user,
    list_users,
    organisation_ids_named,
    read_audit_log,
    set_memberships,
    user_by_email,
)
from sidestream.services.demo import build_demo_region
from sidestream.services.documents import document_record, list_documents, upload_document
from sidestream.services.eprtr import import_eprtr_facilities
from sidestream.services.impact import ImpactReport, Selection, account_proposals
from sidestream.services.matching import match_listing, run_matching
from sidestream.services.optimisation import run_scenario
from sidestream.services.plan_impact import account_plan
from sidestream.services.ports import ProgressCallback
from sidestream.services.prospecting import prospect_stream
from sidestream.services.scenarios import (
    compare_scenario_runs,
    delete_scenario_run,
    get_scenario_run,
    list_scenario_runs,
    save_scenario_run,
)
from sidestream.services.screening import (
    LAB_RESULT_COLUMNS,
    StreamScreening,
    add_lab_results,
    record_status,
    screen_stream,
    screening_record,
)
from sidestream.services.synergies import (
    SynergyView,
    drop_synergy,
    list_synergies,
    move_synergy,
    open_synergy,
    realise_synergy,
    reopen_synergy,
    synergy_history,
)
from sidestream.services.tabular_rows import (
    NEED_COLUMNS,
    ORGANISATION_COLUMNS,
    STREAM_COLUMNS,
    parse_number,
)
from sidestream.services.transfer import (
    ImportReport,
    Table,
    export_needs,
    export_organisations,
    export_streams,
    import_needs,
    import_organisations,
    import_streams,
)

app = typer.Typer(
    help="sidestream: side streams, needs and synergies of a regional circular economy.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
import_app = typer.Typer(
    help="Import organisations, streams and needs, or public registers.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")

console = Console()
error_console = Console(stderr=True)
T = TypeVar("T")

COLUMNS = {
    Table.ORGANISATIONS: ORGANISATION_COLUMNS,
    Table.STREAMS: STREAM_COLUMNS,
    Table.NEEDS: NEED_COLUMNS,
}
MAX_ERRORS_SHOWN = 200
WEB_APP_FACTORY = "sidestream.entrypoints.server:create_app_from_environment"


_opened: list[Container] = []


@app.callback()
def _close_when_done(context: typer.Context) -> None:
    """Give pooled database connections back when a command ends (an embedding process,
    such as a test, outlives the command)."""
    context.call_on_close(_dispose_opened)


def _dispose_opened() -> None:
    while _opened:
        _opened.pop().dispose()


def _container() -> Container:
    container = Container()
    _opened.append(container)
    return container


@contextmanager
def _progress(description: str) -> Iterator[ProgressCallback]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=False,
    ) as progress:
        task = progress.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield report


def _run(action: Callable[[], T], writes: bool = True) -> T:
    """Run a command; turn sidestream's errors into a readable message and exit status 1."""
    try:
        return action()
    except InvalidInput as error:
        title = "Fix these and try again"
        table = RichTable(
            title=f"Nothing was written: {title.lower()}" if writes else title,
            title_justify="left",
        )
        table.add_column("row", justify="right")
        table.add_column("field")
        table.add_column("reason")
        for item in error.errors[:MAX_ERRORS_SHOWN]:
            table.add_row("" if item.row is None else str(item.row), item.field, item.reason)
        error_console.print(table)
        if len(error.errors) > MAX_ERRORS_SHOWN:
            error_console.print(f"… and {len(error.errors) - MAX_ERRORS_SHOWN} more problems")
        raise typer.Exit(1) from None
    except SidestreamError as error:
        error_console.print(f"[red]Error:[/red] {error}")
        raise typer.Exit(1) from None
    except OSError as error:
        error_console.print(f"[red]Error:[/red] {error.strerror or error}: {error.filename or ''}")
        raise typer.Exit(1) from None
    except SQLAlchemyError as error:
        # An unreachable server or a locked file: say so, without a stack trace.
        detail = getattr(error, "orig", None) or error
        error_console.print(f"[red]Database error:[/red] {detail}")
        raise typer.Exit(1) from None


def _ensure_schema(container: Container) -> None:
    if not container.database_is_current():
        container.upgrade_database()


def _print_reports(reports: list[ImportReport]) -> None:
    for report in reports:
        console.print(
            f"{report.table.value}: {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged"
        )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring its schema up to date."""
    container = _container()
    _run(container.upgrade_database)
    console.print(f"Database schema is current ({container.settings.database_url}).")


@app.command()
def demo(
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the web app afterwards.")
    ] = True,
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Build the Kemi–Tornio demo region in the database, match it, then serve the web app."""
    container = _container()

    def build() -> None:
        _ensure_schema(container)
        with _progress("Building the demo region") as progress:
            report = build_demo_region(
                load_demo_tables(),
                container.unit_of_work,
                container.reference,
                container.regulatory_knowledge,
                container.today(),
                container.clock.now(),
                progress,
            )
        _print_reports(list(report.imports))
        console.print(
            f"lab results: {report.lab_results_added} added to "
            f"{report.streams_given_results} streams "
            f"({report.streams_with_results_before} streams had results already)"
        )
        console.print(
            f"regulatory statuses: {report.statuses_added} recorded "
            f"({report.statuses_there_before} there already)"
        )
        with _progress("Matching the demo region") as progress:
            matched = run_matching(
                container.unit_of_work,
                container.reference,
                container.knowledge_base,
                container.today(),
                DEFAULT_TOP_K,
                progress,
                regulatory=container.regulatory_knowledge,
            )
        console.print(f"{matched.proposals} synergy proposals (sidestream proposals lists them)")

    _run(build)
    if serve:
        _serve(container, host, port)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Serve the web app (http://127.0.0.1:8000 by default)."""
    container = _container()
    _run(lambda: _ensure_schema(container))
    _serve(container, host, port)


def _serve(container: Container, host: str | None, port: int | None) -> None:
    import uvicorn

    host = host or container.settings.host
    port = port or container.settings.port
    container.dispose()  # the server builds its own from the same settings
    console.print(f"Serving sidestream on http://{host}:{port} (Ctrl+C stops)")
    # By name, so the command line does not import the web entrypoint.
    uvicorn.run(
        WEB_APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=container.settings.workers,
        log_level="warning",
    )


@import_app.command("organisations")
def import_organisations_command(
    file: Annotated[Path, typer.Argument(help="A .csv, .xlsx or .geojson file.")],
) -> None:
    """Import organisations and their sites (one row per site)."""
    _import_table(Table.ORGANISATIONS, file)


@import_app.command("streams")
def import_streams_command(
    file: Annotated[Path, typer.Argument(help="A .csv, .xlsx or .geojson file.")],
) -> None:
    """Import side streams; their organisations and sites must exist."""
    _import_table(Table.STREAMS, file)


@import_app.command("needs")
def import_needs_command(
    file: Annotated[Path, typer.Argument(help="A .csv, .xlsx or .geojson file.")],
) -> None:
    """Import needs; their organisations and sites must exist."""
    _import_table(Table.NEEDS, file)


def _import_table(table: Table, file: Path) -> None:
    container = _container()

    def run() -> ImportReport:
        _ensure_schema(container)
        rows = read_rows(file, COLUMNS[table])
        with _progress(f"Importing {table.value}") as progress:
            if table is Table.ORGANISATIONS:
                return import_organisations(
                    rows, container.unit_of_work, container.reference, progress
                )
            if table is Table.STREAMS:
                return import_streams(
                    rows, container.unit_of_work, container.reference, container.today(), progress
                )
            return import_needs(rows, container.unit_of_work, container.reference, progress)

    _print_reports([_run(run)])


@import_app.command("lab-results")
def import_lab_results_command(
    stream_id: Annotated[int, typer.Argument(help="The stream the samples were taken of.")],
    file: Annotated[Path, typer.Argument(help="A laboratory's .csv or .xlsx file.")],
) -> None:
    """Add a laboratory's results of a stream: one row per parameter and basis, columns
    parameter_code, basis (total, leaching_ls2, leaching_ls10), value, unit, standard,
    laboratory, tested_on, below_detection. A row of a property (particle_size_max, moisture,
    compressive_strength, ...; basis empty) is a measurement of the stream's property. A file
    with any bad row adds nothing. The stream is then matched again, so that its proposals
    weigh the new results."""
    container = _container()

    def run() -> int:
        _ensure_schema(container)
        rows = read_rows(file, LAB_RESULT_COLUMNS)
        return add_lab_results(
            container.unit_of_work,
            container.regulation,
            Principal.operator(),
            stream_id,
            rows,
            container.today(),
            container.clock.now(),
            reference=container.reference,
        )

    def match_again() -> int | InvalidInput:
        """How many proposals the stream has after matching it again; a stream the matcher
        cannot evaluate is no error of the results, which are stored."""
        try:
            match_listing(
                container.unit_of_work,
                container.reference,
                container.knowledge_base,
                container.today(),
                stream_id=stream_id,
                regulatory=container.regulatory_knowledge,
            )
        except InvalidInput as error:
            return error
        with container.unit_of_work() as uow:
            return len(uow.proposals.for_listing(stream_id=stream_id))

    added = _run(run)
    console.print(f"Added {added} lab results to stream {stream_id}.")
    matched = _run(match_again)
    if isinstance(matched, InvalidInput):
        error_console.print(f"Not matched again: {escape(str(matched))}")
    else:
        console.print(f"Matched it again: stream {stream_id} now has {matched} proposals.")


@app.command("status")
def status_command(
    stream_id: Annotated[int, typer.Argument(help="The stream.")],
    status: Annotated[
        RegulatoryStatus,
        typer.Option(help="waste, by_product (WFD Art. 5), end_of_waste (Art. 6) or product."),
    ],
    use: Annotated[str, typer.Option(help="The intended use, in words.")],
    legal_basis: Annotated[
        str, typer.Option("--legal-basis", help="e.g. 'Waste Act 646/2011, section 5'.")
    ],
    decided_on: Annotated[datetime, typer.Option("--decided-on", formats=["%Y-%m-%d"])],
    route: Annotated[str | None, typer.Option(help="The valorisation route of the use.")] = None,
    decision: Annotated[
        str | None, typer.Option(help="The authority's decision or permit reference.")
    ] = None,
    authority: Annotated[str | None, typer.Option(help="e.g. 'Lapland ELY Centre'.")] = None,
    valid_until: Annotated[
        datetime | None, typer.Option("--valid-until", formats=["%Y-%m-%d"])
    ] = None,
    scope: Annotated[str | None, typer.Option(help="Where and how the status holds.")] = None,
    document: Annotated[
        list[str] | None, typer.Option(help="A document reference (repeat for more).")
    ] = None,
    fulfils: Annotated[
        list[str] | None,
        typer.Option(
            help="A requirement of the use this record shows met, e.g. mara_notification or "
            "environmental_permit (repeat for more)."
        ),
    ] = None,
) -> None:
    """Record a stream's regulatory status for one intended use, with what it rests on."""
    container = _container()

    def run() -> StatusRecord:
        _ensure_schema(container)
        record = StatusRecord(
            stream_id=stream_id,
            use=use,
            status=status,
            legal_basis=legal_basis,
            decided_on=decided_on.date(),
            route_id=route,
            decision_reference=decision,
            authority=authority,
            valid_until=valid_until.date() if valid_until else None,
            scope_of_use=scope,
            documents=tuple(document or ()),
            fulfils=tuple(fulfils or ()),
        )
        regulatory = container.regulatory_knowledge
        return record_status(
            container.unit_of_work,
            frozenset(regulatory.routes),
            Principal.operator(),
            record,
            container.today(),
            container.clock.now(),
            requirement_codes=frozenset(regulatory.kinds),
        )

    saved = _run(run)
    console.print(
        f"Recorded: stream {stream_id} is {saved.status.value.replace('_', ' ')} "
        f"for {escape(saved.use)} (record {saved.status_record_id})."
    )


@app.command("screen")
def screen_command(
    stream_id: Annotated[int, typer.Argument(help="The stream whose lab results to screen.")],
    use: Annotated[
        str | None,
        typer.Option(
            "--use",
            help="A valorisation route (e.g. ash_earth_construction_mara: its rule sets and "
            "regulatory path) or one rule set (e.g. eu_landfill_inert); every rule set when "
            "omitted.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Screen a stream's lab results against the limit values of a use: per parameter within,
    exceeds (and by how much) or missing, with the limit, its unit and its legal source.
    Decision support, not a legal opinion."""
    container = _container()

    def run() -> StreamScreening:
        _ensure_schema(container)
        return screen_stream(
            container.unit_of_work,
            container.regulation,
            Principal.operator(),
            stream_id,
            use,
            regulatory=container.regulatory_knowledge,
            today=container.today(),
        )

    screened = _run(run, writes=False)
    if as_json:
        console.print_json(json.dumps(screening_record(screened)))
    else:
        print_screening(console, screened)


@import_app.command("eprtr-fi")
def import_eprtr_command() -> None:
    """Load the 1,072 Finnish E-PRTR facilities (SYKE, EEA) as organisations and sites, with
    their yearly waste transfers. Running it again updates them; it never duplicates."""
    container = _container()

    def run() -> None:
        _ensure_schema(container)
        facilities = load_eprtr_facilities()
        with _progress("Importing E-PRTR facilities") as progress:
            report = import_eprtr_facilities(
                facilities, container.unit_of_work, container.reference, progress
            )
        console.print(
            f"{report.facilities} facilities: {report.organisations_created} organisations and "
            f"{report.sites_created} sites created, {report.sites_updated} sites updated, "
            f"{report.waste_transfer_years} facility-years of waste transfers."
        )

    _run(run)


@app.command()
def match(
    top_k: Annotated[int, typer.Option("--top-k", help="Proposals per listing.")] = DEFAULT_TOP_K,
    stream: Annotated[
        int | None, typer.Option(help="Match only this (new or changed) stream.")
    ] = None,
    need: Annotated[int | None, typer.Option(help="Match only this (new or changed) need.")] = None,
) -> None:
    """Propose synergies: the best needs for every side stream and streams for every need."""
    container = _container()

    def run() -> None:
        _ensure_schema(container)
        if stream is not None or need is not None:
            proposals = match_listing(
                container.unit_of_work,
                container.reference,
                container.knowledge_base,
                container.today(),
                stream_id=stream,
                need_id=need,
                top_k=top_k,
                regulatory=container.regulatory_knowledge,
            )
            console.print(f"{len(proposals)} proposals for the listing.")
            return
        with _progress("Matching") as progress:
            report = run_matching(
                container.unit_of_work,
                container.reference,
                container.knowledge_base,
                container.today(),
                top_k,
                progress,
                regulatory=container.regulatory_knowledge,
            )
        console.print(
            f"{report.streams} streams × {report.needs} needs: {report.proposals} proposals "
            f"({report.created} new, {report.updated} updated, {report.removed} withdrawn)."
        )
        for item in report.not_evaluated:
            error_console.print(
                f"[yellow]Not matched:[/yellow] {item.kind} {item.listing_id} {item.name!r}: "
                f"{item.reasons[0]}"
            )
        if report.unmatched:
            table = RichTable(title="Listings without a proposal", title_justify="left")
            table.add_column("listing")
            table.add_column("id", justify="right")
            table.add_column("name")
            table.add_column("commonest reasons")
            for item in report.unmatched:
                table.add_row(item.kind, str(item.listing_id), item.name, "\n".join(item.reasons))
            console.print(table)

    _run(run)


@app.command()
def proposals(
    stream: Annotated[int | None, typer.Option(help="Only this stream's proposals.")] = None,
    need: Annotated[int | None, typer.Option(help="Only this need's proposals.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show proposals with their score breakdown in plain words."""
    container = _container()

    def run() -> list[ProposalRecord]:
        _ensure_schema(container)
        with container.unit_of_work() as uow:
            return uow.proposals.for_listing(stream_id=stream, need_id=need)

    records = _run(run)
    if as_json:
        console.print_json(json.dumps([_proposal_json(record) for record in records]))
        return
    for record in records:
        proposal = record.proposal
        console.print(
            f"[bold]#{record.proposal_id}[/bold] stream {proposal.stream_id} → need "
            f"{proposal.need_id}: score {proposal.score:.3f} ({record.status.value})"
        )
        for line in (*proposal.reasons, *(factor.sentence for factor in proposal.factors)):
            console.print(f"    {line}")


def _proposal_json(record: ProposalRecord) -> dict[str, object]:
    proposal = record.proposal
    return {
        "proposal_id": record.proposal_id,
        "stream_id": proposal.stream_id,
        "need_id": proposal.need_id,
        "score": proposal.score,
        "status": record.status.value,
        "transport_mode": proposal.transport_mode.value,
        "distance_km": proposal.distance_km,
        "route_id": proposal.route_id,
        "reasons": list(proposal.reasons),
        "factors": [
            {"factor": f.factor, "value": f.value, "weight": f.weight, "sentence": f.sentence}
            for f in proposal.factors
        ],
        "eur_per_yr": proposal.benefit.eur_per_yr,
        "avoided_co2e_t_per_yr": proposal.benefit.avoided_co2e_t_per_yr,
        "transport_co2e_t_per_yr": proposal.benefit.transport_co2e_t_per_yr,
        "benefit_trace": list(proposal.benefit.trace),
    }


def _measured_value(text: str) -> MeasuredValue:
    """'cao=28 %' or 'cd_total=0.5 mg/kg' into a measured value."""
    code, _, rest = text.partition("=")
    number, _, unit = rest.strip().partition(" ")
    value = parse_number(number)
    if not code.strip() or value is None:
        raise InvalidInput.single("property", f"{text!r} is not 'code=value unit', e.g. 'cao=28 %'")
    return MeasuredValue(code.strip(), value, unit.strip() or "-")


@app.command()
def prospect(
    ewc: Annotated[str | None, typer.Option(help="List of Waste code, e.g. '10 02 02'.")] = None,
    nace: Annotated[str | None, typer.Option(help="The producer's NACE Rev. 2 code.")] = None,
    text: Annotated[
        str | None, typer.Option(help="Description in Finnish, Swedish or English.")
    ] = None,
    prop: Annotated[
        list[str] | None,
        typer.Option("--property", help="A measured value, 'cao=28 %'; repeat for more."),
    ] = None,
    limit: Annotated[int, typer.Option(help="How many routes and industries.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Who could use a side stream: valorisation routes and receiving industries, with reasons."""
    container = _container()

    def run() -> ProspectResult:
        measured = [_measured_value(item) for item in prop or []]
        return prospect_stream(
            container.reference,
            container.knowledge_base,
            container.text_matcher,
            ewc_code=ewc,
            nace_code=nace,
            text=text,
            measured=measured,
            limit=limit,
        )

    result = _run(run, writes=False)
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "routes": [
                        {
                            "route_id": r.route_id,
                            "name": r.name,
                            "score": r.score,
                            "reasons": list(r.reasons),
                        }
                        for r in result.routes
                    ],
                    "industries": [
                        {
                            "nace_code": i.nace_code,
                            "title": i.title,
                            "score": i.score,
                            "reasons": list(i.reasons),
                        }
                        for i in result.industries
                    ],
                },
                ensure_ascii=False,
            )
        )
        return
    classes = ", ".join(
        f"{container.reference.material_classes[code].name} {weight:.0%}"
        for code, weight in result.material_classes[:3]
    )
    console.print(f"Probably: {classes or 'unknown material'}")
    for heading, rows in (
        ("Valorisation routes", [(r.name, r.score, r.reasons) for r in result.routes]),
        (
            "Receiving industries (NACE)",
            [(f"{i.nace_code} {i.title}", i.score, i.reasons) for i in result.industries],
        ),
    ):
        table = RichTable(title=heading, title_justify="left")
        table.add_column("")
        table.add_column("score", justify="right")
        table.add_column("why")
        for name, score, reasons in rows:
            table.add_row(name, f"{score:.2f}", "\n".join(reasons))
        console.print(table)


@app.command()
def impact(
    include_proposed: Annotated[
        bool,
        typer.Option(
            "--include-proposed",
            help="Also account proposals not yet accepted by both parties (the pipeline).",
        ),
    ] = False,
    realised: Annotated[
        bool,
        typer.Option(
            "--realised",
            help="Account only the synergies confirmed realised, at their agreed quantities.",
        ),
    ] = False,
    freight_paid_by: Annotated[
        Party, typer.Option(help="Who pays the freight (deliveries are ex works by default).")
    ] = Party.RECEIVER,
    draws: Annotated[
        int, typer.Option(min=100, max=100_000, help="Monte Carlo draws for P10/P50/P90.")
    ] = 2000,
    report: Annotated[
        Path | None, typer.Option(help="Write the funder report (HTML) to this file.")
    ] = None,
    summary: Annotated[
        Path | None, typer.Option(help="Write the roll-ups (CSV) to this file.")
    ] = None,
    trace: Annotated[
        Path | None,
        typer.Option(help="Write every term of every synergy (CSV) to this file; confidential."),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(help="Account the flows of this saved optimiser scenario instead."),
    ] = None,
    plan: Annotated[
        int, typer.Option(min=1, help="With --scenario: which of its plans (1 = the first).")
    ] = 1,
    confidential: Annotated[
        bool,
        typer.Option(
            "--confidential",
            help="Include each organisation's and each synergy's figures in report and summary.",
        ),
    ] = False,
) -> None:
    """What the region's synergies achieve (or a saved plan would): CO2e, landfill diverted
    and € for each party, with P10/P50/P90 and every factor cited."""
    container = _container()

    def run() -> ImpactReport:
        if realised and (include_proposed or scenario is not None):
            raise InvalidInput.single(
                "realised",
                "--realised accounts the realised synergies only: "
                "leave out --include-proposed and --scenario",
            )
        selection = Selection.PIPELINE if include_proposed else Selection.AGREED
        if realised:
            selection = Selection.REALISED
        _ensure_schema(container)
        settings = AccountingSettings(freight_paid_by=freight_paid_by, draws=draws)
        with error_console.status("Accounting…"):
            if scenario is not None:
                result = account_plan(
                    container.unit_of_work,
                    container.reference,
                    container.knowledge_base,
                    container.impact_factors,
                    scenario,
                    container.today(),
                    plan,
                    settings,
                )
            else:
                result = account_proposals(
                    container.unit_of_work,
                    container.reference,
                    container.knowledge_base,
                    container.impact_factors,
                    container.today(),
                    selection,
                    settings,
                )
        if report is not None:
            write_html(report, result, confidential)
        if summary is not None:
            write_summary_csv(summary, result, confidential)
        if trace is not None:
            write_trace_csv(trace, result)
        return result

    result = _run(run, writes=False)
    funder = result.funder
    console.print(
        f"Accounted {result.scope}: {funder.synergies} synergies, "
        f"{funder.organisations_involved} organisations involved, {funder.smes_involved} SMEs"
    )
    table = RichTable(show_header=True)
    for column in ("indicator", "central", "P10", "P50", "P90", "unit", "covers"):
        table.add_column(column, justify="left" if column == "indicator" else "right")
    for indicator in Indicator:
        estimate = funder.totals.estimates.get(indicator)
        if estimate is None or (indicator in AMOUNT_OF_BASIS.values() and not estimate.central):
            continue  # no heat or volume synergies: no line for them
        table.add_row(
            LABELS.get(indicator, indicator.value),
            *(f"{v:,.1f}" for v in (estimate.central, estimate.p10, estimate.p50, estimate.p90)),
            UNITS[indicator],
            f"{funder.totals.covered[indicator]} of {funder.totals.flow_count}",
        )
    console.print(table)
    for municipality in result.by[Grouping.MUNICIPALITY]:
        net = municipality.estimates.get(Indicator.NET_CO2E)
        console.print(
            f"  {municipality.key}: {municipality.flow_count} synergies"
            + ("" if net is None else f", net CO2e {net.central:,.1f} t")
        )
    if result.left_out:
        console.print(f"{len(result.left_out)} left out, e.g. {result.left_out[0]}")
    for path in (report, summary, trace):
        if path is not None:
            console.print(f"Wrote {path}.")


class SolverChoice(StrEnum):
    AUTO = "auto"  # the fastest exact method for the structure (ADR 6)
    HIGHS = "highs"
    SCIPY = "scipy"


def _criteria_pair(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",")]


def _weights(items: list[str]) -> dict[str, float]:
    weights = {}
    for item in items:
        name, _, value = item.partition("=")
        try:
            weights[name.strip()] = float(value)
        except ValueError:
            raise InvalidInput.single("weight", f"{item!r} is not criterion=number") from None
    return weights


@app.command()
def optimise(
    scenario: Annotated[
        Path | None,
        typer.Option(help="Scenario file (TOML): hubs, site changes, modes, lots, objective."),
    ] = None,
    objective: Annotated[
        Criterion | None, typer.Option(help="What to maximise (default: the scenario's, or co2e).")
    ] = None,
    weight: Annotated[
        list[str] | None,
        typer.Option(help="A weighted objective, e.g. --weight eur=1 --weight co2e=100."),
    ] = None,
    pareto: Annotated[
        str | None, typer.Option(help="A Pareto front between two criteria, e.g. eur,co2e.")
    ] = None,
    points: Annotated[
        int | None, typer.Option(min=2, max=25, help="Points of the Pareto front.")
    ] = None,
    min_lot: Annotated[
        float | None, typer.Option(help="A flow carries nothing or at least this many t a year.")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Name of the scenario (default: the file's, or 'base').")
    ] = None,
    save: Annotated[bool, typer.Option("--save", help="Save the plans under the name.")] = False,
    replace_saved: Annotated[
        bool, typer.Option("--replace", help="With --save: replace a scenario of that name.")
    ] = False,
    solver: Annotated[SolverChoice, typer.Option(help="Which solver.")] = SolverChoice.AUTO,
    time_limit: Annotated[float | None, typer.Option(help="Seconds each solve may take.")] = None,
) -> None:
    """Choose which synergies to realise across the region: flows, transport modes and
    processing hubs, for €, CO2e or tonnes, or a Pareto front between two of them."""
    container = _container()

    def run() -> ScenarioRun:
        _ensure_schema(container)
        data: dict[str, Any] = (
            scenario_to_mapping(
                read_scenario_file(scenario, container.reference, container.impact_factors)
            )
            if scenario is not None
            else {"name": "base"}
        )
        if name is not None:
            data["name"] = name
        if objective is not None or weight:
            data.pop("weights", None)
            data.pop("objective", None)
            if weight:
                data["weights"] = _weights(weight)
            if objective is not None:
                data["objective"] = objective.value
        if pareto is not None:
            data["pareto"] = _criteria_pair(pareto)
        for key, value in (
            ("pareto_points", points),
            ("min_lot_t", min_lot),
            ("time_limit_s", time_limit),
        ):
            if value is not None:
                data[key] = value
        spec = scenario_from_mapping(
            data,
            list(container.impact_factors.processes),
            list(container.reference.material_classes),
        )
        with error_console.status("Building the regional network…") as status:

            def show(progress: SolverProgress) -> None:
                gap = (
                    ""
                    if progress.relative_gap_frac is None
                    else f", gap {100 * progress.relative_gap_frac:.2f} %"
                )
                best = (
                    "" if progress.primal_bound is None else f", best {progress.primal_bound:,.1f}"
                )
                status.update(f"Solving… {progress.elapsed_s:.1f} s{best}{gap}: {progress.message}")

            def solver_for(program: LinearProgram) -> LinearProgramSolver:
                if solver is SolverChoice.AUTO:
                    return container.solver_for(program, show)
                return container.solver_named(solver.value, show)

            result = run_scenario(
                container.unit_of_work,
                container.reference,
                container.knowledge_base,
                container.impact_factors,
                spec,
                solver_for,
                container.today(),
                container.clock.now(),
            )
        if save:
            result = save_scenario_run(container.unit_of_work, result, replace=replace_saved)
        return result

    result = _run(run, writes=save)
    print_scenario_run(console, result)
    if save:
        console.print(f"Saved as scenario {result.spec.name!r}.")
    if not any(plan.status == SolveStatus.OPTIMAL.value for plan in result.plans):
        raise typer.Exit(1)


scenarios_app = typer.Typer(help="Saved optimiser scenarios: list, show, compare, delete.")
app.add_typer(scenarios_app, name="scenarios")


@scenarios_app.command("list")
def scenarios_list() -> None:
    """The saved scenarios, newest last."""
    container = _container()

    def run() -> list[ScenarioRun]:
        _ensure_schema(container)
        return list_scenario_runs(container.unit_of_work)

    runs = _run(run, writes=False)
    print_scenario_list(console, runs)


@scenarios_app.command("show")
def scenarios_show(name: Annotated[str, typer.Argument(help="The scenario's name.")]) -> None:
    """One saved scenario: its settings, plans and flows."""
    container = _container()
    result = _run(lambda: get_scenario_run(container.unit_of_work, name), writes=False)
    print_scenario_run(console, result)


@scenarios_app.command("compare")
def scenarios_compare(
    names: Annotated[list[str], typer.Argument(help="Two or more saved scenarios.")],
) -> None:
    """Saved scenarios side by side, and how their flows differ from the first's."""
    container = _container()
    comparison = _run(lambda: compare_scenario_runs(container.unit_of_work, names), writes=False)
    print_comparison(console, comparison)


@scenarios_app.command("delete")
def scenarios_delete(name: Annotated[str, typer.Argument(help="The scenario's name.")]) -> None:
    """Delete a saved scenario and its plans."""
    container = _container()
    _run(lambda: delete_scenario_run(container.unit_of_work, name))
    console.print(f"Deleted scenario {name!r}.")


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    GEOJSON = "geojson"


@app.command()
def export(
    table: Annotated[Table, typer.Argument(help="What to export.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    file_format: Annotated[
        ExportFormat, typer.Option("--format", help="File format.")
    ] = ExportFormat.CSV,
) -> None:
    """Export organisations (one row per site), streams or needs to CSV, Excel or GeoJSON."""
    container = _container()

    def run() -> int:
        _ensure_schema(container)
        if table is Table.ORGANISATIONS:
            records = export_organisations(container.unit_of_work)
        elif table is Table.STREAMS:
            records = export_streams(container.unit_of_work, container.reference)
        else:
            records = export_needs(container.unit_of_work, container.reference)
        write_records(output, FileFormat(file_format.value), COLUMNS[table], records)
        return len(records)

    count = _run(run)
    console.print(f"Wrote {count} {table.value} rows to {output}.")


@app.command()
def reference(
    query: Annotated[str, typer.Argument(help="A code such as '10 02 02' or '24.10', or words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 20,
) -> None:
    """Search the List of Waste and NACE Rev. 2 by code or by words."""
    matches = _container().reference.search(query, limit=limit)
    if as_json:
        console.print_json(
            json.dumps(
                [
                    {"scheme": m.scheme, "code": m.code, "title": m.title, "detail": m.detail}
                    for m in matches
                ]
            )
        )
        return
    if not matches:
        console.print(f"No List of Waste or NACE entry matches {query!r}.")
        raise typer.Exit(1)
    table = RichTable(show_header=True)
    table.add_column("list")
    table.add_column("code")
    table.add_column("title")
    table.add_column("")
    for match in matches:
        table.add_row(
            "List of Waste" if match.scheme == "ewc" else "NACE Rev. 2",
            match.code,
            match.title,
            match.detail,
        )
    console.print(table)


# --- accounts and the audit log --------------------------------------------------------------

users_app = typer.Typer(
    help="Accounts: add users, list them, set their organisations, make API tokens.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
NEW_PASSWORD_VARIABLE = "SIDESTREAM_NEW_PASSWORD"


def _new_password() -> str:
    """The new account's password: from SIDESTREAM_NEW_PASSWORD (for scripts), or typed twice
    without being shown."""
    from_environment = os.environ.get(NEW_PASSWORD_VARIABLE)
    if from_environment is not None:
        return from_environment
    password: str = typer.prompt(
        "Password (at least 12 characters)", hide_input=True, confirmation_prompt=True
    )
    return password


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="The user's e-mail address (the sign-in name).")],
    name: Annotated[str, typer.Option("--name", help="The name shown for the user.")],
    facilitator: Annotated[
        bool, typer.Option("--facilitator", help="A facilitator of the region.")
    ] = False,
    administrator: Annotated[
        bool, typer.Option("--administrator", help="An administrator of the platform.")
    ] = False,
    organisations: Annotated[
        list[str] | None,
        typer.Option("--organisation", help="An organisation the user acts for (repeatable)."),
    ] = None,
) -> None:
    """Add an account. The first account must be an administrator. The password is asked for
    twice, or read from SIDESTREAM_NEW_PASSWORD."""
    container = _container()

    def run() -> User:
        _ensure_schema(container)
        organisation_ids = organisation_ids_named(container.unit_of_work, organisations or [])
        now = container.clock.now()
        if not any_accounts(container.unit_of_work):
            if not administrator:
                raise InvalidInput.single(
                    "administrator",
                    "the first account must be an administrator: add --administrator",
                )
            return bootstrap_administrator(
                container.unit_of_work,
                container.password_hasher,
                email=email,
                display_name=name,
                password=_new_password(),
                now=now,
                is_facilitator=facilitator,
                organisation_ids=organisation_ids,
            )
        return create_user(
            container.unit_of_work,
            container.password_hasher,
            Principal.operator(),
            email=email,
            display_name=name,
            password=_new_password(),
            now=now,
            is_administrator=administrator,
            is_facilitator=facilitator,
            organisation_ids=organisation_ids,
        )

    user = _run(run)
    roles = ", ".join(user.roles) or "no role yet"
    console.print(f"Added {user.email} ({roles}).")


@users_app.command("list")
def users_list() -> None:
    """Every account with its roles and organisations."""
    container = _container()

    def run() -> list[UserSummary]:
        _ensure_schema(container)
        return list_users(container.unit_of_work, Principal.operator())

    print_users(console, _run(run, writes=False))


@users_app.command("set-organisations")
def users_set_organisations(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    organisations: Annotated[
        list[str] | None,
        typer.Option(
            "--organisation", help="An organisation the user acts for (repeatable; none: none)."
        ),
    ] = None,
) -> None:
    """Replace the organisations a user acts for."""
    container = _container()

    def run() -> tuple[User, int]:
        _ensure_schema(container)
        operator = Principal.operator()
        user = user_by_email(container.unit_of_work, operator, email)
        assert user.user_id is not None
        organisation_ids = organisation_ids_named(container.unit_of_work, organisations or [])
        updated = set_memberships(
            container.unit_of_work, operator, user.user_id, organisation_ids, container.clock.now()
        )
        return updated, len(updated.organisation_ids)

    user, count = _run(run)
    console.print(f"{user.email} is now a member of {count} organisation(s).")


@users_app.command("token")
def users_token(
    email: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")],
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Expire after this many days.")
    ] = None,
) -> None:
    """Make an API token for a user and print its secret, this once."""
    container = _container()

    def run() -> IssuedToken:
        _ensure_schema(container)
        operator = Principal.operator()
        user = user_by_email(container.unit_of_work, operator, email)
        assert user.user_id is not None
        now = container.clock.now()
        expires_at = None if days is None else now + timedelta(days=days)
        return create_api_token(
            container.unit_of_work, operator, user.user_id, name, expires_at, now
        )

    issued = _run(run)
    until = (
        f"until {issued.token.expires_at:%Y-%m-%d %H:%M} UTC"
        if issued.token.expires_at
        else "until revoked"
    )
    error_console.print(
        f"API token {issued.token.token_id} ({issued.token.name!r}) for {email}, {until}. "
        "The secret is shown only now; keep it safe:"
    )
    print(issued.secret)  # plain stdout, no wrapping or markup, so that scripts can read it


@app.command("audit")
def audit_command(
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many events.")] = 50,
) -> None:
    """The audit log, newest first: who changed, revealed or exported what, and sign-ins."""
    container = _container()

    def run() -> tuple[list[AuditEvent], dict[int, str]]:
        _ensure_schema(container)
        operator = Principal.operator()
        events = read_audit_log(container.unit_of_work, operator, AuditFilter(limit=limit))
        emails = {
            summary.user.user_id: summary.user.email
            for summary in list_users(container.unit_of_work, operator)
            if summary.user.user_id is not None
        }
        return events, emails

    events, emails = _run(run, writes=False)
    print_audit_log(console, events, emails)


# --- the synergy board -----------------------------------------------------------------------

synergies_app = typer.Typer(
    help="The synergy board: open synergies from proposals and move them on to realisation.",
    no_args_is_help=True,
)
app.add_typer(synergies_app, name="synergies")
SynergyId = Annotated[
    int, typer.Argument(help="The synergy's id (see `sidestream synergies list`).")
]
Note = Annotated[str | None, typer.Option("--note", help="Why, in a few words.")]


def _agreed(synergy: Synergy) -> str:
    agreement = synergy.agreement
    if agreement is None:
        return ""
    return f"{agreement.quantity:,.6g} {agreement.unit}/yr from {agreement.started_on:%Y-%m-%d}"


def _print_synergies(views: list[SynergyView], stage: Stage | None) -> None:
    if not views:
        console.print(
            f"No synergy is at {stage.label}."
            if stage is not None
            else "No synergies yet: open one with `sidestream synergies open PROPOSAL_ID`."
        )
        return
    table = RichTable(show_header=True)
    for column in ("id", "stage", "synergy", "proposal", "agreed", "updated (UTC)"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for view in views:
        synergy = view.synergy
        stage_text = synergy.stage.label
        if synergy.dropped_from is not None:
            stage_text += f" (at {synergy.dropped_from.label}: {synergy.drop_reason})"
        table.add_row(
            str(synergy.synergy_id),
            escape(stage_text),
            escape(view.label),
            f"#{synergy.proposal_id} ({view.proposal_status.value})",
            _agreed(synergy),
            f"{synergy.updated_at.astimezone(UTC):%Y-%m-%d %H:%M}",
        )
    console.print(table)


def _print_moved(synergy: Synergy) -> None:
    if synergy.agreement is not None:
        console.print(f"Synergy {synergy.synergy_id} is realised: {_agreed(synergy)}.")
    else:
        console.print(f"Synergy {synergy.synergy_id} is at {synergy.stage.label}.")


@synergies_app.command("list")
def synergies_list(
    stage: Annotated[
        Stage | None, typer.Option("--stage", help="Only synergies at this stage.")
    ] = None,
) -> None:
    """The board: every synergy with its stage, oldest first."""
    container = _container()

    def run() -> list[SynergyView]:
        _ensure_schema(container)
        return list_synergies(container.unit_of_work, Principal.operator(), stage)

    _print_synergies(_run(run, writes=False), stage)


@synergies_app.command("open")
def synergies_open(
    proposal_id: Annotated[int, typer.Argument(help="The proposal the synergy follows.")],
    note: Note = None,
) -> None:
    """Open the synergy of a proposal (at proposed), whether or not both parties accepted it."""
    container = _container()

    def run() -> Synergy:
        _ensure_schema(container)
        return open_synergy(
            container.unit_of_work, proposal_id, Principal.operator(), container.clock.now(), note
        )

    synergy = _run(run)
    console.print(f"Opened synergy {synergy.synergy_id} from proposal {proposal_id}.")


@synergies_app.command("move")
def synergies_move(
    synergy_id: SynergyId,
    stage: Annotated[Stage, typer.Argument(help="Forward any number of stages, or back one.")],
    note: Note = None,
) -> None:
    """Move a synergy forward, or back one stage (--note saying why)."""
    container = _container()

    def run() -> Synergy:
        _ensure_schema(container)
        return move_synergy(
            container.unit_of_work,
            synergy_id,
            stage,
            Principal.operator(),
            container.clock.now(),
            note,
        )

    _print_moved(_run(run))


@synergies_app.command("drop")
def synergies_drop(
    synergy_id: SynergyId,
    reason: Annotated[str, typer.Option("--reason", help="Why the synergy is dropped.")],
) -> None:
    """Drop a synergy, from any stage before realised."""
    container = _container()

    def run() -> Synergy:
        _ensure_schema(container)
        return drop_synergy(
            container.unit_of_work, synergy_id, reason, Principal.operator(), container.clock.now()
        )

    synergy = _run(run)
    assert synergy.dropped_from is not None
    console.print(f"Dropped synergy {synergy_id} at {synergy.dropped_from.label}.")


@synergies_app.command("reopen")
def synergies_reopen(synergy_id: SynergyId, note: Note = None) -> None:
    """Take a dropped synergy up again, at the stage it was dropped from."""
    container = _container()

    def run() -> Synergy:
        _ensure_schema(container)
        return reopen_synergy(
            container.unit_of_work, synergy_id, Principal.operator(), container.clock.now(), note
        )

    _print_moved(_run(run))


def _start_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput.single("start", f"{text!r} is not a date YYYY-MM-DD") from None


@synergies_app.command("realise")
def synergies_realise(
    synergy_id: SynergyId,
    quantity: Annotated[
        float,
        typer.Option("--quantity", help="Agreed a year, in the stream's unit (t, MWh or m3)."),
    ],
    start: Annotated[str, typer.Option("--start", help="When it started, YYYY-MM-DD.")],
    note: Note = None,
) -> None:
    """Confirm a synergy realised, with the quantity agreed a year and its start date. A
    quantity above the smaller listing's needs a --note saying why."""
    container = _container()

    def run() -> Synergy:
        started_on = _start_date(start)
        _ensure_schema(container)
        return realise_synergy(
            container.unit_of_work,
            synergy_id,
            quantity,
            started_on,
            Principal.operator(),
            container.clock.now(),
            note,
        )

    _print_moved(_run(run))


@synergies_app.command("history")
def synergies_history(synergy_id: SynergyId) -> None:
    """Every move of a synergy, oldest first, with who made it and why."""
    container = _container()

    def run() -> tuple[SynergyView, dict[int, str]]:
        _ensure_schema(container)
        operator = Principal.operator()
        view = synergy_history(container.unit_of_work, synergy_id, operator)
        emails = {
            summary.user.user_id: summary.user.email
            for summary in list_users(container.unit_of_work, operator)
            if summary.user.user_id is not None
        }
        return view, emails

    view, emails = _run(run, writes=False)
    synergy = view.synergy
    console.print(
        f"Synergy {synergy.synergy_id}: {escape(view.label)}, at {synergy.stage.label}"
        + (f", {_agreed(synergy)}" if synergy.agreement else "")
    )
    table = RichTable(show_header=True)
    for column in ("at (UTC)", "from", "to", "by", "note"):
        table.add_column(column)
    for event in synergy.events:
        if event.actor_user_id is None:
            actor = "command line"
        else:
            actor = emails.get(event.actor_user_id, f"user #{event.actor_user_id}")
        table.add_row(
            f"{event.at.astimezone(UTC):%Y-%m-%d %H:%M}",
            event.from_stage.label if event.from_stage else "(opened)",
            event.to_stage.label,
            escape(actor),
            escape(event.note or ""),
        )
    console.print(table)


# --- documents -------------------------------------------------------------------------------

document_app = typer.Typer(
    help="Files attached to a stream: decisions, permits, notifications, lab reports.",
    no_args_is_help=True,
)
app.add_typer(document_app, name="document")


@document_app.command("add")
def document_add(
    stream_id: Annotated[int, typer.Argument(help="The stream the document is about.")],
    file: Annotated[
        Path,
        typer.Argument(
            help=f"{ACCEPTED_LABELS}, at most {MAX_DOCUMENT_BYTES // 2**20} MB.",
            exists=True,
            dir_okay=False,
        ),
    ],
    kind: Annotated[DocumentKind, typer.Option(help="What kind of document it is.")],
    title: Annotated[
        str | None, typer.Option(help="What the document is; the file's name when omitted.")
    ] = None,
    status_record: Annotated[
        int | None, typer.Option("--status-record", help="The status record it supports.")
    ] = None,
) -> None:
    """Attach a file to a stream; its type is read from its content. Audited."""
    container = _container()

    def run() -> StreamDocument:
        _ensure_schema(container)
        too_large = size_error(file.stat().st_size)
        if too_large is not None:  # before reading a byte of it
            raise InvalidInput([too_large])
        upload = DocumentUpload(
            stream_id, title or file.name, kind.value, file.name, file.read_bytes(), status_record
        )
        return upload_document(
            container.unit_of_work, Principal.operator(), upload, container.clock.now()
        )

    saved = _run(run)
    console.print(
        escape(
            f"Added document {saved.document_id} to stream {stream_id}: {saved.file_name} "
            f"({saved.media_type}, {saved.size_bytes} bytes, sha256 {saved.sha256})."
        )
    )


@document_app.command("list")
def document_list(
    stream_id: Annotated[int, typer.Argument(help="The stream.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A stream's documents, oldest first (their descriptions; the bytes stay stored)."""
    container = _container()

    def run() -> list[StreamDocument]:
        _ensure_schema(container)
        return list_documents(container.unit_of_work, Principal.operator(), stream_id)

    documents = _run(run, writes=False)
    if as_json:
        console.print_json(json.dumps([document_record(d) for d in documents]))
        return
    table = RichTable(title=f"Documents of stream {stream_id}", title_justify="left")
    for column in ("id", "title", "kind", "file", "bytes", "added (UTC)", "status", "sha256"):
        table.add_column(column, justify="right" if column in ("id", "bytes") else "left")
    for document in documents:
        table.add_row(
            str(document.document_id),
            escape(document.title),
            document.kind.value,
            escape(document.file_name),
            str(document.size_bytes),
            f"{document.uploaded_at.astimezone(UTC):%Y-%m-%d %H:%M}",
            "" if document.status_record_id is None else str(document.status_record_id),
            document.sha256[:12] + "…",
        )
    console.print(table if documents else f"Stream {stream_id} has no documents.")


def main() -> None:
    app()
