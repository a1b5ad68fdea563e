"""PEP 508 environment markers extended with PEP 825's variant markers.

PEP 825 "Environment markers" adds ``variant_label`` (a ``String``) and
``variant_properties``, ``variant_features``, ``variant_namespaces`` (each a
``Set of String``). ``packaging.markers`` cannot parse them today, so this
module holds a small parser for the PEP 508 marker grammar that knows the
four names and hands every comparison on a standard variable to ``packaging``,
so that versions, ``extra`` normalization and legacy names keep packaging's
semantics. It is shaped as a candidate for upstream: a tokenizer, a
recursive-descent parser, and an evaluator over one environment mapping in
which the variant values are ordinary entries.

>>> env = {"variant_label": "foobar", "variant_properties": {"foo :: bar :: baz"},
...        "variant_features": {"foo :: bar"}, "variant_namespaces": {"foo"}}
>>> VariantMarker('"foo::bar::baz" in variant_properties').evaluate(env)
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.markers import default_environment as _default_environment
from packaging.requirements import Requirement

from reference.format.model import Properties, iter_properties
from reference.limits import LimitExceeded, check_digits, int_limit, quoted

__all__ = [
    "SET_VARIABLES",
    "VARIANT_VARIABLES",
    "InvalidVariantMarker",
    "VariantMarker",
    "VariantMarkers",
    "boolean_operator",
    "derive_features",
    "derive_namespaces",
    "evaluate_requires",
    "label_comparison",
    "label_value",
    "narrow_properties",
    "normalize_property_text",
    "set_membership",
    "split_requirement",
    "variant_markers",
]

SET_VARIABLES = frozenset({"variant_properties", "variant_features", "variant_namespaces"})
VARIANT_VARIABLES = frozenset({"variant_label"}) | SET_VARIABLES

# The variables the dependency specifiers spec defines, with the legacy dotted
# spellings packaging still accepts.
_STANDARD_VARIABLES = frozenset(
    {
        "python_version", "python_full_version", "os_name", "os.name", "sys_platform",
        "sys.platform", "platform_release", "platform_system", "platform_version",
        "platform.version", "platform_machine", "platform.machine",
        "platform_python_implementation", "platform.python_implementation",
        "python_implementation", "implementation_name", "implementation_version",
        "extra", "extras", "dependency_groups",
    }
)

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t]+)
    |(?P<lparen>\()
    |(?P<rparen>\))
    |(?P<string>'[^']*'|"[^"]*")
    |(?P<op>===|==|~=|!=|<=|>=|<|>)
    |(?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)
_SEPARATOR = re.compile(r"\s*::\s*")


class InvalidVariantMarker(InvalidMarker):
    """A marker that breaks the PEP 508 grammar or PEP 825's use of the variant markers.

    :ivar clause: the clause id of the broken rule.
    """

    def __init__(self, message: str, clause: str) -> None:
        super().__init__(message)
        self.clause = clause


def normalize_property_text(text: str) -> str:
    """``"a::b :: c"`` -> ``"a :: b :: c"``: whitespace around ``::`` does not matter.

    Spec: pep825:markers-whitespace
    """
    return _SEPARATOR.sub(" :: ", text)


@dataclass(frozen=True)
class _Variable:
    name: str

    def serialize(self) -> str:
        return self.name


@dataclass(frozen=True)
class _Literal:
    value: str

    def serialize(self) -> str:
        quote = "'" if '"' in self.value else '"'
        return f"{quote}{self.value}{quote}"


_Operand = _Variable | _Literal


@dataclass(frozen=True)
class _Compare:
    lhs: _Operand
    op: str
    rhs: _Operand
    standard: Marker | None  # the packaging marker for standard variables

    def evaluate(self, environment: Mapping[str, Any], context: Any) -> bool:
        if self.standard is not None:
            return self.standard.evaluate(_standard_part(environment), context)
        return _evaluate_variant(self, environment)

    def serialize(self) -> str:
        return f"{self.lhs.serialize()} {self.op} {self.rhs.serialize()}"


@dataclass(frozen=True)
class _BoolOp:
    op: str  # "and" | "or"
    items: tuple[_Node, ...]

    def evaluate(self, environment: Mapping[str, Any], context: Any) -> bool:
        return boolean_operator(self.op, (item.evaluate(environment, context) for item in self.items))

    def serialize(self) -> str:
        parts = [
            f"({item.serialize()})" if isinstance(item, _BoolOp) else item.serialize()
            for item in self.items
        ]
        return f" {self.op} ".join(parts)


_Node = _Compare | _BoolOp


def _standard_part(environment: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in environment.items() if k not in VARIANT_VARIABLES}


def boolean_operator(op: str, results: Iterable[bool]) -> bool:
    """PEP 508 ``and`` / ``or`` over the results of the sub-markers (evaluated lazily, in order).

    Spec: pep825:markers-operators
    """
    return all(results) if op == "and" else any(results)


def _evaluate_variant(node: _Compare, environment: Mapping[str, Any]) -> bool:
    lhs, rhs = (_operand_value(o, environment) for o in (node.lhs, node.rhs))
    if isinstance(node.rhs, _Variable) and node.rhs.name in SET_VARIABLES:
        # Parsing guarantees the form '<string> in|not in variable'.
        return set_membership(node.op, lhs, rhs)
    other = [o for o in (node.lhs, node.rhs) if isinstance(o, _Variable) and o.name not in VARIANT_VARIABLES]
    if other:
        # variant_label against a standard variable: that variable's semantics, as packaging
        # gives them to a comparison with a string (Spec: depspec:marker-grammar).
        label = _Literal(environment["variant_label"])
        operands = [label if o == _Variable("variant_label") else o for o in (node.lhs, node.rhs)]
        text = f"{operands[0].serialize()} {node.op} {operands[1].serialize()}"
        return Marker(text).evaluate(_standard_part(environment))
    return label_comparison(node.op, lhs, rhs)


def _operand_value(operand: _Operand, environment: Mapping[str, Any]) -> Any:
    if isinstance(operand, _Literal):
        return operand.value
    try:
        return environment[operand.name]
    except KeyError:
        raise UndefinedEnvironmentName(operand.name) from None


def set_membership(op: str, item: str, members: Iterable[str]) -> bool:
    """``"x" in`` / ``not in`` a ``Set of String`` marker: membership, whitespace around ``::``
    ignored on both sides.

    Spec: pep825:markers-operators, pep825:markers-whitespace
    """
    found = normalize_property_text(item) in {normalize_property_text(str(m)) for m in members}
    return found if op == "in" else not found


def label_comparison(op: str, lhs: str, rhs: str) -> bool:
    """An operator on the ``String`` marker ``variant_label``, with the dependency specifiers'
    string semantics as packaging implements them for non-version markers: ``in`` is a
    substring test, ``==`` / ``!=`` compare exactly (case matters).

    Spec: pep825:markers-operators
    """
    if op == "in":
        return lhs in rhs
    if op == "not in":
        return lhs not in rhs
    if op in ("==", "<=", ">="):
        return lhs == rhs
    if op == "!=":
        return lhs != rhs
    if op in ("<", ">"):
        return False
    raise UndefinedComparison(f"undefined {quoted(op)} on variant_label")


class _Parser:
    """Recursive descent over the PEP 508 ``marker`` grammar."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens: list[tuple[str, str, int]] = []
        position = 0
        while position < len(source):
            match = _TOKEN.match(source, position)
            if match is None:
                self.fail("unexpected character", position)
            assert match is not None and match.lastgroup is not None
            if match.lastgroup != "ws":
                self.tokens.append((match.lastgroup, match.group(), position))
            position = match.end()
        self.tokens.append(("end", "", len(source)))
        self.index = 0
        self.depth = 0

    def fail(self, message: str, position: int, clause: str = "reference:markers-syntax") -> None:
        """Reject the marker: a break of the grammar (the default clause) or of PEP 825's field types."""
        start = max(0, position - 60)  # a window around the error, not a huge marker whole
        window = self.source[start : position + 60]
        caret = " " * (position - start) + "^"
        raise InvalidVariantMarker(f"{message}\n    {window}\n    {caret}", clause)

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> _Node:
        node = self.parse_or()
        kind, _, position = self.peek()
        if kind != "end":
            self.fail("expected 'and', 'or' or the end of the marker", position)
        return node

    def parse_or(self) -> _Node:
        items = [self.parse_and()]
        while self.peek()[:2] == ("word", "or"):
            self.take()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else _BoolOp("or", tuple(items))

    def parse_and(self) -> _Node:
        items = [self.parse_atom()]
        while self.peek()[:2] == ("word", "and"):
            self.take()
            items.append(self.parse_atom())
        return items[0] if len(items) == 1 else _BoolOp("and", tuple(items))

    def parse_atom(self) -> _Node:
        if self.peek()[0] == "lparen":
            self.take()
            self.depth += 1
            if self.depth > int_limit("nesting"):
                raise LimitExceeded("nesting", f"more than {int_limit('nesting')} parentheses deep",
                                    quoted(self.source), "marker")
            node = self.parse_or()
            self.depth -= 1
            kind, _, position = self.take()
            if kind != "rparen":
                self.fail("expected ')'", position)
            return node
        lhs_position = self.peek()[2]
        lhs = self.parse_operand()
        op = self.parse_op()
        rhs = self.parse_operand()
        return self.compare(lhs, op, rhs, lhs_position)

    def parse_operand(self) -> _Operand:
        kind, text, position = self.take()
        if kind == "string":
            # a literal may be compared as a version: its numbers become ints
            return _Literal(check_digits(text[1:-1], quoted(self.source), "marker"))
        if kind == "word" and (text in _STANDARD_VARIABLES or text in VARIANT_VARIABLES):
            return _Variable(text)
        self.fail("expected a marker variable or a quoted string", position)
        raise AssertionError  # unreachable

    def parse_op(self) -> str:
        kind, text, position = self.take()
        if kind == "op" or (kind == "word" and text == "in"):
            return text
        if kind == "word" and text == "not" and self.peek()[:2] == ("word", "in"):
            self.take()
            return "not in"
        self.fail("expected a comparison operator, 'in' or 'not in'", position)
        raise AssertionError  # unreachable

    def compare(self, lhs: _Operand, op: str, rhs: _Operand, position: int) -> _Compare:
        names = [o.name for o in (lhs, rhs) if isinstance(o, _Variable)]
        variant = [n for n in names if n in VARIANT_VARIABLES]
        if not variant:
            node = _Compare(lhs, op, rhs, None)
            try:
                standard = Marker(node.serialize())
            except InvalidMarker as error:
                self.fail(f"invalid marker: {error}", position)
            return _Compare(lhs, op, rhs, standard)
        sets = [n for n in names if n in SET_VARIABLES]
        membership = isinstance(rhs, _Variable) and rhs.name in SET_VARIABLES and op in ("in", "not in")
        if sets and not (membership and len(sets) == 1):
            # Set of String fields admit only membership tests of a string.
            message = f'{sets[0]} is a set: use \'"<string>" in {sets[0]}\' or \'not in\''
            self.fail(message, position, "pep825:markers-operators")
        if "variant_label" in names and op in ("~=", "==="):
            message = f"operator {quoted(op)} is not defined for the string variant_label"
            self.fail(message, position, "pep825:markers-operators")
        return _Compare(lhs, op, rhs, None)


