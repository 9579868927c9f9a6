"""A laboratory's file added on a stream's screening page, over real HTTP on SQLite and
PostgreSQL: CSV or Excel, all or nothing, every problem of a refused file by its row and column
in the page's language, only with the page's CSRF token and only by the readers with full
access; and after results are added by the page, the API or the command line, the stream is
matched again, so that its proposals weigh them."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from sidestream.bootstrap.container import Container
from sidestream.entrypoints.cli import app as cli
from sidestream.services.matching import run_matching
from sidestream.services.screening import LAB_RESULT_COLUMNS
from tests.integration.test_registry import _load_registry
from tests.integration.test_regulatory_paths import (
    TODAY,
    _ids,
    _proposal,
    knowledge_with_landfill_limits,
)
from tests.integration.test_screening import HEADER, SLAG_RESULTS
from tests.integration.test_web_auth import (
    FACILITATOR,
    MEMBER,
    OUTSIDER,
    Site,
    add_outsider,
    form_token,
    sign_in,
)
from tests.integration.test_web_documents import _stream_id

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Column-test results (MARA counts the column test): vanadium 2.5 exceeds MARA's 2 mg/kg.
ASH_RESULTS = HEADER + (
    "molybdenum,leaching_ls10,0.3,mg/kg,SFS-EN 14405:2017,Test Lab Oy,2026-03-01,no\n"
    "vanadium,leaching_ls10,2.5,mg/kg,SFS-EN 14405:2017,Test Lab Oy,2026-03-01,no\n"
    "chloride,leaching_ls10,300,mg/kg,SFS-EN 14405:2017,Test Lab Oy,2026-03-01,no\n"
)
# Row 2 is right; 3 names no parameter, 4 has no unit, 5 no standard, 6 an unknown basis.
BAD_RESULTS = HEADER + (
    "zinc,leaching_ls10,1,mg/kg,EN 12457-4,Test Lab Oy,2026-03-01,no\n"
    "unobtainium,total,1,mg/kg,EN 13657,Test Lab Oy,2026-03-01,no\n"
    "lead,total,1,,EN 13657,Test Lab Oy,2026-03-01,no\n"
    "lead,leaching_ls10,1,mg/kg,,Test Lab Oy,2026-03-01,no\n"
    "lead,leaching_ls5,1,mg/kg,EN 12457-4,Test Lab Oy,2026-03-01,no\n"
)
runner = CliRunner()


def _xlsx(table: str) -> bytes:
    """The CSV table as an Excel workbook, as a laboratory sends one."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in table.strip().splitlines():
        sheet.append(line.split(","))
    saved = io.BytesIO()
    workbook.save(saved)
    return saved.getvalue()


def _post_file(
    browser: httpx.Client,
    stream: int,
    token: str | None,
    file_name: str,
    content: bytes,
    media_type: str = "text/csv",
) -> httpx.Response:
    form = {} if token is None else {"csrf_token": token}
    return browser.post(
        f"/streams/{stream}/lab-results",
        data=form,
        files={"file": (file_name, content, media_type)},
    )


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _problems(html: str) -> set[tuple[str, str, str]]:
    """The refused file's problems as the page lists them: (row, column, reason)."""
    rows = re.findall(
        r'<tr><td class="number">([^<]*)</td><td><code>([^<]*)</code></td><td>([^<]*)</td></tr>',
        html,
    )
    return {(row, column, unescape(reason)) for row, column, reason in rows}


def _file_error(html: str) -> str:
    match = re.search(r'<p class="field-error" id="error-lab-results-file">([^<]*)</p>', html)
    assert match is not None, html
    return unescape(match.group(1))


