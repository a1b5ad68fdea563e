"""What the reference refuses to read: every limit on untrusted input, in one place.

Indexes, wheels, locks, profiles and plugins are input the user did not write
(``SECURITY.md``). Whatever reads them goes through this module, so that each
read is bounded in size, time, nesting and number length, and each name that
becomes a path is checked first:

- :data:`LIMITS`, the table of limits (``variant-ref limits`` prints it; the
  table in ``SECURITY.md`` is its output), each overridable with
  ``VARIANT_REF_LIMITS="name=value,..."``;
- :class:`LimitExceeded`: input the reference refused to read whole. It is not
  a verdict on the input (not a :class:`~reference.errors.VariantError`): the
  request stops and the command line exits with status 2, naming the limit;
- bounded readers: :func:`open_regular` and :func:`read_regular` (regular
  files only, opened without blocking, so a FIFO or a device is refused),
  :func:`read_stream`; :class:`Deadline` for time;
- documents: :func:`parse_json` and :func:`parse_toml` wrap the parsers, and
  :func:`check_document` bounds nesting and the length of numbers;
  :func:`guard_recursion` turns a parser's recursion into the nesting limit;
- names: :func:`unsafe_name` says why a name from outside cannot be a file name;
- output: :func:`quoted` quotes at most a bounded prefix of a value from
  outside, :func:`escape_controls` makes text safe for a terminal.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from reference.errors import IntegrityError, VariantError, Violation

__all__ = [
    "LIMITS",
    "REFUSALS",
    "Deadline",
    "Limit",
    "LimitExceeded",
    "NotRegularFile",
    "UnsafeName",
    "check_digits",
    "check_document",
    "check_name",
    "describe",
    "escape_controls",
    "guard_recursion",
    "limit",
    "limits_table",
    "open_regular",
    "parse_json",
    "parse_toml",
    "quoted",
    "read_regular",
    "read_stream",
    "shorten",
    "unsafe_name",
]

ENVIRONMENT_VARIABLE = "VARIANT_REF_LIMITS"
"""``name=value,...`` overrides of :data:`LIMITS` (for example ``wheel-bytes=17179869184``)."""

_KIB, _MIB, _GIB = 1024, 1024**2, 1024**3


@dataclass(frozen=True)
class Limit:
    """One limit: its name, default value and unit, and what it bounds."""

    name: str
    default: float
    unit: str
    what: str

    def shown(self, value: float) -> str:
        """The value with its unit, sizes in KiB/MiB/GiB where exact."""
        if self.unit == "bytes":
            for size, suffix in ((_GIB, "GiB"), (_MIB, "MiB"), (_KIB, "KiB")):
                if value >= size and value % size == 0:
                    return f"{int(value // size)} {suffix}"
        number = f"{int(value)}" if float(value).is_integer() else f"{value:g}"
        return f"{number} {self.unit}"


LIMITS: dict[str, Limit] = {
    item.name: item
    for item in (
        Limit("document-bytes", 16 * _MIB, "bytes",
              "a JSON or TOML document: variant.json or *-variants.json given by path or fetched, "
              "pyproject.toml, a profile, a pylock.toml, a plugin's answer"),
        Limit("page-bytes", 64 * _MIB, "bytes", "a PEP 503 HTML or PEP 691 JSON project page"),
        Limit("wheel-bytes", 8 * _GIB, "bytes", "a wheel file, downloaded or local"),
        Limit("variant-json-bytes", 1 * _MIB, "bytes", "the *.dist-info/variant.json member of a wheel"),
        Limit("metadata-bytes", 16 * _MIB, "bytes", "the *.dist-info/METADATA member of a wheel"),
        Limit("compression-ratio", 200, "to 1",
              "uncompressed/compressed size of a wheel member read for metadata (members over 4 KiB)"),
        Limit("http-deadline", 300, "seconds",
              "one HTTP request, from connecting to the last byte of the body"),
        Limit("http-read-timeout", 15, "seconds", "one network operation (connect, one read)"),
        Limit("nesting", 64, "levels",
              "nesting of arrays, objects and tables in a document; parentheses in a marker"),
        Limit("digits", 32, "digits",
              "one number: a version component, build number, $schema version, JSON or TOML integer"),
        Limit("plugin-timeout", 3600, "seconds", "the largest --plugin-timeout accepted"),
        Limit("quote-characters", 200, "characters",
              "the prefix of a value from outside quoted in a message"),
    )
}
"""Every limit, by name. ``SECURITY.md`` lists them (the output of ``variant-ref limits --markdown``)."""


def _overrides(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        name = name.strip()
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if name not in LIMITS or not math.isfinite(number) or number <= 0:
            raise ValueError(
                f"{ENVIRONMENT_VARIABLE}: {item!r} is not NAME=POSITIVE-NUMBER with a NAME of "
                + ", ".join(LIMITS)
            )
        out[name] = number
    return out


def limit(name: str) -> float:
    """The value in force for the limit ``name`` (its default unless ``VARIANT_REF_LIMITS`` sets it).

    :raises ValueError: ``VARIANT_REF_LIMITS`` is malformed (the command line checks it first).
    """
    override = _overrides(os.environ.get(ENVIRONMENT_VARIABLE, "")).get(name)
    return override if override is not None else LIMITS[name].default


def int_limit(name: str) -> int:
    """:func:`limit` as a whole number (sizes, levels, digits)."""
    return int(limit(name))


def limits_table(markdown: bool = False) -> str:
    """The limits in force, one per line (``variant-ref limits``); ``markdown`` for ``SECURITY.md``."""
    if markdown:
        lines = ["| limit | default | what it bounds |", "| --- | --- | --- |"]
        lines += [f"| `{i.name}` | {i.shown(i.default)} | {i.what} |" for i in LIMITS.values()]
    else:
        lines = [f"{i.name:20} {i.shown(limit(i.name)):16} {i.what}" for i in LIMITS.values()]
    return "\n".join(lines) + "\n"


class LimitExceeded(Exception):
    """Input larger, deeper, longer or slower than a limit of :data:`LIMITS`: refused, not judged.

    :param name: the limit's name.
    :param found: what was found, for people (``"17 MiB"``, ``"more than 64 levels"``).
    :param source: the file, URL or input concerned.
    :param location: where in it (a JSON Pointer, a field), if known.
    :param value: the limit applied, when a caller set a smaller one than the limit in force.
    """

    clause = "reference:limit"

    def __init__(
        self, name: str, found: str, source: str = "", location: str = "", value: float | None = None
    ) -> None:
        self.name, self.found, self.source, self.location = name, found, source, location
        item = LIMITS[name]
        message = (
            f"limit {name} exceeded: {item.what} is {found}; the limit is "
            f"{item.shown(limit(name) if value is None else value)} "
            f"(raise it with {ENVIRONMENT_VARIABLE}={name}=N)"
        )
        self.violation = Violation(self.clause, message, location, source)
        super().__init__(str(self.violation))


class NotRegularFile(OSError):
    """A path names a FIFO, a device, a socket or a directory where a file is read."""


# ---------------------------------------------------------------------------- bounded readers


def open_regular(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open ``path`` for reading if it is a regular file (symbolic links followed).

    It is opened without blocking, so a FIFO with no writer cannot hang the
    reader, and checked on the open descriptor, so it cannot be swapped in between.

    :raises NotRegularFile: it is a FIFO, device, socket or directory.
    :raises OSError: it cannot be opened.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(0, "not a regular file", os.fspath(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_stream(stream: IO[bytes], name: str, source: str, location: str = "") -> bytes:
    """At most the limit ``name`` of bytes from ``stream``.

    :raises LimitExceeded: there are more.
    """
    most = int_limit(name)
    data = stream.read(most + 1)
    if len(data) > most:
        raise LimitExceeded(name, f"more than {LIMITS[name].shown(most)}", source, location)
    return data


def read_regular(path: str | os.PathLike[str], name: str = "document-bytes") -> bytes:
    """The bytes of a regular file, at most the limit ``name``.

    :raises NotRegularFile: see :func:`open_regular`.
    :raises LimitExceeded: the file is larger than the limit.
    :raises OSError: it cannot be read.
    """
    with open_regular(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        if size > int_limit(name):
            raise LimitExceeded(name, LIMITS[name].shown(size), os.fspath(path))
        return read_stream(stream, name, os.fspath(path))


class Deadline:
    """A point in time after which an operation is abandoned (``http-deadline``).

    :param name: the limit giving the number of seconds from now.
    """

    def __init__(self, name: str = "http-deadline") -> None:
        self.name = name
        self.seconds = limit(name)
        self.end = time.monotonic() + self.seconds

    def remaining(self) -> float:
        """Seconds left (0 once passed)."""
        return max(0.0, self.end - time.monotonic())

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return time.monotonic() >= self.end

    def check(self, source: str) -> None:
        """:raises LimitExceeded: the deadline has passed."""
        if self.expired:
            raise LimitExceeded(self.name, f"over {LIMITS[self.name].shown(self.seconds)}", source)


# ---------------------------------------------------------------------------- documents


@contextlib.contextmanager
def guard_recursion(source: str, location: str = "") -> Iterator[None]:
    """Turn a parser's ``RecursionError`` (input nested too deep for it) into the nesting limit."""
    try:
        yield
    except RecursionError:
        raise LimitExceeded("nesting", "deeper than the parser can follow", source, location) from None