class VariantMarker:
    """A PEP 508 marker that may use the variant markers.

    :param text: the marker expression.
    :raises InvalidVariantMarker: on a syntax error or a misuse of a variant
        marker (a set-valued marker outside ``"x" in``/``not in``).
    :raises reference.limits.LimitExceeded: parentheses nested past the ``nesting`` limit.
    """

    __slots__ = ("_tree", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._tree: _Node = _Parser(text).parse()

    def uses_variant_markers(self) -> bool:
        """Whether any of the four variant markers occurs."""
        stack: list[_Node] = [self._tree]
        while stack:
            node = stack.pop()
            if isinstance(node, _BoolOp):
                stack.extend(node.items)
            elif any(isinstance(o, _Variable) and o.name in VARIANT_VARIABLES for o in (node.lhs, node.rhs)):
                return True
        return False

    def evaluate(
        self, environment: Mapping[str, str | AbstractSet[str]] | None = None, context: str = "metadata"
    ) -> bool:
        """Evaluate against the running interpreter overridden by ``environment``.

        ``environment`` holds the standard marker values and, when the marker
        uses them, the four variant markers (see :meth:`VariantMarkers.environment`).

        :raises packaging.markers.UndefinedEnvironmentName: when a variant
            marker is used and ``environment`` does not define it.
        """
        merged: dict[str, Any] = dict(_default_environment())
        if environment is not None:
            merged.update(environment)
        return self._tree.evaluate(merged, context)

    def __str__(self) -> str:
        return self._tree.serialize()

    def __repr__(self) -> str:
        return f"<VariantMarker({str(self)!r})>"


@dataclass(frozen=True)
class VariantMarkers:
    """The four variant marker values for one selected wheel.

    Spec: pep825:markers-values, pep825:markers-derived
    """

    label: str = ""
    properties: frozenset[str] = frozenset()

    @property
    def features(self) -> frozenset[str]:
        """``variant_features``: ``namespace :: feature`` of every property."""
        return derive_features(self.properties)

    @property
    def namespaces(self) -> frozenset[str]:
        """``variant_namespaces``: the namespace of every property."""
        return derive_namespaces(self.properties)

    def environment(self) -> dict[str, str | frozenset[str]]:
        """The four values as marker environment entries."""
        return {
            "variant_label": self.label,
            "variant_properties": self.properties,
            "variant_features": self.features,
            "variant_namespaces": self.namespaces,
        }

    def to_json(self) -> dict[str, Any]:
        """Sets as sorted lists, as conformance cases expect."""
        return {
            "variant_label": self.label,
            "variant_properties": sorted(self.properties),
            "variant_features": sorted(self.features),
            "variant_namespaces": sorted(self.namespaces),
        }


def derive_features(properties: Iterable[str]) -> frozenset[str]:
    """``variant_features``: "a set of all namespace :: feature pairs corresponding to the
    properties in variant_properties".

    Spec: pep825:markers-derived
    """
    return frozenset(p.rsplit(" :: ", 1)[0] for p in properties)


def derive_namespaces(properties: Iterable[str]) -> frozenset[str]:
    """``variant_namespaces``: "a set of all namespaces of all the properties in variant_properties".

    Spec: pep825:markers-derived
    """
    return frozenset(p.split(" :: ", 1)[0] for p in properties)


def label_value(label: str | None) -> str:
    """``variant_label``: "the variant label of the selected wheel, as found in its filename";
    "For non-variant wheels, it is an empty string".

    Spec: pep825:markers-label, pep825:markers-non-variant
    """
    return "" if label is None else label


def narrow_properties(
    properties: Properties, supported: Mapping[str, Mapping[str, Sequence[str]]]
) -> frozenset[str]:
    """``variant_properties``: the label's properties "expanded into namespace :: feature ::
    value triples for every listed feature value" and "filtered to the variant properties
    that the target system supports".

    Spec: pep825:markers-properties-narrowed
    """
    return frozenset(
        str(p)
        for p in iter_properties(properties)
        if p.value in supported.get(p.namespace, {}).get(p.feature, ())
    )


def variant_markers(
    label: str | None,
    properties: Properties | None = None,
    supported: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
) -> VariantMarkers:
    """The variant marker values for a selected wheel ("Evaluating variant markers").

    :param label: the wheel's variant label; ``None`` for a non-variant wheel.
    :param properties: what the metadata maps the label to.
    :param supported: ``{namespace: {feature: values}}`` the target supports;
        the expanded properties are narrowed to these.

    Non-variant wheels get ``""`` and empty sets ("No variant metadata is
    needed"); the null variant gets ``"null"`` and empty sets.

    Spec: pep825:markers-label, pep825:markers-properties-narrowed, pep825:markers-non-variant
    """
    if label is None:
        return VariantMarkers(label_value(label))
    return VariantMarkers(label_value(label), narrow_properties(properties or {}, supported or {}))


def split_requirement(entry: str) -> tuple[str, str | None]:
    """Split a ``Requires-Dist`` entry into the requirement and its marker text.

    A URL requirement needs whitespace before its ``;`` (PEP 508), since a URL
    may itself contain ``;``.
    """
    head = entry.split(";", 1)[0]
    if "@" in head:
        match = re.search(r"\s;", entry)
        if match is None:
            return entry.strip(), None
        return entry[: match.start()].strip(), entry[match.end() :].strip()
    if ";" not in entry:
        return entry.strip(), None
    requirement, marker = entry.split(";", 1)
    return requirement.strip(), marker.strip()


def evaluate_requires(
    requires_dist: Iterable[str],
    markers: VariantMarkers,
    environment: Mapping[str, str] | None = None,
    extras: Iterable[str] = (),
) -> list[str]:
    """The ``Requires-Dist`` entries whose markers are true for the selected wheel.

    :param requires_dist: the wheel's entries, as written.
    :param markers: the variant markers of the selected wheel.
    :param environment: the target's marker environment (default: this interpreter).
    :param extras: the extras requested (each entry is tried with ``extra`` set
        to each, and to ``""``).
    :returns: the entries kept, as written, in their order.
    :raises InvalidVariantMarker: on an unparsable marker.
    :raises packaging.requirements.InvalidRequirement: on an unparsable requirement.

    Spec: pep825:markers-after-selection
    """
    base: dict[str, Any] = dict(environment or {})
    base.update(markers.environment())
    kept = []
    for entry in requires_dist:
        requirement, marker_text = split_requirement(entry)
        Requirement(requirement)  # raises InvalidRequirement
        if marker_text is None:
            kept.append(entry)
            continue
        marker = VariantMarker(marker_text)
        if any(marker.evaluate({**base, "extra": extra}) for extra in ("", *extras)):
            kept.append(entry)
    return kept
