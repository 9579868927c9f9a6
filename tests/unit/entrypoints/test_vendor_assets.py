"""The vendored browser libraries are the files their README records: each listed file exists
with its SHA-256, each package has its licence beside it, nothing unlisted is served, and no
page or script of ours loads anything from another host."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import sidestream.entrypoints.web as web

STATIC = Path(web.__file__).parent / "static"
TEMPLATES = Path(web.__file__).parent / "templates"
VENDOR = STATIC / "vendor"
README = (VENDOR / "README.md").read_text(encoding="utf-8")
FILE_ROW = re.compile(r"^\| `([^`]+)` \| (\S+) \| (\S+) \| (\S+) \| `([0-9a-f]{64})` \|$", re.M)
PACKAGE_ROW = re.compile(r"^\| (\S+) \| (\S+) \| (\S+) \| `(sha512-[A-Za-z0-9+/=]+)` \|$", re.M)


def _recorded() -> dict[str, str]:
    return {path: digest for path, *_, digest in FILE_ROW.findall(README)}


def test_every_recorded_file_exists_with_its_sha256() -> None:
    recorded = _recorded()
    assert len(recorded) >= 10
    for path, digest in recorded.items():
        file = VENDOR / path
        assert file.is_file(), path
        assert hashlib.sha256(file.read_bytes()).hexdigest() == digest, path


def test_nothing_unrecorded_is_vendored() -> None:
    present = {
        file.relative_to(VENDOR).as_posix()
        for file in VENDOR.rglob("*")
        if file.is_file() and file.name != "README.md"
    }
    assert present == set(_recorded())


def test_each_package_is_pinned_with_its_integrity_and_ships_its_licence() -> None:
    packages = {
        name: version for name, version, _licence, _integrity in PACKAGE_ROW.findall(README)
    }
    assert set(packages) == {"htmx.org", "leaflet", "leaflet.markercluster", "echarts"}
    assert packages["htmx.org"].startswith("2.")
    assert packages["leaflet"].startswith("1.9.")
    assert packages["echarts"].startswith("5.")
    rows = FILE_ROW.findall(README)
    for package, version in packages.items():
        files = [path for path, name, pinned, _licence, _digest in rows if name == package]
        assert files, package
        assert all(pinned == version for _p, name, pinned, *_ in rows if name == package)
        assert any(re.search(r"LICEN[CS]E", path) for path in files), package
    script = (Path(__file__).parents[3] / "scripts" / "update_vendor_assets.sh").read_text()
    for package, version in packages.items():
        assert f"|{package}|{version}|" in script, package


def test_our_pages_and_scripts_load_nothing_from_another_host() -> None:
    for file in [*TEMPLATES.glob("*.html"), *STATIC.glob("*.js"), *STATIC.glob("*.css")]:
        text = file.read_text(encoding="utf-8")
        # Links to other sites are fine; loading a script, style, image or frame is not.
        assert not re.search(r"""\bsrc=["']?(https?:)?//""", text), file.name
        assert not re.search(r"""<link[^>]*href=["']?(https?:)?//""", text), file.name
        assert not re.search(r"""url\(\s*["']?(https?:)?//""", text), file.name
        assert not re.search(r"""fetch\(\s*["']https?://""", text), file.name
