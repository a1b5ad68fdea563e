"""The loopback fixture server: content types, limits, the pytest fixture, a real client."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.fixtures import PEP691_CONTENT_TYPE, build_all
from conformance.pytest_fixtures import fixture_indexes, fixture_server
from conformance.server import FixtureServer

__all__ = ["fixture_indexes", "fixture_server"]  # registers the session fixtures here

INDEXES = Path(__file__).parent / "data" / "fixtures" / "indexes"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("served")
    build_all(out, INDEXES)
    return out


def _get(server: FixtureServer, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_serves_html_json_and_files_with_their_content_types(built: Path) -> None:
    with FixtureServer(built) as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        status, headers, body = _get(server, "/demo/simple/demo-pkg/")
        assert status == 200
        assert headers["content-type"].startswith("text/html")
        assert body == (built / "demo" / "simple" / "demo-pkg" / "index.html").read_bytes()
        # PEP 691: "application/vnd.pypi.simple.v1+json" for the JSON serialization
        status, headers, body = _get(server, "/demo/json/demo-pkg/")
        assert (status, headers["content-type"]) == (200, PEP691_CONTENT_TYPE)
        assert json.loads(body)["name"] == "demo-pkg"
        status, headers, body = _get(server, "/demo/flat/demo_pkg-1.0-variants.json")
        assert (status, headers["content-type"]) == (200, "application/json")
        status, headers, body = _get(server, "/demo/flat/demo_pkg-1.0-py3-none-any-null.whl")
        assert (status, headers["content-type"]) == (200, "application/octet-stream")
        expected = (built / "demo" / "flat" / "demo_pkg-1.0-py3-none-any-null.whl").read_bytes()
        assert hashlib.sha256(body).digest() == hashlib.sha256(expected).digest()
        status, headers, body = _get(server, "/demo/simple/demo-pkg/", method="HEAD")
        assert (status, body) == (200, b"")
        assert int(headers["content-length"]) > 0
        assert server.requests[0] == "/demo/simple/demo-pkg/"


def _get_range(server: FixtureServer, path: str, spec: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", path, headers={"Range": spec})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_byte_ranges(built: Path) -> None:
    # RFC 9110 14: 206 with Content-Range for a satisfiable range, 416 otherwise.
    path = "/demo/flat/demo_pkg-1.0-py3-none-any-null.whl"
    data = (built / path.lstrip("/")).read_bytes()
    size = len(data)
    with FixtureServer(built) as server:
        status, headers, body = _get_range(server, path, "bytes=0-9")
        assert (status, body, headers["content-range"]) == (206, data[:10], f"bytes 0-9/{size}")
        status, headers, body = _get_range(server, path, "bytes=-22")
        assert (status, body) == (206, data[-22:])
        assert headers["content-range"] == f"bytes {size - 22}-{size - 1}/{size}"
        status, _, body = _get_range(server, path, "bytes=10-")
        assert (status, body) == (206, data[10:])
        status, headers, _ = _get_range(server, path, f"bytes={size}-")
        assert (status, headers["content-range"]) == (416, f"bytes */{size}")


def test_directory_without_slash_redirects(built: Path) -> None:
    with FixtureServer(built) as server:
        status, headers, _ = _get(server, "/demo/simple/demo-pkg")
    assert status == 301
    assert headers["location"] == "/demo/simple/demo-pkg/"


@pytest.mark.parametrize(
    "path", ["/demo/flat/nothing.whl", "/../etc/passwd", "/demo/%2e%2e/%2e%2e/etc/passwd"]
)
def test_missing_or_outside_paths_are_not_found(built: Path, path: str) -> None:
    with FixtureServer(built) as server:
        status, _, _ = _get(server, path)
    assert status == 404


def test_stops_itself_after_max_requests(built: Path) -> None:
    server = FixtureServer(built, max_requests=2).start()
    try:
        assert _get(server, "/demo/simple/")[0] == 200
        assert _get(server, "/demo/simple/")[0] == 200
        assert server.wait(timeout=5)
        assert not server.running
        with pytest.raises(OSError):
            _get(server, "/demo/simple/")
    finally:
        server.stop()


def test_stops_itself_after_max_seconds(built: Path) -> None:
    server = FixtureServer(built, max_seconds=0.5).start()
    try:
        start = time.monotonic()
        assert server.wait(timeout=10)
        assert time.monotonic() - start < 5
        with pytest.raises(OSError):
            _get(server, "/demo/simple/")
    finally:
        server.stop()


def test_stop_is_idempotent_and_frees_the_port(built: Path) -> None:
    server = FixtureServer(built).start()
    port = server.port
    server.stop()
    server.stop()
    with FixtureServer(built, port=port) as again:
        assert _get(again, "/demo/simple/")[0] == 200


def test_session_fixture_serves_every_real_index(
    fixture_server: FixtureServer, fixture_indexes: Path
) -> None:
    manifest = json.loads((fixture_indexes / "manifest.json").read_bytes())
    for index_id in manifest:
        assert _get(fixture_server, f"/{index_id}/simple/")[0] == 200
        assert _get(fixture_server, f"/{index_id}/json/")[1]["content-type"] == PEP691_CONTENT_TYPE


UV = shutil.which("uv", path=os.path.dirname(sys.executable)) or shutil.which("uv")


@pytest.mark.skipif(UV is None, reason="uv is not installed")
@pytest.mark.parametrize("layout", ["simple", "json", "file-simple"])
def test_a_real_installer_installs_from_each_layout(built: Path, tmp_path: Path, layout: str) -> None:
    # NOTES.md: uv 0.13.9 reads variant wheels and -variants.json from indexes
    # (HTTP HTML and JSON; file:// with the HTML layout). Whatever it picks must be
    # one of the index's wheels, named by the installed identity file.
    assert UV is not None
    with FixtureServer(built) as server:
        url = (
            (built / "demo" / "simple").as_uri()
            if layout == "file-simple"
            else f"{server.url}/demo/{layout}/"
        )
        result = subprocess.run(
            [UV, "pip", "install", "--preview-features", "wheel-variants", "--no-deps",
             "--index-url", url, "demo-pkg==1.0", "--target", str(tmp_path / "t"), "--no-cache",
             "--python", sys.executable],
            capture_output=True, text=True, timeout=120, check=False,
        )
        requests = list(server.requests)
    assert result.returncode == 0, result.stderr
    identity = json.loads((tmp_path / "t" / "demo_pkg" / "_variant_identity.json").read_text())
    assert (built / "demo" / "flat" / identity["filename"]).is_file()
    if layout != "file-simple":
        assert f"/demo/{layout}/demo-pkg/" in requests
        assert "/demo/flat/demo_pkg-1.0-variants.json" in requests


def test_serve_command_stops_by_itself(built: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", "serve", str(built), "--max-seconds", "3"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        port = int(url.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/demo/simple/")
        assert connection.getresponse().status == 200
        connection.close()
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