def check_document(data: Any, source: str = "") -> Any:
    """``data`` itself, once checked for nesting depth and the length of its integers.

    The walk is iterative, so a deep document is measured, not recursed into.

    :raises LimitExceeded: ``nesting`` or ``digits``.
    """
    most, digits = int_limit("nesting"), int_limit("digits")
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**digits:
                raise LimitExceeded("digits", f"more than {digits} digits", source)
            continue
        if depth >= most:
            raise LimitExceeded("nesting", f"more than {most} levels", source)
        stack.extend((child, depth + 1) for child in children)
    return data


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > int_limit("digits"):
        raise LimitExceeded("digits", f"{len(text.lstrip('-'))} digits")
    return int(text)


def parse_json(text: str, source: str = "", **hooks: Any) -> Any:
    """``json.loads`` with the nesting and digits limits (other ``json.loads`` arguments pass through).

    :raises LimitExceeded: ``nesting`` or ``digits``.
    :raises ValueError: the text is not JSON.
    """
    try:
        with guard_recursion(source):
            return check_document(json.loads(text, parse_int=_json_int, **hooks), source)
    except LimitExceeded as exc:
        if exc.source:
            raise
        raise LimitExceeded(exc.name, exc.found, source, exc.location) from None


def parse_toml(text: str, source: str = "") -> Any:
    """``tomllib.loads`` with the nesting and digits limits.

    :raises LimitExceeded: ``nesting`` or ``digits`` (an integer too long for
        Python to convert is reported as ``digits`` too).
    :raises reference._toml.TOMLDecodeError: the text is not TOML.
    """
    from reference._toml import TOMLDecodeError, loads

    try:
        with guard_recursion(source):
            data = loads(text)
    except TOMLDecodeError:
        raise
    except ValueError:  # int() refusing a number of thousands of digits
        raise LimitExceeded("digits", "an integer of thousands of digits", source) from None
    return check_document(data, source)