def test_a_facilitator_adds_a_csv_and_an_xlsx_and_sees_them_screened(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")  # public, of Test Steel Oy
    page = f"/streams/{slag}/screening"
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        shown = browser.get(page)
        assert 'id="lab-results"' in shown.text
        assert f'action="/streams/{slag}/lab-results"' in shown.text
        # The help lists the columns, with one example row under the header.
        assert ",".join(LAB_RESULT_COLUMNS) + "\nmolybdenum,leaching_ls10,0.8," in shown.text
        token = form_token(shown)

        added = _post_file(browser, slag, token, "lab.csv", SLAG_RESULTS.encode())
        assert added.status_code == 303, added.text
        location = added.headers["location"]
        assert location.startswith(f"{page}?added=4&proposals=") and location.endswith(
            "#lab-results"
        )
        assert site.count("lab_results") == 4
        notice = _text(browser.get(location).text)
        assert "4 lab results added." in notice
        assert "The stream was matched again: it has" in notice
        inert = _text(browser.get(f"{page}?use=eu_landfill_inert").text)
        # Molybdenum leaches 0.8 mg/kg at L/S 10, 1.6 times the inert-landfill limit of 0.5.
        assert "Molybdenum (Mo) leaching, L/S 10 l/kg exceeds 0.8 batch leaching test" in inert

        workbook = _xlsx(ASH_RESULTS)
        added = _post_file(browser, slag, token, "Näytteet 2026.xlsx", workbook, XLSX_TYPE)
        assert added.status_code == 303, added.text
        assert "added=3&" in added.headers["location"]
        assert site.count("lab_results") == 7
        covered = browser.get(f"{page}.json?use=fi_mara_covered").json()["screenings"][0]
        verdicts = {(p["parameter_code"], p["basis"]): p["verdict"] for p in covered["parameters"]}
        assert verdicts[("vanadium", "leaching_ls10")] == "exceeds"  # 2.5 > 2, column test
        assert verdicts[("molybdenum", "leaching_ls10")] == "within"
        mara = _text(browser.get(f"{page}?use=fi_mara_covered").text)
        assert "Vanadium (V) leaching, L/S 10 l/kg exceeds 2.5 column leaching test" in mara


def test_a_file_with_bad_rows_names_every_problem_by_row_and_adds_nothing(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    page = f"/streams/{slag}/screening"
    with site.client() as browser:
        sign_in(browser, MEMBER)
        token = form_token(browser.get(page))
        ok = _post_file(browser, slag, token, "lab.csv", SLAG_RESULTS.encode())
        assert ok.status_code == 303
        before = site.count("lab_results")

        refused = _post_file(browser, slag, token, "bad.csv", BAD_RESULTS.encode())
        assert refused.status_code == 422
        assert site.count("lab_results") == before  # row 2 was right: nothing all the same
        problems = _problems(refused.text)
        assert {(row, column) for row, column, _ in problems} == {
            ("3", "parameter_code"),
            ("4", "unit"),
            ("5", "standard"),
            ("6", "basis"),
        }
        assert ("4", "unit", "is required") in problems
        assert "Nothing was added" in refused.text
        assert 'id="lab-results-file"' in refused.text  # the form, to try again

        # In Finnish, as the page is (the language is remembered in a cookie).
        browser.get(page + "?lang=fi")
        finnish = _post_file(browser, slag, token, "bad.xlsx", _xlsx(BAD_RESULTS), XLSX_TYPE)
        assert finnish.status_code == 422
        problems = _problems(finnish.text)
        assert ("4", "unit", "on pakollinen") in problems
        assert (
            "3",
            "parameter_code",
            "'unobtainium' ei ole minkään raja-arvokokoelman parametri",
        ) in problems
        assert "Mitään ei lisätty" in finnish.text
    assert site.count("lab_results") == before


@pytest.mark.parametrize(
    ("file_name", "content", "reason"),
    [
        ("report.pdf", b"%PDF-1.7\n", "'report.pdf': send the laboratory's results as a .csv"),
        ("lab.json", b'{"type": "FeatureCollection"}', "as a .csv or .xlsx file"),
        ("lab.xlsx", SLAG_RESULTS.encode(), "'lab.xlsx' is named as an Excel workbook (.xlsx)"),
        ("lab.csv", _xlsx(SLAG_RESULTS), "its content is an Excel workbook: name it .xlsx"),
        ("lab.csv", SLAG_RESULTS.encode("utf-16"), "'lab.csv' is not UTF-8 text"),
        ("lab.csv", b"", "'lab.csv' is empty"),
        ("lab.csv", HEADER.encode(), "'lab.csv' has no results below its header row"),
        ("lab.csv", b"sample,value\nA1,3\n", "unknown column(s) sample"),
        ("", b"", "choose the laboratory's file"),
    ],
)
def test_a_file_that_is_no_laboratorys_table_is_refused_by_the_file_field(
    site: Site, file_name: str, content: bytes, reason: str
) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        token = form_token(browser.get(f"/streams/{slag}/screening"))
        refused = _post_file(browser, slag, token, file_name, content)
    assert refused.status_code == 422, refused.text
    assert reason in _file_error(refused.text)
    assert site.count("lab_results") == 0


def test_a_file_without_the_pages_csrf_token_is_refused(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")
    with site.client() as browser:
        sign_in(browser, MEMBER)
        form_token(browser.get(f"/streams/{slag}/screening"))
        forged = _post_file(browser, slag, None, "lab.csv", SLAG_RESULTS.encode())
        assert forged.status_code == 403
        wrong = _post_file(browser, slag, "not the token", "lab.csv", SLAG_RESULTS.encode())
        assert wrong.status_code == 403
    assert site.count("lab_results") == 0


def test_others_neither_see_the_form_nor_add_results(site: Site) -> None:
    slag = _stream_id(site, "Ferrochrome slag")  # public: everyone sees its screening
    dust = _stream_id(site, "Filter dust")  # private to Test Steel Oy
    add_outsider(site)
    page = f"/streams/{slag}/screening"
    with site.client() as outsider:
        sign_in(outsider, OUTSIDER)
        shown = outsider.get(page)
        assert shown.status_code == 200 and "Ferrochrome slag" in shown.text
        assert 'id="lab-results"' not in shown.text and "/lab-results" not in shown.text
        token = form_token(shown)  # the sign-out form's: a valid token of the session
        for stream in (slag, dust):
            refused = _post_file(outsider, stream, token, "lab.csv", SLAG_RESULTS.encode())
            assert refused.status_code == 404, refused.text
            assert "Filter dust" not in refused.text
    with site.client() as public:
        shown = public.get(page)
        assert shown.status_code == 200 and 'id="lab-results"' not in shown.text
        token = form_token(public.get("/signin"))  # an anonymous visitor's valid token
        refused = _post_file(public, slag, token, "lab.csv", SLAG_RESULTS.encode())
        assert refused.status_code == 403
    assert site.count("lab_results") == 0


# --- matching again: the slag's proposal to the waste-rock cover, whose use is given the
# inert-landfill limits (tests/integration/test_regulatory_paths.py) -------------------------


def _matched_without_results(container: Container) -> tuple[int, int, float]:
    """The slag, the cover layer and the score of their proposal, matched before the slag has
    lab results; the app and the command line then judge the use by the landfill limits."""
    knowledge = knowledge_with_landfill_limits(container)
    container.__dict__["regulatory_knowledge"] = knowledge  # the app reads it per request
    run_matching(
        container.unit_of_work,
        container.reference,
        container.knowledge_base,
        TODAY,
        regulatory=knowledge,
    )
    slag, cover, _ = _ids(container)
    _, score, factors = _proposal(container, slag, cover)
    assert "regulation" not in factors  # no results: nothing to hold against the slag
    return slag, cover, score


def _assert_ranked_lower(container: Container, slag: int, cover: int, untested: float) -> None:
    # Molybdenum leaches 0.8 mg/kg at L/S 10, above the inert-landfill limit of 0.5.
    _, score, factors = _proposal(container, slag, cover)
    assert "regulation" in factors
    assert score == pytest.approx(untested * 0.5)


def test_the_page_matches_the_stream_again(site: Site) -> None:
    slag, cover, untested = _matched_without_results(site.container)
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        token = form_token(browser.get(f"/streams/{slag}/screening"))
        added = _post_file(browser, slag, token, "lab.csv", SLAG_RESULTS.encode())
        assert added.status_code == 303, added.text
        matched = re.search(r"proposals=(\d+)", added.headers["location"])
        assert matched is not None and int(matched.group(1)) >= 1
    _assert_ranked_lower(site.container, slag, cover, untested)


def test_the_api_matches_the_stream_again(site: Site) -> None:
    slag, cover, untested = _matched_without_results(site.container)
    rows = [
        dict(zip(LAB_RESULT_COLUMNS, line.split(","), strict=True))
        for line in SLAG_RESULTS.strip().splitlines()[1:]
    ]
    results = [
        row | {"value": float(row["value"]), "below_detection": row["below_detection"] == "yes"}
        for row in rows
    ]
    with site.client() as browser:
        sign_in(browser, FACILITATOR)
        token = form_token(browser.get(f"/streams/{slag}/screening"))
        added = browser.post(
            f"/api/v1/streams/{slag}/lab-results",
            json={"results": results},
            headers={"X-CSRF-Token": token},
        )
    assert added.status_code == 201, added.text
    assert added.json() == {"added": 4}
    _assert_ranked_lower(site.container, slag, cover, untested)


def test_the_command_line_matches_the_stream_again_and_says_how_many_proposals(
    container: Container, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load_registry(container)
    slag, cover, untested = _matched_without_results(container)
    knowledge = container.regulatory_knowledge
    monkeypatch.setenv("SIDESTREAM_DATABASE_URL", container.settings.database_url)
    build = cli._container

    def with_landfill_limits() -> Container:
        built = build()
        built.__dict__["regulatory_knowledge"] = knowledge
        return built

    monkeypatch.setattr(cli, "_container", with_landfill_limits)
    lab_file = tmp_path / "lab.csv"
    lab_file.write_text(SLAG_RESULTS, encoding="utf-8")
    added = runner.invoke(
        cli.app, ["import", "lab-results", str(slag), str(lab_file)], env={"COLUMNS": "240"}
    )
    assert added.exit_code == 0, added.output
    assert f"Added 4 lab results to stream {slag}." in added.output
    with container.unit_of_work() as uow:
        held = len(uow.proposals.for_listing(stream_id=slag))
    assert held >= 1
    assert f"Matched it again: stream {slag} now has {held} proposals." in added.output
    _assert_ranked_lower(container, slag, cover, untested)
