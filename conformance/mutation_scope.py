"""What mutmut may leave alone: ``# pragma: no mutate`` only on lines that build text.

A mutant that only changes the words of an error message, the JSON Pointer or
component it names, or an explanation the reference records cannot be killed
by a case (the suite compares outcomes and clause ids, never wording), so
listing such mutants one by one in ``conformance/mutation-survivors.toml``
measures nothing. The lines that only build such text carry mutmut's own
``# pragma: no mutate`` instead, and mutmut generates no mutant there.

A pragma must never hide a decision, so :func:`misplaced_pragmas` holds every
pragma of the mutated files to one rule, checked token by token
(``tests/test_mutation_scope.py``): a pragma'd line holds only

- string literals and f-strings (an f-string's replacement fields included:
  they only fill in text), none of which is a clause id (``pep825:...``,
  ``reference:...``: clause ids are compared by the suite);
- calls of the text helpers :data:`TEXT_CALLS` (``json_pointer``, ``quoted``),
  with names, attributes, numbers and strings as arguments (no call inside);
- ``message =`` at the start (a message built before it is raised);
- the punctuation that joins these: ``( ) , +``.

Anything else on the line (a name, a comparison, ``return``, ``raise``, a
call of anything else) makes the pragma misplaced.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from pathlib import Path

__all__ = ["PRAGMA", "TEXT_CALLS", "misplaced_pragmas", "pragma_lines"]

PRAGMA = "# pragma: no mutate"
#: Calls that only render a place or a value as text.
TEXT_CALLS = frozenset({"json_pointer", "quoted"})
#: Names a text-only line may assign at its start.
_TEXT_TARGETS = frozenset({"message"})
_CLAUSE_ID = re.compile(r"""^[rbfuRBFU]*(['"])[a-z0-9]+:[a-z0-9][a-z0-9.-]*\1$""")
_JOINERS = frozenset({"(", ")", ",", "+"})
_INSIDE_CALL = frozenset({"(", ")", ",", ".", "[", "]"})
_ARGUMENT_TOKENS = frozenset({tokenize.NAME, tokenize.NUMBER, tokenize.STRING})
_LAYOUT = frozenset({tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT})
_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)


def pragma_lines(source: str) -> set[int]:
    """The lines (1-based) whose comment is mutmut's ``# pragma: no mutate``."""
    return {
        token.start[0]
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT and "pragma: no mutate" in token.string
    }


def misplaced_pragmas(paths: Iterable[Path]) -> list[str]:
    """``file:line: reason`` for every pragma on a line that does more than build text."""
    problems = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        for token in tokens:
            if token.type != tokenize.COMMENT or "pragma: no mutate" not in token.string:
                continue
            line = token.start[0]
            tail = token.string.partition("no mutate")[2].strip(" :")
            if tail.split(" ")[0] in ("block", "start", "end"):
                problems.append(f"{path}:{line}: only line pragmas are allowed, not '{tail}'")
                continue
            reason = _not_text(tokens, line)
            if reason:
                problems.append(f"{path}:{line}: {reason}")
    return problems


def _not_text(tokens: list[tokenize.TokenInfo], line: int) -> str | None:
    """Why the code of *line* is not text-only (``None``: it is)."""
    row = [t for t in tokens if t.start[0] == line and t.type not in _LAYOUT]
    if not row:
        return "the pragma stands on a line of its own (only line pragmas on code are allowed)"
    index = 0
    if len(row) > 2 and row[0].string in _TEXT_TARGETS and row[1].string == "=":
        index = 2
    fstring_depth = 0
    call_depth = 0
    while index < len(row):
        token = row[index]
        index += 1
        if _FSTRING_START is not None and token.type == _FSTRING_START:
            fstring_depth += 1
            continue
        if fstring_depth:
            fstring_depth -= token.type == _FSTRING_END
            continue
        if token.type == tokenize.STRING:
            if _CLAUSE_ID.match(token.string):
                return f"{token.string} is a clause id: the suite compares those"
            continue
        if call_depth:
            if token.type == tokenize.NAME and index < len(row) and row[index].string == "(":
                return f"a call of {token.string} inside a text helper's arguments"
            if token.type in _ARGUMENT_TOKENS or token.string in _INSIDE_CALL:
                call_depth += (token.string == "(") - (token.string == ")")
                continue
            return f"{token.string!r} inside a text helper's arguments"
        if token.type == tokenize.NAME and token.string in TEXT_CALLS and index < len(row) and (
            row[index].string == "("
        ):
            call_depth = 1
            index += 1
            continue
        if token.type == tokenize.OP and token.string in _JOINERS:
            continue
        return f"{token.string!r} is not text"
    return None
