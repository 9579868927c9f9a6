"""The committed OpenAPI schema (docs/reference/openapi.json) is the one the app serves: any
change to the API shows in review as a change of that file. `make openapi` rewrites it
(`python -m tests.docs.test_openapi`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sidestream.bootstrap.container import Container
from sidestream.bootstrap.settings import Settings
from sidestream.entrypoints.api import API_PREFIX
from sidestream.entrypoints.server import create_app

ROOT = Path(__file__).parents[2]
SNAPSHOT = ROOT / "docs" / "reference" / "openapi.json"
METHODS = {"get", "put", "post", "delete", "patch"}


def openapi_schema() -> dict[str, Any]:
    # Building the schema reads no database; the URL only has to be well formed.
    container = Container(settings=Settings(database_url="sqlite://"))
    try:
        schema: dict[str, Any] = create_app(container).openapi()
    finally:
        container.dispose()
    return schema


def openapi_text(schema: dict[str, Any]) -> str:
    """Pretty-printed with sorted keys, so a change shows as a small diff."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_committed_schema_is_the_one_the_app_serves() -> None:
    current = openapi_text(openapi_schema())
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    assert committed == current, (
        "docs/reference/openapi.json differs from the API's schema: run `make openapi` and "
        "commit the result with the change of the API"
    )


def test_the_schema_holds_the_api_only_and_documents_its_problems() -> None:
    schema = openapi_schema()
    assert schema["paths"]
    for path, operations in schema["paths"].items():
        assert path.startswith(API_PREFIX + "/"), f"{path} is not under {API_PREFIX}"
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            for status in ("401", "403", "404", "422"):
                content = responses.get(status, {}).get("content", {})
                assert "application/problem+json" in content, f"{where}: {status} undocumented"


if __name__ == "__main__":
    SNAPSHOT.write_text(openapi_text(openapi_schema()), encoding="utf-8")
    print(f"wrote {SNAPSHOT.relative_to(ROOT)}")
