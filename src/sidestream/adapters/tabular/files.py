"""CSV, Excel (.xlsx) and GeoJSON files to rows of text cells, and back."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

from openpyxl import Workbook, load_workbook

from sidestream.domain.errors import InvalidInput
from sidestream.services.transfer import ExportRecord

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    GEOJSON = "geojson"

    @classmethod
    def of(cls, path: Path) -> FileFormat:
        suffix = path.suffix.lower().lstrip(".")
        if suffix == "json":
            return cls.GEOJSON
        try:
            return cls(suffix)
        except ValueError:
            raise InvalidInput.single(
                "file", f"{path.name}: use a .csv, .xlsx or .geojson file"
            ) from None


def read_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """Rows as text cells keyed by column; unknown columns are an error (they are typos)."""
    if not path.is_file():
        raise InvalidInput.single("file", f"{path} does not exist")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput.single(
            "file", f"{path.name} is larger than {MAX_FILE_BYTES // 2**20} MB"
        )
    file_format = FileFormat.of(path)
    if file_format is FileFormat.CSV:
        header, rows = _read_csv(path)
    elif file_format is FileFormat.XLSX:
        header, rows = _read_xlsx(path)
    else:
        header, rows = _read_geojson(path, columns)
    unknown = [name for name in header if name and name not in columns]
    if unknown:
        raise InvalidInput.single(
            "file", f"unknown column(s) {', '.join(unknown)}; expected some of {', '.join(columns)}"
        )
    if len(rows) > MAX_ROWS:
        raise InvalidInput.single("file", f"{len(rows)} rows; at most {MAX_ROWS} per file")
    return rows


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput.single("file", f"{path.name} is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip() for name in reader.fieldnames or []]
    if not header:
        raise InvalidInput.single("file", f"{path.name} has no header row")
    reader.fieldnames = header
    rows = []
    for row in reader:
        if None in row:
            raise InvalidInput.single(
                "file", f"row {reader.line_num} has more cells than the header has columns"
            )
        rows.append({key: value or "" for key, value in row.items()})
    return header, [row for row in rows if any(value.strip() for value in row.values())]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            repr(value).removesuffix(".0")
            if math.isfinite(value) and value.is_integer()
            else repr(value)
        )
    return str(value)


def _read_xlsx(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput.single(
            "file", f"{path.name} is not a readable .xlsx workbook"
        ) from error
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = [_cell_text(cell).strip() for cell in next(lines, ())]
        if not any(header):
            raise InvalidInput.single("file", f"{path.name} has no header row")
        rows = []
        for line in lines:
            cells = [_cell_text(cell) for cell in line]
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header) and any(cells[len(header) :]):
                raise InvalidInput.single("file", "a row has cells beyond the header's columns")
            rows.append(
                {name: cells[i] if i < len(cells) else "" for i, name in enumerate(header) if name}
            )
        return header, rows
    finally:
        workbook.close()


def _read_geojson(path: Path, columns: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput.single("file", f"{path.name} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InvalidInput.single("file", "a GeoJSON FeatureCollection is expected")
    header: list[str] = []
    rows = []
    for feature in document.get("features", []):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict):
            raise InvalidInput.single("file", "every feature needs a properties object")
        row = {str(key): _cell_text(value) for key, value in properties.items()}
        geometry = feature.get("geometry") or {}
        if "latitude_deg" in columns and geometry.get("type") == "Point":
            longitude, latitude = geometry["coordinates"][:2]
            row.setdefault("latitude_deg", _cell_text(float(latitude)))
            row.setdefault("longitude_deg", _cell_text(float(longitude)))
        header.extend(key for key in row if key not in header)
        rows.append(row)
    return header, rows


def write_records(
    path: Path, file_format: FileFormat, columns: Sequence[str], records: Sequence[ExportRecord]
) -> None:
    """Write the file whole or not at all: into a temporary file first, then renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    temporary = Path(temporary_name)
    try:
        _write(temporary, file_format, columns, records)
        temporary.chmod(0o644)  # mkstemp's private mode is not what an export should carry
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _write(
    path: Path, file_format: FileFormat, columns: Sequence[str], records: Sequence[ExportRecord]
) -> None:
    if file_format is FileFormat.CSV:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(columns))
            writer.writeheader()
            writer.writerows(record.row for record in records)
    elif file_format is FileFormat.XLSX:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(list(columns))
        for record in records:
            # Cells stay text so codes such as municipality 005 keep their leading zeros.
            sheet.append([record.row[column] for column in columns])
        workbook.save(path)
    else:
        collection = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [record.longitude_deg, record.latitude_deg],
                    },
                    "properties": {column: record.row[column] for column in columns},
                }
                for record in records
            ],
        }
        path.write_text(json.dumps(collection, ensure_ascii=False, indent=1), encoding="utf-8")
