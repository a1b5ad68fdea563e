"""Format subcommands: ``filename``, ``validate``, ``merge``, ``index-json``.

Only :mod:`argparse` is imported here; each handler imports what it needs.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reference.errors import VariantError

__all__ = ["register"]

_FILENAME_HELP = """\
Parse a wheel filename, variant label included (PEP 825 "Variant label"):

  {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}(-{variant label})?.whl

The python tag never starts with a digit (pep825:python-tag-digit), so a
six-part name whose third part starts with a digit has a build tag, not a
label. Labels use only 0-9 a-z _ . (pep825:label-charset); "null" is the null
variant (pep825:null-label).

examples:
  variant-ref filename numpy-2.3.2-cp313-cp313t-musllinux_1_2_x86_64-x86_64_v3.whl
  variant-ref filename pkg-1.0-3py-none-any-v3.whl --json   # build tag 3py, no label
"""

_VALIDATE_HELP = """\
Validate variant metadata; the kind is recognised from the name:

  variant.json           a wheel's *.dist-info/variant.json
  NAME-VERSION-variants.json   index-level metadata (name checked: pep825:index-file-name)
  *.whl                  reads the wheel's variant.json; its single variants entry
                         must be the filename's label (pep825:variants-single-entry)
  pyproject.toml         the [variant] table (building draft)

Formats 0.1.1 (PEP 825) and 0.2.0 (providers, as uv 0.13.9 / variantlib 0.2.2
implement it) are read; an unknown major version is rejected
(pep825:major-version), unknown 0.x drafts too (pep825:draft-versions).

examples:
  variant-ref validate dist/foo-1.0-py3-none-any-x86_64_v3.whl
  variant-ref validate foo-1.0-variants.json --json
"""

_MERGE_HELP = """\
Combine documents of one release (PEP 825 "Metadata consistency"): the longer
default-priorities.namespace wins when it extends the shorter
(pep825:consistency-default-priorities); variants are united, and one label
must always map to the same properties (pep825:consistency-variants). The
result does not depend on the order of the files.

examples:
  variant-ref merge a/variant.json b/variant.json
  variant-ref merge dist/*.whl --output foo-1.0-variants.json
"""

_INDEX_HELP = """\
Write {name}-{version}-variants.json for every release in DIR that has variant
wheels (pep825:index-file-required): the combination of their variant.json,
as canonical JSON (sorted keys, value lists sorted lexically).

example:
  variant-ref index-json dist/
"""


def register(subparsers: Any) -> None:
    """Add the format subcommands to ``subparsers``."""
    fmt = argparse.RawDescriptionHelpFormatter

    p = subparsers.add_parser(
        "filename", help="parse a wheel filename", description=_FILENAME_HELP, formatter_class=fmt
    )
    p.add_argument("name", metavar="NAME.whl")
    p.add_argument("--json", action="store_true", help="print the parts (or the violations) as JSON")
    p.set_defaults(handler=_filename)

    p = subparsers.add_parser(
        "validate", help="validate variant metadata", description=_VALIDATE_HELP, formatter_class=fmt
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--label", help="for a bare variant.json: the variant label its single entry must have")
    p.add_argument("--json", action="store_true", help="print the violations as a JSON list")
    p.set_defaults(handler=_validate)

    p = subparsers.add_parser(
        "merge", help="combine metadata of one release", description=_MERGE_HELP, formatter_class=fmt
    )
    p.add_argument("files", metavar="FILE", nargs="+")
    p.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    p.set_defaults(handler=_merge)

    p = subparsers.add_parser(
        "index-json", help="write index-level files", description=_INDEX_HELP, formatter_class=fmt
    )
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--output-dir", metavar="OUT", help="write there instead of DIR")
    p.set_defaults(handler=_index_json)


def _report(exc: VariantError, as_json: bool) -> int:
    """Print violations (JSON list on stdout, or text on stderr); exit status 1."""
    if as_json:
        import json

        print(json.dumps([v.to_json() for v in exc.violations], indent=2))
    else:
        from reference import clauses
        from reference.limits import describe

        for violation in exc.violations:
            print(f"error: {describe(violation)}", file=sys.stderr)
            quote = clauses.quote(violation.clause)
            if quote:
                print(f'  rule: "{quote}"', file=sys.stderr)
    return 1


def _filename(args: argparse.Namespace) -> int:
    from reference.errors import VariantError
    from reference.format.filename import parse_wheel_filename

    try:
        wheel = parse_wheel_filename(args.name)
    except VariantError as exc:
        return _report(exc, args.json)
    if args.json:
        import json

        print(json.dumps(wheel.to_json(), indent=2))
        return 0
    for key, value in wheel.to_json().items():
        shown = " ".join(value) if isinstance(value, list) else ("-" if value is None else value)
        print(f"{key:14} {shown}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    import warnings
    from pathlib import Path

    from reference.errors import VariantError
    from reference.format.documents import document_kind, load_path
    from reference.format.metadata import load_metadata, parse_json_bytes

    path = Path(args.path)
    kind = document_kind(path)
    if kind is None:
        print(
            f"error: {path.name}: cannot tell the document kind; expected variant.json, "
            "NAME-VERSION-variants.json, *.whl or pyproject.toml",
            file=sys.stderr,
        )
        return 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if kind == "wheel" and args.label is not None:
                data = parse_json_bytes(path.read_bytes(), str(path))
                metadata = load_metadata(data, kind="wheel", source=str(path), label=args.label)
            else:
                metadata = load_path(path)
        except VariantError as exc:
            _warn(caught)
            return _report(exc, args.json)
    _warn(caught)
    if args.json:
        print("[]")
    else:
        version = ".".join(map(str, metadata.version))
        print(f"ok: {path} is valid ({kind}, format {version}, {len(metadata.variants)} variant(s))")
    return 0


def _warn(caught: list[Any]) -> None:
    for item in caught:
        print(f"warning: {item.message}", file=sys.stderr)


def _merge(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reference.format.combine import combine
    from reference.format.documents import document_kind, load_path

    for name in args.files:
        if document_kind(name) is None:
            print(f"error: {name}: cannot tell the document kind", file=sys.stderr)
            return 2
    result = combine(load_path(name) for name in args.files)
    text = result.dumps()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _index_json(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reference.format.indexfile import write_index_files

    directory = Path(args.dir)
    if not directory.is_dir():
        print(f"error: {directory}: not a directory", file=sys.stderr)
        return 2
    for path in write_index_files(directory, args.output_dir):
        print(path)
    return 0
