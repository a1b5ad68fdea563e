"""Tests for reference.install.sources: find-links directories, PEP 503 and PEP 691 indexes.

Also holds the small wheel builder and loopback server the other B2 tests share.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reference.errors import VariantError
from reference.install.pages import FileLink, HashMismatch, SourceError, variants_json_filename
from reference.install.sources import FindLinks, SimpleIndex, Source

# --------------------------------------------------------------------------- helpers


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_wheel(
    directory: Path,
    filename: str,
    files: dict[str, str] | None = None,
    requires_dist: list[str] | None = None,
    variant_json: dict[str, Any] | None = None,
) -> Path:
    """Write a minimal valid wheel (METADATA, WHEEL, RECORD, optional variant.json)."""
    parts = filename[: -len(".whl")].split("-")
    name, version = parts[0], parts[1]
    dist_info = f"{name}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    for req in requires_dist or []:
        meta += f"Requires-Dist: {req}\n"
    contents: dict[str, str] = dict(files or {})
    contents[f"{dist_info}/METADATA"] = meta
    contents[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    if variant_json is not None:
        contents[f"{dist_info}/variant.json"] = json.dumps(variant_json)
    record = "".join(
        f"{path},{_record_hash(text.encode())},{len(text.encode())}\n" for path, text in contents.items()
    )
    record += f"{dist_info}/RECORD,,\n"
    contents[f"{dist_info}/RECORD"] = record
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    with zipfile.ZipFile(path, "w") as zf:
        for member, text in contents.items():
            zf.writestr(member, text)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def serve() -> Iterator[Any]:
    """Serve a directory on 127.0.0.1 (port 0); returns a function dir -> base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(root: Path, json_pages: bool = False) -> str:
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def send_head(self) -> Any:
                # PEP 691: answer JSON project pages when asked for them
                page_json = root / self.path.strip("/") / "index.json"
                if json_pages and self.path.endswith("/") and page_json.exists():
                    body = page_json.read_bytes()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/vnd.pypi.simple.v1+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    return io.BytesIO(body)
                return super().send_head()

        return loopback(Handler, servers)

    yield start
    stop_servers(servers)


