"""Issue 10, class 1: path traversal. Every name from outside is checked before anything is written.

Lock ``name`` / ``path`` / ``url``, index hrefs and PEP 691 filenames, wheel
members: a name that is not one path component is refused with exit 1,
naming the field (``reference:safe-name``), and nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reference.errors import InvalidVariantFilename
from reference.format.filename import parse_wheel_filename
from reference.limits import UnsafeName, check_name, unsafe_name
from tests import test_index
from tests.hostile import profile, raw_wheel, run, sha256, snapshot, world, write_lock

serve = test_index.serve

WHEEL = "demo-1.0-py3-none-any-x86_64_v3.whl"


@pytest.mark.parametrize("command", ["select", "install"])
def test_lock_name_escaping_the_target_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    # The reported attack: a lock whose wheel name is "../../somewhere/pkg-1.0-py3-none-any.whl"
    # wrote that file outside every target, with exit 0.
    links = world(tmp_path / "links")
    lock = write_lock(tmp_path / "work" / "pylock.toml", [
        {"name": "../../somewhere/demo-1.0-py3-none-any-x86_64_v3.whl",
         "url": (links / WHEEL).as_uri(), "hashes": {"sha256": sha256(links / WHEEL)}},
    ])
    before = snapshot(tmp_path)
    extra = ["--target", str(tmp_path / "work" / "target")] if command == "install" else []
    code, _, err = run(capsys, command, "demo", "--lock", str(lock), "--profile", profile(tmp_path), *extra)
    assert code == 1
    assert "packages[0].wheels[0].name" in err and "reference:safe-name" in err
    assert snapshot(tmp_path) - before <= {"profile.toml"}
    assert not (tmp_path / "somewhere").exists()


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"url": "file:///tmp/x/..%2F..%2Fdemo-1.0-py3-none-any-x86_64_v3.whl"}, "packages[0].wheels[0].url"),
        ({"name": ".hidden-1.0-py3-none-any.whl", "path": "x.whl"}, "packages[0].wheels[0].name"),
        ({"name": "demo\x1b[2J-1.0-py3-none-any.whl", "path": "x.whl"}, "packages[0].wheels[0].name"),
        ({"name": "C:demo-1.0-py3-none-any.whl", "path": "x.whl"}, "packages[0].wheels[0].name"),
    ],
)
def test_every_lock_name_field_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], entry: dict[str, Any], field: str
) -> None:
    lock = write_lock(tmp_path / "pylock.toml", [{**entry, "hashes": {"sha256": "0" * 64}}])
    code, _, err = run(capsys, "select", "demo", "--lock", str(lock), "--profile", profile(tmp_path))
    assert code == 1 and field in err and "reference:safe-name" in err


def _index(root: Path, links: Path, anchors: list[str]) -> Path:
    page = root / "simple" / "demo"
    page.mkdir(parents=True)
    for path in links.iterdir():
        (page / path.name).write_bytes(path.read_bytes())
    (page / "index.html").write_text("<html><body>" + "".join(anchors) + "</body></html>")
    return root / "simple"


@pytest.mark.parametrize(
    "anchor",
    [
        # anchor text naming a path
        '<a href="demo-1.0-py3-none-any-x86_64_v3.whl#sha256={h}">'
        "../../evil/demo-1.0-py3-none-any-x86_64_v3.whl</a>",
        # no text: the name comes from the URL, where %2F hides a separator
        '<a href="..%2F..%2Fdemo-1.0-py3-none-any-x86_64_v3.whl#sha256={h}"></a>',
    ],
)
def test_index_href_names_are_checked_before_download(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], serve: Any, anchor: str
) -> None:
    links = world(tmp_path / "links", index_file=False)
    anchor = anchor.format(h=sha256(links / WHEEL))
    base = serve(_index(tmp_path / "idx", links, [anchor]))
    before = snapshot(tmp_path)
    code, _, err = run(capsys, "install", "demo", "--index-url", base, "--profile", profile(tmp_path),
                       "--target", str(tmp_path / "target"))
    assert code == 1 and "href" in err and "reference:safe-name" in err
    assert snapshot(tmp_path) - before <= {"profile.toml"}


def test_pep691_filename_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str], serve: Any) -> None:
    links = world(tmp_path / "links", index_file=False)
    page = tmp_path / "idx" / "simple" / "demo"
    page.mkdir(parents=True)
    (page / WHEEL).write_bytes((links / WHEEL).read_bytes())
    files = [{"filename": "../" + WHEEL, "url": WHEEL, "hashes": {"sha256": sha256(links / WHEEL)}}]
    (page / "index.json").write_text(json.dumps({"meta": {"api-version": "1.0"}, "files": files}))
    base = serve(tmp_path / "idx" / "simple", json_pages=True)
    code, _, err = run(capsys, "select", "demo", "--index-url", base, "--profile", profile(tmp_path))
    assert code == 1 and "/files/0/filename" in err and "reference:safe-name" in err


@pytest.mark.parametrize("member", ["../escape.py", "/tmp/absolute-escape.py", "demo/../../escape.py"])
def test_wheel_members_cannot_leave_the_target(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], member: str
) -> None:
    wheel = raw_wheel(tmp_path / "links" / "demo-1.0-py3-none-any.whl", {
        member: b"print('escaped')\n",
        "demo-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        "demo-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        "demo-1.0.dist-info/RECORD": b"",
    })
    target = tmp_path / "deep" / "target"
    code, _, err = run(capsys, "install", str(wheel), "--profile", profile(tmp_path), "--target", str(target))
    assert code != 0 and "Traceback" not in err
    assert not (tmp_path / "deep" / "escape.py").exists() and not (tmp_path / "escape.py").exists()
    assert not Path("/tmp/absolute-escape.py").exists()
    assert not target.exists() or list(target.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "why"),
    [("", "empty"), ("..", "relative"), (".x.whl", "starts with"), ("a/b.whl", "separator"),
     ("a\\b.whl", "separator"), ("a\x00b.whl", "control"), ("a\x85.whl", "control"),
     ("a\udcff.whl", "UTF-8")],
)
def test_unsafe_names(name: str, why: str) -> None:
    assert why in (unsafe_name(name) or "")
    with pytest.raises(UnsafeName) as info:
        check_name(name, "packages[0].wheels[0].name", "pylock.toml")
    assert info.value.violations[0].location == "packages[0].wheels[0].name"


def test_ordinary_names_are_safe() -> None:
    for name in ("demo-1.0-py3-none-any.whl", "numpy-2.3.4-cp313-cp313-linux_x86_64-x86_64_v3.whl",
                 "foo_bar-1.0-variants.json"):
        assert unsafe_name(name) is None and check_name(name, "f") == name


@pytest.mark.parametrize("name", [
    "..-1.0-py3-none-any.whl", ".-1.0-py3-none-any.whl", "_x-1.0-py3-none-any.whl"
])
def test_distribution_must_start_and_end_with_a_letter_or_digit(name: str) -> None:
    # the distribution becomes a directory name (headers go to include/{distribution})
    with pytest.raises(InvalidVariantFilename) as info:
        parse_wheel_filename(name)
    assert [v.location for v in info.value.violations] == ["distribution"]
