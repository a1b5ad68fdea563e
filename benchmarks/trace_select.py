"""Trace one ``variant-ref select`` request through the layers of ``reference/``.

Prints the figures and the trace quoted in ``docs/architecture.md``. The
request: ``select demo --find-links DIR --profile P --json`` on a directory
(built in a temporary directory) holding three variant wheels of ``demo 1.0``
(``null``, ``x86_64_v3``, ``x86_64_v4``), a non-variant one and no index-level
file, so the request reads ``variant.json`` from the wheels; the profile
supports ``x86_64 :: level :: v3``.

Every call of a Python function of ``reference`` is recorded
(:func:`sys.setprofile`). A *crossing* is a call into another layer than the
caller's (the caller being the innermost ``reference`` frame); it goes *down*
when the callee's layer is below (``cli > install > selection > providers >
format > shared leaves``), *up* otherwise. The outline lists the crossings,
indented by nesting, consecutive repeats folded. The request runs twice and
the second run is traced, so that module imports do not appear.

Usage: ``python benchmarks/trace_select.py [--outline]``
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

LAYERS = ("shared", "format", "providers", "selection", "install", "cli")
SCHEMA = "https://variants-schema.wheelnext.dev/peps/825/v0.1.1.json"
VARIANTS: dict[str, dict[str, dict[str, list[str]]]] = {
    "null": {},
    "x86_64_v3": {"x86_64": {"level": ["v3"]}},
    "x86_64_v4": {"x86_64": {"level": ["v4"]}},
}


def layer(module: str) -> str:
    """The layer of a ``reference`` module (``cli`` for the entry points at the top)."""
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in LAYERS:
        return parts[1]
    return "cli" if parts[-1] in ("reference", "__main__") else "shared"


def write_wheel(directory: Path, filename: str, variant: dict[str, Any] | None, requires: list[str]) -> None:
    name, version = filename.split("-")[:2]
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": "",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        + "".join(f"Requires-Dist: {r}\n" for r in requires),
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: trace\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    if variant is not None:
        files[f"{dist_info}/variant.json"] = json.dumps(variant)
    files[f"{dist_info}/RECORD"] = "".join(f"{p},,\n" for p in files) + f"{dist_info}/RECORD,,\n"
    with zipfile.ZipFile(directory / filename, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)


def build(root: Path) -> tuple[Path, Path]:
    links = root / "links"
    links.mkdir()
    for label, properties in VARIANTS.items():
        document = {
            "$schema": SCHEMA,
            "default-priorities": {"namespace": ["x86_64"]},
            "variants": {label: properties},
        }
        requires = ["dep; variant_label == 'x86_64_v3'"]
        write_wheel(links, f"demo-1.0-py3-none-any-{label}.whl", document, requires)
    write_wheel(links, "demo-1.0-py3-none-any.whl", None, [])
    profile = root / "profile.toml"
    profile.write_text(
        'name = "v3"\n[tags]\nsupported = ["py3-none-any"]\n[namespaces.x86_64]\nlevel = ["v3"]\n'
    )
    return links, profile


def _function(frame: FrameType) -> str:
    """The qualified name of the called function (a dataclass's generated ``__init__`` by its class)."""
    name: str = getattr(frame.f_code, "co_qualname", frame.f_code.co_name)  # 3.11+
    if name.startswith("__create_fn__") and "self" in frame.f_locals:
        name = f"{type(frame.f_locals['self']).__qualname__}.{frame.f_code.co_name}"
    return name


class Tracer:
    """Records crossings between layers, with their nesting depth."""

    def __init__(self) -> None:
        self.stack: list[tuple[str | None, bool]] = []  # (reference module or None, is a crossing)
        self.crossings: list[tuple[int, str, str, str]] = []  # depth, caller module, callee module, function
        self.modules: list[str] = []

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            module = frame.f_globals.get("__name__", "")
            ours = module == "reference" or module.startswith("reference.")
            crossing = False
            if ours:
                caller = next((m for m, _ in reversed(self.stack) if m), None)
                if module not in self.modules:
                    self.modules.append(module)
                crossing = caller is None or layer(caller) != layer(module)
                if crossing:
                    depth = sum(1 for _, c in self.stack if c)
                    self.crossings.append((depth, caller or "", module, _function(frame)))
            self.stack.append((module if ours else None, crossing))
        elif event == "return" and self.stack:
            self.stack.pop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outline", action="store_true", help="print every crossing, indented by nesting")
    args = parser.parse_args()
    from reference.cli.main import main as variant_ref

    with tempfile.TemporaryDirectory() as tmp:
        links, profile = build(Path(tmp))
        argv = ["select", "demo", "--find-links", str(links), "--profile", str(profile), "--json"]
        with contextlib.redirect_stdout(io.StringIO()):
            variant_ref(argv)  # a first run imports what the request needs: imports are not traced
        tracer = Tracer()
        out = io.StringIO()
        sys.setprofile(tracer)
        try:
            with contextlib.redirect_stdout(out):
                status = variant_ref(argv)
        finally:
            sys.setprofile(None)
    print(f"exit status {status}, selected {json.loads(out.getvalue())['selected']}")
    rank = {name: i for i, name in enumerate(LAYERS)}
    kinds = Counter(f"{layer(a) if a else 'caller'} -> {layer(b)}" for _, a, b, _ in tracer.crossings)
    up = [(a, b, f) for _, a, b, f in tracer.crossings if a and rank[layer(b)] > rank[layer(a)]]
    print(f"modules visited: {len(tracer.modules)}")
    print(f"layer crossings: {len(tracer.crossings)}, of which up: {len(up)}")
    for kind, count in sorted(kinds.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:4}  {kind}")
    for caller, callee, function in dict.fromkeys(up):
        print(f"  up: {caller} calls {callee}.{function}")
    if args.outline:
        print("outline:")
        previous, repeats = "", 0
        for depth, _, callee, function in [*tracer.crossings, (0, "", "", "")]:
            line = f"{'  ' * depth}{layer(callee) if callee else ''}: {callee}.{function}"
            if line == previous:
                repeats += 1
                continue
            if previous:
                print(f"  {previous}" + (f"  (x{repeats + 1})" if repeats else ""))
            previous, repeats = line, 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