def loopback(handler: type[http.server.BaseHTTPRequestHandler], servers: list[Any]) -> str:
    """Serve ``handler`` on 127.0.0.1 (port 0) in a daemon thread; its base URL (kept in ``servers``)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    servers.append(server)
    return f"http://127.0.0.1:{server.server_address[1]}/"


def stop_servers(servers: list[Any]) -> None:
    """Stop what :func:`loopback` started."""
    for server in servers:
        server.shutdown()
        server.server_close()


def make_simple_index(root: Path, find_links: Path, *, hashes: bool = True, json_pages: bool = False) -> Path:
    """Turn a find-links directory into a simple index under root/simple/{project}/."""
    simple = root / "simple"
    projects: dict[str, list[Path]] = {}
    for path in sorted(find_links.iterdir()):
        project = path.name.split("-")[0].replace("_", "-").lower()
        projects.setdefault(project, []).append(path)
    for project, paths in projects.items():
        page = simple / project
        page.mkdir(parents=True, exist_ok=True)
        files = []
        anchors = []
        for path in paths:
            (page / path.name).write_bytes(path.read_bytes())
            digest = sha256(path)
            fragment = f"#sha256={digest}" if hashes else ""
            anchors.append(f'<a href="{path.name}{fragment}">{path.name}</a><br/>')
            file_hashes = {"sha256": digest} if hashes else {}
            files.append({"filename": path.name, "url": path.name, "hashes": file_hashes})
        (page / "index.html").write_text(
            "<!DOCTYPE html><html><body>\n" + "\n".join(anchors) + "\n</body></html>\n"
        )
        if json_pages:
            (page / "index.json").write_text(
                json.dumps({"meta": {"api-version": "1.0"}, "name": project, "files": files})
            )
    return simple


VARIANT_DOC = {
    "$schema": "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json",
    "default-priorities": {"namespace": ["x86_64"]},
    "variants": {"x86_64_v3": {"x86_64": {"level": ["v3"]}}},
}


@pytest.fixture
def find_links(tmp_path: Path) -> Path:
    links = tmp_path / "links"
    build_wheel(links, "demo-1.0-py3-none-any.whl")
    build_wheel(links, "demo-1.0-py3-none-any-x86_64_v3.whl", variant_json=VARIANT_DOC)
    build_wheel(links, "demo-2.0-py3-none-any.whl")
    build_wheel(links, "other-1.0-py3-none-any.whl")
    (links / "demo-1.0-variants.json").write_text(json.dumps(VARIANT_DOC))
    (links / "README.txt").write_text("not a release file")
    return links


# --------------------------------------------------------------------------- tests


def test_variants_json_filename_normalized() -> None:
    # PEP 825 "Index-level metadata": name and version "normalized according to
    # the same rules as wheel files".
    assert variants_json_filename("Foo.Bar-baz", "1.0.0") == "foo_bar_baz-1.0.0-variants.json"
    assert variants_json_filename("foo", "01.2") == "foo-1.2-variants.json"


def test_find_links_lists_wheels_and_index_file(find_links: Path) -> None:
    page = FindLinks(find_links).project_page("Demo")
    assert sorted(link.filename for link in page.wheels) == [
        "demo-1.0-py3-none-any-x86_64_v3.whl",
        "demo-1.0-py3-none-any.whl",
        "demo-2.0-py3-none-any.whl",
    ]
    assert page.versions() == ["2.0", "1.0"]
    assert len(page.wheels_for("1.0")) == 2
    link = page.variants_json_for("1.0")
    assert link is not None and link.filename == "demo-1.0-variants.json"
    assert page.variants_json_for("2.0") is None
    assert json.loads(FindLinks(find_links).fetch(link)) == VARIANT_DOC


def test_find_links_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        FindLinks(tmp_path / "nope").project_page("demo")


def test_pep503_file_url(tmp_path: Path, find_links: Path) -> None:
    simple = make_simple_index(tmp_path / "idx", find_links)
    source = SimpleIndex(simple.as_uri())
    page = source.project_page("demo")
    assert len(page.wheels) == 3
    link = page.wheels_for("2.0")[0]
    assert link.hashes["sha256"] == sha256(find_links / "demo-2.0-py3-none-any.whl")
    assert source.fetch(link) == (find_links / "demo-2.0-py3-none-any.whl").read_bytes()
    assert page.variants_json_for("1.0") is not None


def test_pep503_http(tmp_path: Path, find_links: Path, serve: Any) -> None:
    simple = make_simple_index(tmp_path / "idx", find_links)
    base = serve(simple)
    source = SimpleIndex(base)
    page = source.project_page("DEMO")
    assert page.versions() == ["2.0", "1.0"]
    link = page.variants_json_for("1.0")
    assert link is not None and link.url.startswith(base)
    assert json.loads(source.fetch(link)) == VARIANT_DOC


def test_pep691_http_json(tmp_path: Path, find_links: Path, serve: Any) -> None:
    simple = make_simple_index(tmp_path / "idx", find_links, json_pages=True)
    # remove the HTML pages: only the JSON form can be read
    for html_page in simple.glob("*/index.html"):
        html_page.unlink()
    base = serve(simple, json_pages=True)
    page = SimpleIndex(base).project_page("demo")
    assert len(page.wheels) == 3
    assert all(link.hashes.get("sha256") for link in page.wheels)
    assert page.variants_json_for("1.0") is not None


def test_pep691_file_url_json(tmp_path: Path, find_links: Path) -> None:
    simple = make_simple_index(tmp_path / "idx", find_links, json_pages=True)
    page = SimpleIndex(simple.as_uri()).project_page("demo")
    assert len(page.wheels) == 3


def test_hash_mismatch_detected(tmp_path: Path, find_links: Path) -> None:
    simple = make_simple_index(tmp_path / "idx", find_links)
    source = SimpleIndex(simple.as_uri())
    link = source.project_page("demo").wheels_for("2.0")[0]
    bad = FileLink(link.filename, link.url, {"sha256": "0" * 64})
    with pytest.raises(HashMismatch):
        source.fetch(bad)
    with pytest.raises(HashMismatch):
        source.fetch_to(bad, tmp_path / "dl")


def test_fetch_to_gives_a_local_file_its_link_name(tmp_path: Path) -> None:
    # A lock may store a wheel under another file name ("name" is its file name, the
    # pylock.toml specification): the local copy takes the link's name, hashes or not.
    stored = tmp_path / "store" / "wheel-1"
    stored.parent.mkdir()
    stored.write_bytes(b"wheel bytes")
    link = FileLink("demo-1.0-py3-none-any.whl", stored.as_uri(), {})
    got = Source().fetch_to(link, tmp_path / "dl")
    assert got.name == "demo-1.0-py3-none-any.whl" and got.read_bytes() == b"wheel bytes"
    same = FileLink("wheel-1", stored.as_uri(), {})
    assert Source().fetch_to(same, tmp_path / "dl") == stored  # under its own name: used in place


def test_unknown_project_has_no_files(tmp_path: Path, serve: Any) -> None:
    # HTTP 404 for the project page (or no project directory over file://): no files
    (tmp_path / "empty").mkdir()
    page = SimpleIndex(serve(tmp_path / "empty")).project_page("demo")
    assert page.missing and page.wheels == []
    page = SimpleIndex((tmp_path / "empty").as_uri()).project_page("demo")
    assert page.missing and page.wheels == []


def test_unreachable_index_is_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        SimpleIndex("http://127.0.0.1:9/simple/").project_page("demo")
    with pytest.raises(SourceError):
        SimpleIndex((tmp_path / "nope" / "simple").as_uri()).project_page("demo")


def test_invalid_filenames(tmp_path: Path) -> None:
    # a name with a bad label is still listed (selection reports it as an
    # invalid candidate); a name with too few components is no wheel at all
    links = tmp_path / "links"
    build_wheel(links, "demo-1.0-py3-none-any.whl")
    (links / "demo-1.0-py3-none-any-BAD!.whl").write_bytes(b"")
    (links / "demo-1.0.whl").write_bytes(b"")
    page = FindLinks(links).project_page("demo")
    assert sorted(link.filename for link in page.wheels) == [
        "demo-1.0-py3-none-any-BAD!.whl",
        "demo-1.0-py3-none-any.whl",
    ]
    assert [name for name, _ in page.ignored] == ["demo-1.0.whl"]
    with pytest.raises(VariantError):
        page.parse("demo-1.0-py3-none-any-BAD!.whl")
