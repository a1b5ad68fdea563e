"""The ``convert`` subcommand: WheelNext draft metadata -> PEP 825 format.

Only :mod:`argparse` is imported here; the handler imports :mod:`reference.format.convert`.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["register"]

_HELP = """\
Convert a WheelNext draft document ($schema .../v0.0.2.json or .../v0.0.3.json,
as published on pre-PEP variant indexes) into PEP 825 format: 0.2.0 (PEP 825 +
the providers text, as uv 0.13.9 and variantlib 0.2.2 read it; the default) or
0.1.1 (PEP 825 alone, no providers).

Labels, properties and default-priorities.namespace are carried over
unchanged. Every key with no place in the target gives a warning saying what
was done instead (enable-if and install-time/plugin-use dropped, top-level
static-properties moved into providers, default-priorities.feature/.property
merged into a static provider's order or dropped, ...), each citing the
sentence it rests on (docs/convert.md). The result is written only if it
validates as the target format.

exit status: 0 converted (warnings may be printed), 1 invalid or unconvertible
input (nothing written), 2 usage or I/O error, or input beyond a limit of
variant-ref limits (larger, deeper or with longer numbers; nothing written).

examples:
  variant-ref convert torch-2.9.0-variants.json > out/torch-2.9.0-variants.json
  variant-ref convert numpy-2.3.4-variants.json --to 0.1.1 --output numpy.json
  variant-ref convert torch-2.9.0-variants.json --output t.json --json   # diagnostics as JSON
"""


def register(subparsers: Any) -> None:
    """Add ``convert`` to ``subparsers``."""
    p = subparsers.add_parser(
        "convert",
        help="convert WheelNext draft metadata to PEP 825 format",
        description=_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("path", metavar="FILE", help="a -variants.json or variant.json in draft format")
    p.add_argument("--to", choices=("0.2.0", "0.1.1"), default="0.2.0", help="target format (default 0.2.0)")
    p.add_argument("--output", "-o", metavar="F", help="write the result here instead of stdout")
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object: document (unless --output), warnings, errors",
    )
    p.set_defaults(handler=_convert)


def _convert(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reference.errors import VariantError
    from reference.format.convert import convert_bytes
    from reference.limits import read_regular

    path = Path(args.path)
    raw = read_regular(path)  # a regular file, at most the document-bytes limit
    kind = "wheel" if path.name == "variant.json" else "index"
    try:
        result = convert_bytes(raw, str(path), args.to, kind)
    except VariantError as exc:
        return _finish(args, None, [], exc.violations)
    text = result.dumps()
    if args.output:
        _write_atomically(Path(args.output), text)
    elif not args.json:
        sys.stdout.write(text)
    return _finish(args, result.document, result.warnings, [])


def _write_atomically(target: Any, text: str) -> None:
    import os
    import tempfile

    try:
        fd, temp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".convert-")
    except OSError as exc:  # name the --output the user gave, not the temporary file
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise


def _finish(args: argparse.Namespace, document: Any, warnings: list[Any], errors: list[Any]) -> int:
    if args.json:
        import json

        report = {
            "source": args.path,
            "target": args.to,
            "ok": not errors,
            "output": args.output if document is not None else None,
            "document": document if document is not None and not args.output else None,
            "warnings": [w.to_json() for w in warnings],
            "errors": [e.to_json() for e in errors],
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        from reference import clauses
        from reference.limits import describe

        for kind, items in (("warning", warnings), ("error", errors)):
            for item in items:
                print(f"{kind}: {describe(item)}", file=sys.stderr)
                if kind == "error" and clauses.quote(item.clause):
                    print(f'  rule: "{clauses.quote(item.clause)}"', file=sys.stderr)
    return 1 if errors else 0