_DIGIT_RUN = re.compile(r"[0-9]+")


def check_digits(text: str, source: str = "", location: str = "") -> str:
    """``text`` itself, unless it holds a number longer than the ``digits`` limit.

    For versions, build tags and ``$schema`` URLs, whose numbers become ``int``.

    :raises LimitExceeded: ``digits``.
    """
    most = int_limit("digits")
    longest = max((len(run) for run in _DIGIT_RUN.findall(text)), default=0)
    if longest > most:
        raise LimitExceeded("digits", f"a number of {longest} digits", source, location)
    return text


# ---------------------------------------------------------------------------- names


class UnsafeName(VariantError):
    """A name from outside (a lock, an index, a wheel) cannot safely become a file name.

    Spec: reference:safe-name
    """


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def unsafe_name(name: str) -> str | None:
    """Why ``name`` cannot be a file name inside a directory of ours, or ``None`` if it can.

    A safe name is one path component: not empty, not ``.`` or ``..``, not
    starting with ``.``, without ``/``, ``\\``, ``:`` or control characters,
    and encodable as UTF-8.
    """
    if not name or name in (".", ".."):
        return "is empty or a relative directory"
    if "/" in name or "\\" in name or ":" in name:
        return "contains a path separator"
    if name.startswith("."):
        return "starts with '.'"
    if _CONTROL.search(name):
        return "contains a control character"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid UTF-8"
    return None


def check_name(name: str, field: str, source: str = "") -> str:
    """``name`` itself if it is safe as a file name (:func:`unsafe_name`).

    :param field: where the name came from (``packages[0].wheels[1].name``, ``href``).
    :raises UnsafeName: naming the field.
    """
    why = unsafe_name(name)
    if why is not None:
        message = f"{field} {quoted(name)} {why}: a name from outside must be one file name"
        raise UnsafeName(Violation("reference:safe-name", message, field, source))
    return name


# ---------------------------------------------------------------------------- output


def quoted(value: object) -> str:
    """``repr(value)`` with at most the ``quote-characters`` limit of it shown.

    >>> quoted("x" * 1000)[-30:]
    "xxxxxxx'... (1000 characters)"
    """
    most = int_limit("quote-characters")
    if isinstance(value, str) and len(value) > most:
        return f"{value[:most]!r}... ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= most else f"{text[:most]}... ({len(text)} characters of repr)"


# Kept: newline, tab, printable ASCII and non-ASCII text. Escaped: C0/C1 controls,
# lone surrogates (undecodable bytes of a file name), zero-width and bidirectional controls.
def shorten(text: str) -> str:
    """``text`` cut to four times the ``quote-characters`` limit (for messages that quote input)."""
    most = 4 * int_limit("quote-characters")
    return text if len(text) <= most else f"{text[:most]}... ({len(text)} characters)"


def describe(violation: Violation) -> str:
    """``str(violation)`` for people, source and location shortened (a JSON Pointer may hold a huge key)."""
    where = ", ".join(shorten(part) for part in (violation.source, violation.location) if part)
    return f"{where + ': ' if where else ''}{shorten(violation.message)} [{violation.clause}]"


_UNPRINTABLE = re.compile(
    r"[^\n\t -~\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def escape_controls(text: str) -> str:
    """``text`` with control characters, bidirectional overrides and lone surrogates escaped.

    Newlines and tabs are kept; everything else a terminal would interpret
    becomes ``\\xNN``/``\\uNNNN``, as ``repr`` writes it.
    """
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


REFUSALS: tuple[type[Exception], ...] = (LimitExceeded, UnsafeName, IntegrityError)
"""Errors that stop a request wherever they occur: a limit hit, an unsafe name, a hash mismatch.

Invalid variant metadata makes an installer "degrade gracefully rather than
fail outright" (``pep825:degrade-gracefully``): the wheels it describes are
passed over. These are not invalid metadata: they say the input could not be
read whole, would escape a directory, or is not what its source vouched for,
so every place that degrades re-raises them first.
"""
