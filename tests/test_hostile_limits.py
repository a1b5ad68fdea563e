"""Issue 10, class 2: unbounded memory and time: size caps, a deadline, nesting and number limits.

A limit hit is refused as such (``reference:limit``), exit 2, naming the limit;
links from an http index to ``file:`` URLs are refused; non-regular files are refused.
The limits are lowered here with ``VARIANT_REF_LIMITS`` so that each test stays small and quick.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reference.limits import LimitExceeded, check_document, limit, parse_json, parse_toml
from tests.hostile import SCHEMA, VARIANTS, doc, profile, raw_wheel, run, sha256, world
from tests.test_index import build_wheel, loopback, stop_servers


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Set ``VARIANT_REF_LIMITS`` for the test."""
    return lambda value: monkeypatch.setenv("VARIANT_REF_LIMITS", value)


@pytest.fixture
def hostile_server() -> Iterator[Callable[[Callable[[Any], None]], str]]:
    """A loopback server whose GET is the given function of the handler (stops itself)."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(behaviour: Callable[[Any], None]) -> str:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with contextlib.suppress(OSError):
                    behaviour(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return loopback(Handler, servers) + "simple/"

    yield start
    stop_servers(servers)


def _page(handler: Any, body_parts: Iterator[bytes], length: int | None = None) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    if length is not None:
        handler.send_header("Content-Length", str(length))
    handler.end_headers()
    for part in body_parts:
        handler.wfile.write(part)
        handler.wfile.flush()


def test_endless_http_body_is_capped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile_server: Any, limits: Any
) -> None:
    # was: read whole, MemoryError
    limits("page-bytes=1000000")

    def endless(handler: Any) -> None:
        def chunks() -> Iterator[bytes]:
            while True:
                yield b"<a>" * 20000

        _page(handler, chunks())

    base = hostile_server(endless)
    code, _, err = run(capsys, "select", "demo", "--index-url", base, "--profile", profile(tmp_path))
    assert code == 2 and "limit page-bytes exceeded" in err and "reference:limit" in err


def test_declared_oversize_body_is_refused_before_reading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile_server: Any, limits: Any
) -> None:
    limits("page-bytes=1000")
    base = hostile_server(lambda h: _page(h, iter([b"x" * 2000]), length=2000))
    code, _, err = run(capsys, "select", "demo", "--index-url", base, "--profile", profile(tmp_path))
    assert code == 2 and "Content-Length" in err


def test_trickled_body_meets_the_request_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile_server: Any, limits: Any
) -> None:
    # was: one byte every 2 s never ends, the timeout applying to each read
    limits("http-deadline=2,http-read-timeout=5")

    def trickle(handler: Any) -> None:
        def chunks() -> Iterator[bytes]:
            while True:
                time.sleep(0.2)
                yield b" "

        _page(handler, chunks())

    base = hostile_server(trickle)
    started = time.monotonic()
    code, _, err = run(capsys, "select", "demo", "--index-url", base, "--profile", profile(tmp_path))
    assert code == 2 and "limit http-deadline exceeded" in err
    assert time.monotonic() - started < 10


def test_trickled_headers_meet_the_request_deadline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile_server: Any, limits: Any
) -> None:
    limits("http-deadline=2,http-read-timeout=5")

    def slow_headers(handler: Any) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(200):
            time.sleep(0.2)
            handler.wfile.write(b"X-Slow: 1\r\n")
            handler.wfile.flush()

    base = hostile_server(slow_headers)
    started = time.monotonic()
    code, _, err = run(capsys, "select", "demo", "--index-url", base, "--profile", profile(tmp_path))
    assert code == 2 and "http-deadline" in err
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("target", ["file:///dev/zero", "file:///etc/passwd", "LOCAL", "/etc/passwd"])
def test_http_index_may_not_link_local_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile_server: Any, target: str
) -> None:
    # was: the reference read /dev/zero, /etc/passwd or a local wheel an http page pointed at
    links = world(tmp_path / "links")
    local = links / "demo-1.0-py3-none-any-x86_64_v3.whl"
    href = local.as_uri() if target == "LOCAL" else target
    anchor = f'<a href="{href}">demo-1.0-py3-none-any-x86_64_v3.whl</a>'
    base = hostile_server(lambda h: _page(h, iter([anchor.encode()])))
    code, _, err = run(capsys, "select", "demo", "--index-url", base, "--profile", profile(tmp_path))
    if target.startswith("/"):  # a path is relative to the page: an http URL on the same server
        assert code == 1 and "reference:link-scheme" not in err
    else:
        assert code == 1 and "reference:link-scheme" in err and "href" in err


def _metadata_wheel(path: Path, metadata: bytes, compression: int) -> Path:
    return raw_wheel(path, {
        "demo/__init__.py": b"",
        "demo-1.0.dist-info/METADATA": metadata,
        "demo-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "demo-1.0.dist-info/RECORD": b"",
    }, compression=compression)


@pytest.mark.parametrize(
    ("compression", "size", "limit_name"),
    [(zipfile.ZIP_DEFLATED, 900_000, "compression-ratio"), (zipfile.ZIP_STORED, 4_000_000, "metadata-bytes")],
)
def test_huge_metadata_is_not_read_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limits: Any,
    compression: int, size: int, limit_name: str,
) -> None:
    # was: a 400 MB METADATA inside a 403 KB wheel was read whole (here smaller, the limit lowered)
    limits("metadata-bytes=1000000")
    metadata = b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\n" + b" " * size
    wheel = _metadata_wheel(tmp_path / "links" / "demo-1.0-py3-none-any.whl", metadata, compression)
    code, _, err = run(capsys, "select", str(wheel), "--find-links", str(wheel.parent), "--profile",
                       profile(tmp_path))
    assert code == 2 and f"limit {limit_name} exceeded" in err


def test_oversize_index_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limits: Any
) -> None:
    # was: a 50 MB -variants.json took 16 s and 958 MB
    limits("document-bytes=100000")
    links = world(tmp_path / "links")
    big = doc({**VARIANTS, **{f"l{i}": {"x86_64": {"level": [f"v{i}"]}} for i in range(5000)}})
    (links / "demo-1.0-variants.json").write_text(json.dumps(big))
    code, _, err = run(capsys, "select", "demo", "--find-links", str(links), "--profile", profile(tmp_path))
    assert code == 2 and "limit document-bytes exceeded" in err


def test_oversize_pep691_page_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limits: Any
) -> None:
    limits("page-bytes=10000")
    page = tmp_path / "simple" / "demo"
    page.mkdir(parents=True)
    files = [{"filename": f"demo-{i}.0-py3-none-any.whl", "url": "x", "hashes": {}} for i in range(1000)]
    (page / "index.json").write_text(json.dumps({"meta": {"api-version": "1.0"}, "files": files}))
    code, _, err = run(capsys, "select", "demo", "--index-url", (tmp_path / "simple").as_uri(),
                       "--profile", profile(tmp_path))
    assert code == 2 and "limit page-bytes exceeded" in err


DEEP = 100_000


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("variant.json", "[" * DEEP + "]" * DEEP),
        ("demo-1.0-variants.json", '{"a":' * DEEP + "1" + "}" * DEEP),
        ("pyproject.toml", "[variant]\nx = " + "[" * DEEP + "]" * DEEP + "\n"),
    ],
)
def test_deep_documents_hit_the_nesting_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    # was: RecursionError
    path = tmp_path / name
    path.write_text(text)
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "limit nesting exceeded" in err


@pytest.mark.parametrize("option", ["--profile", "--lock"])
def test_deep_profile_and_lock_hit_the_nesting_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * DEEP + "]" * DEEP + "\n")
    args = ["select", "demo", option, str(path)]
    args += ["--profile", profile(tmp_path)] if option == "--lock" else ["--find-links", str(tmp_path)]
    code, _, err = run(capsys, *args)
    assert code == 2 and "limit nesting exceeded" in err


def test_nesting_within_the_parser_but_past_the_limit(tmp_path: Path) -> None:
    with pytest.raises(LimitExceeded, match="more than 64 levels"):
        parse_json("[" * 100 + "]" * 100)
    assert check_document([[[[1]]]]) == [[[[1]]]]
    with pytest.raises(LimitExceeded, match="digits"):
        parse_toml("x = " + "9" * 5000)
    with pytest.raises(LimitExceeded, match="digits"):
        parse_toml("x = " + "9" * 40)


NUMBER = "1" * 5000


@pytest.mark.parametrize(
    "argv",
    [
        ["filename", f"demo-{NUMBER}-py3-none-any.whl"],
        ["filename", f"demo-1.0-{NUMBER}-py3-none-any.whl"],
        ["filename", f"demo-1.0-{NUMBER}x-py3-none-any-v3.whl"],
    ],
)
def test_huge_numbers_in_filenames(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    # was: ValueError from int() of 5,000 digits
    code, _, err = run(capsys, *argv)
    assert code == 2 and "limit digits exceeded" in err


def test_huge_schema_major(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "variant.json"
    path.write_text(json.dumps({**doc(VARIANTS), "$schema": f"https://example.org/v{NUMBER}.0.0.json"}))
    code, _, err = run(capsys, "validate", str(path))
    assert code == 2 and "limit digits exceeded" in err


def test_huge_version_on_an_index_page(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "simple" / "demo"
    page.mkdir(parents=True)
    files = [{"filename": f"demo-{NUMBER}-py3-none-any.whl", "url": "x.whl", "hashes": {}}]
    (page / "index.json").write_text(json.dumps({"meta": {"api-version": "1.0"}, "files": files}))
    code, _, err = run(capsys, "select", "demo", "--index-url", (tmp_path / "simple").as_uri(),
                       "--profile", profile(tmp_path))
    assert code == 2 and "limit digits exceeded" in err


def _variant_ref(*argv: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reference", *argv], capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("name", ["variant.json", "demo-1.0-variants.json", "pyproject.toml",
                                  "demo-1.0-py3-none-any-v3.whl"])
def test_fifo_is_refused_not_waited_on(tmp_path: Path, name: str) -> None:
    # was: validate blocked forever on a FIFO
    fifo = tmp_path / name
    os.mkfifo(fifo)
    result = _variant_ref("validate", str(fifo))
    assert result.returncode == 2 and "not a regular file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_in_index_json_directory(tmp_path: Path) -> None:
    build_wheel(tmp_path, "demo-1.0-py3-none-any-x86_64_v3.whl",
                variant_json=doc({"x86_64_v3": VARIANTS["x86_64_v3"]}))
    os.mkfifo(tmp_path / "demo-1.0-py3-none-any-x86_64_v4.whl")
    result = _variant_ref("index-json", str(tmp_path))
    assert result.returncode == 2 and "not a regular file" in result.stderr
    assert not (tmp_path / "demo-1.0-variants.json").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_profile_and_lock(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p.toml")
    fifo = str(tmp_path / "p.toml")
    result = _variant_ref("select", "demo", "--find-links", str(tmp_path), "--profile", fifo)
    assert result.returncode == 2 and "not a regular file" in result.stderr
    result = _variant_ref("select", "demo", "--lock", str(tmp_path / "p.toml"))
    assert result.returncode == 2 and "not a regular file" in result.stderr


def test_limits_override_and_typo(capsys: pytest.CaptureFixture[str], limits: Any) -> None:
    limits("nesting=10")
    assert limit("nesting") == 10
    limits("nestign=10")
    code, _, err = run(capsys, "limits")
    assert code == 2 and "VARIANT_REF_LIMITS" in err


def test_limits_command_lists_every_limit(capsys: pytest.CaptureFixture[str]) -> None:
    from reference.limits import LIMITS

    code, out, _ = run(capsys, "limits")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == list(LIMITS)


def test_valid_input_is_unaffected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the control: the same world, no hostile part, selects as before
    links = world(tmp_path / "links")
    code, out, _ = run(capsys, "select", "demo", "--find-links", str(links), "--profile", profile(tmp_path))
    assert code == 0 and out.strip() == "demo-1.0-py3-none-any-x86_64_v4.whl"
    assert sha256(links / "demo-1.0-variants.json") and SCHEMA


@pytest.mark.parametrize("location", ["file:///etc/passwd", "ftp://127.0.0.1:1/x", "data:,x"])
def test_redirects_only_to_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hostile_server: Any, location: str
) -> None:
    def redirect(handler: Any) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    base = hostile_server(redirect)
    code, _, err = run(capsys, "select", "demo", "--index-url", base, "--profile", profile(tmp_path))
    assert code == 2 and "HTTP 302" in err
