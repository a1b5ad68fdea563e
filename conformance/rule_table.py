"""The rule table: every rule of the suite's issue-11 list, how to remove and reverse it, and
the cases it alone decides.

A *rule* is one sentence of the text that decides outcomes: an ordering step,
a placement, a provider step, a user option, a marker variable or operator,
a combination rule, a lock rule. Each lives in one named function of the
reference; each row here says how to take it out (*removed*: what a tool
without the rule would answer: no preference, no check, no option) and, where
that makes sense, how to turn it round (*reversed*), with the same
:mod:`conformance.patching` kinds as the mutants, and lists the **decisive
cases**: cases whose outcome changes when the rule is removed, i.e. cases the
rule alone decides. ``tests/test_ablation.py`` proves every listed case flips
(:mod:`conformance.ablation` runs the rows); ``python -m conformance coverage``
shows them per rule.

The table is at the end of this file; the building blocks above it are the
few lines each replacement computes.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.mutant_table import Mutant, _plugins_trusted, field_set, reranked
from conformance.patching import Args, Kind, Patch, arguments, around, instead, result

__all__ = ["LAZY", "RULES", "Rule"]

ORDERING = "reference.selection.ordering"
SELECT = "reference.selection.select"
PROVIDERS = "reference.providers.support"
MARKERS = "reference.selection.markers"
COMBINE = "reference.format.combine"
PYLOCK = "reference.install.pylock"


def constant(answer: Any) -> Kind:
    """The rule answers *answer* whatever it is asked."""
    return instead(lambda a: answer)


def backwards(text: str) -> tuple[int, ...]:
    """A key that sorts strings in descending order (a prefix after its extensions)."""
    return (*(-ord(c) for c in text), 1)


# ---------------------------------------------------------------------------
# ordering
# ---------------------------------------------------------------------------
def per_namespace(change: Callable[[list[str]], list[str]]) -> Kind:
    """``{namespace: [features]}`` with every list changed."""
    return result(lambda order, a: {ns: change(list(fs)) for ns, fs in order.items()})


def per_feature(change: Callable[[list[str]], list[str]]) -> Kind:
    """``{namespace: {feature: [values]}}`` with every value list changed."""
    return result(
        lambda order, a: {ns: {f: change(list(v)) for f, v in fs.items()} for ns, fs in order.items()}
    )


def first_listed(args: Args) -> str | None:
    """Step 4 removed: the first compatible value as the wheel lists it, not the preferred one."""
    return next((v for v in args["values"] if v in args["positions"]), None)


def worst_value(args: Args) -> str | None:
    """Step 4 reversed: the least preferred compatible value."""
    found = [v for v in args["values"] if v in args["positions"]]
    return max(found, key=lambda v: args["positions"][v]) if found else None


def null_first(args: Args) -> list[str]:
    labels = list(args["labels"])
    return [label for label in labels if label == "null"] + [label for label in labels if label != "null"]


def non_variant_with_null(args: Args) -> list[list[Any]]:
    """Non-variant placement removed: the non-variant wheels join the null variant's group
    (both have no properties), ordered with it by tags; without a null group they come last."""
    groups = [list(g) for g in args["variant_groups"]]
    for group in groups:
        if group and group[0].label == "null":
            group.extend(args["non_variant"])
            return groups
    return [*groups, list(args["non_variant"])]


def non_variant_first(args: Args) -> list[list[Any]]:
    return [list(args["non_variant"]), *args["variant_groups"]]


def build_reversed(args: Args) -> tuple[int, ...]:
    build = args["candidate"].wheel.build_number if args["candidate"].wheel else ()
    return (-build[0],) if build else (1,)


# ---------------------------------------------------------------------------
# options, providers
# ---------------------------------------------------------------------------
def requested_label_excluded(args: Args) -> Any:
    """``--variant LABEL`` reversed: every wheel but the requested label's is kept."""
    from reference.selection.result import Reason

    options, wheel = args["options"], args["wheel"]
    if options.variant is not None and wheel.variant_label == options.variant:
        return Reason("reference:option-variant", "ablation: the requested label is excluded")
    return None


def variant_wheels_only(args: Args) -> Any:
    """``--no-variants`` reversed: only variant wheels are kept."""
    from reference.selection.result import Reason

    if args["options"].no_variants and not args["wheel"].is_variant:
        return Reason("reference:option-no-variants", "ablation: non-variant wheels are excluded")
    return None


def plugin_not_queried(args: Args) -> Any:
    """Step 6 removed: a trusted plugin is never installed nor queried: nothing supported."""
    from reference.providers.support import NamespaceSupport

    clause = "providers:step-6-install-query"
    return NamespaceSupport(args["namespace"], {}, "plugin-failed", clause, "ablation: not queried")


TRUST_EVERY_PLUGIN = arguments(_plugins_trusted)


def every_abi_value_matches(args: Args) -> Any:
    """abi_dependency reversed: every declared value is supported, whatever is installed."""
    from reference.format.model import ABI_DEPENDENCY
    from reference.providers.support import NamespaceSupport

    if args["namespace"] != ABI_DEPENDENCY:
        return None
    declared = {f: tuple(dict.fromkeys(v)) for f, v in (args["declared"] or {}).items()}
    clause = "providers:abi-matching"
    return NamespaceSupport(args["namespace"], declared, "abi-dependency", clause, "ablation: all match")


def environments_inverted(args: Args) -> None:
    """Lock environments reversed: the lock applies only where none of its markers holds."""
    from packaging.markers import Marker

    from reference.errors import Violation
    from reference.install.pylock import InvalidLock

    lock, environment = args["lock"], args["environment"]
    if lock.environments is None:
        return
    if any(Marker(text).evaluate(dict(environment)) for text in lock.environments):
        raise InvalidLock(Violation("pylock:environments", "ablation: an environments marker holds"))


# ---------------------------------------------------------------------------
# markers
# ---------------------------------------------------------------------------
def label_operator(op: str, reverse: bool) -> Kind:
    """``label_comparison`` with *op* always false (removed) or negated (reversed)."""

    def change(call: Callable[..., Any], args: Args) -> bool:
        if args["op"] != op:
            return bool(call())
        return not call() if reverse else False

    return around(change)


def set_operator(op: str, reverse: bool) -> Kind:
    """``set_membership`` with *op* always false (removed) or negated (reversed)."""
    return label_operator(op, reverse)


def boolean(op: str, reverse: bool) -> Kind:
    """``boolean_operator`` with ``and``/``or`` false (removed) or swapped for the other (reversed)."""

    def change(call: Callable[..., Any], args: Args) -> bool:
        if args["op"] != op:
            return bool(call())
        if not reverse:
            return False
        return bool(call(op="or" if op == "and" else "and"))

    return around(change)


EMPTY_SET = instead(lambda a: frozenset())


def not_narrowed(args: Args) -> frozenset[str]:
    """variant_properties without step 3: every expanded property of the label."""
    from reference.format.model import iter_properties

    return frozenset(str(p) for p in iter_properties(args["properties"]))


# ---------------------------------------------------------------------------
# combination, locks
# ---------------------------------------------------------------------------
def first_document_labels(variants: Mapping[str, Any], args: Args) -> dict[str, Any]:
    """The union removed: the labels of the first document only."""
    first = args["docs"][0].variants
    return {label: properties for label, properties in variants.items() if label in first}


def providers_unchecked(args: Args) -> dict[str, Any] | None:
    docs = args["docs"]
    if all(d.providers is None for d in docs):
        return None
    merged: dict[str, Any] = {}
    for doc in docs:
        for namespace, info in (doc.providers or {}).items():
            merged.setdefault(namespace, info)
    return dict(sorted(merged.items()))


def unresolved(call: Callable[..., Any], args: Args) -> Any:
    """Lock resolution removed: the listed wheels chosen as by a tool that does not resolve
    variants (the non-variant wheel)."""
    from reference.selection.system import SelectOptions

    options = args["options"] or SelectOptions()
    return call(options=dataclasses.replace(options, no_variants=True, variant=None))


def requires_without_variant_context(call: Callable[..., Any], args: Args) -> list[str]:
    """Lock markers removed: Requires-Dist evaluated as for a non-variant wheel."""
    from reference.selection.markers import VariantMarkers

    result: list[str] = call(markers=VariantMarkers())
    return result


def unevaluable_marker_skipped(call: Callable[..., Any], args: Args) -> bool:
    """Marker scope removed: a packages.marker no standard evaluator reads is taken as false."""
    from reference.install.pylock import InvalidLock

    try:
        return bool(call())
    except InvalidLock:
        return False


def invalid_table_ignored(call: Callable[..., Any], args: Args) -> Any:
    """Lock validation removed: an invalid variants-json table is ignored instead of rejected."""
    from reference.install.pylock import InvalidLock

    try:
        return call()
    except InvalidLock:
        return None


# ---------------------------------------------------------------------------
# the rows
# ---------------------------------------------------------------------------
SELECTING = frozenset({"select", "install", "pylock"})
MARKER_OPS = SELECTING | {"markers"}
COMBINING = SELECTING | {"combine"}
LOCKING = frozenset({"pylock"})


@dataclass(frozen=True)
class Rule:
    """One rule, its ablations and the cases it decides.

    :param id: stable id (``ordering-step-1``).
    :param group: ``ordering``, ``placement``, ``providers``, ``options``, ``markers``,
        ``combination`` or ``lock`` (the issue's list, in that order).
    :param clause: the clause the rule comes from.
    :param text: the rule, as the text states it.
    :param removed: the reference without the rule (a :class:`~conformance.mutant_table.Mutant`
        row outside the mutant table).
    :param reversed: the reference with the rule turned round, or ``None`` where that
        makes no sense (a check, an option that only narrows, a step that only adds).
    :param decisive: cases whose outcome the removal changes: the rule alone decides them.
    :param reversal: cases whose outcome the reversal changes (default: *decisive*).
    :param inapplicable: why the reference cannot have a decisive case for this rule (then
        *decisive* is empty); ``""`` for every rule the reference implements.
    """

    id: str
    group: str
    clause: str
    text: str
    removed: Mutant
    reversed: Mutant | None
    decisive: tuple[str, ...]
    reversal: tuple[str, ...] = ()
    inapplicable: str = ""

    @property
    def rows(self) -> tuple[Mutant, ...]:
        """The removal, then the reversal if there is one."""
        return (self.removed,) if self.reversed is None else (self.removed, self.reversed)

    def flipped_by(self, row: Mutant) -> tuple[str, ...]:
        """The cases *row* (one of :attr:`rows`) must flip."""
        if row is self.reversed and self.reversal:
            return self.reversal
        return self.decisive


Change = tuple[str, Patch] | tuple[str, Patch, Patch]


def _one_byte_more(wheel: Any, arguments: Any) -> Any:
    """A locked wheel whose ``size``, when the lock gives one, is read one byte too large."""
    return wheel if wheel.size is None else dataclasses.replace(wheel, size=wheel.size + 1)


def rule(
    id: str,
    group: str,
    clause: str,
    text: str,
    ops: frozenset[str],
    removed: Change,
    reversed: Change | None = None,
    *,
    decisive: Sequence[str],
    reversal: Sequence[str] = (),
    plugins: bool = False,
    inapplicable: str = "",
) -> Rule:
    """One row: ``removed``/``reversed`` are ``(description, patch, ...)``."""

    def row(kind: str, change: Change) -> Mutant:
        description, *patches = change
        return Mutant(f"ablation:{id}:{kind}", description, clause, ops, tuple(patches), plugins)

    return Rule(
        id, group, clause, text, row("removed", removed),
        None if reversed is None else row("reversed", reversed),
        tuple(decisive), tuple(reversal), inapplicable,
    )


def _p(target: str, kind: Kind) -> Patch:
    return Patch(target, kind)


def _reversed() -> Kind:
    return result(lambda answer, a: list(answer)[::-1])


def _negated() -> Kind:
    return result(lambda key, a: tuple(-k for k in key))


#: The decisive cases (removal, reversal) of the operator rules, which the table builds in loops.
OPERATOR_CASES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "marker-label-equal": (
        (
            "markers/combined-with-pep508/and-true",
            "markers/combined-with-pep508/with-python-version",
            "markers/label-string/label-with-dot",
            "markers/label-string/reversed-operands",
            "markers/pep825-example/dep1-foobar",
        ),
        (),
    ),
    "marker-label-not-equal": (
        (
            "markers/pep825-example/dep2-non-variant",
            "markers/pep825-example/dep2-variant",
            "selection/markers-non-variant/non-variant",
            "selection/markers-variant-wheel/foobar",
            "install/variant-markers-uvreach/as-dependency",
        ),
        (),
    ),
    "marker-label-in": (
        (
            "markers/label-string/substring-in",
            "selection/markers-variant-wheel/foobar",
        ),
        (),
    ),
    "marker-label-not-in": (
        (
            "markers/label-string/substring-not-in",
        ),
        (),
    ),
    "marker-set-in": (
        (
            "markers/combined-with-pep508/and-true",
            "markers/combined-with-pep508/or",
            "markers/pep825-example/dep4-yes",
            "markers/pep825-example/dep5-yes",
            "markers/pep825-example/dep6-yes",
        ),
        (),
    ),
    "marker-set-not-in": (
        (
            "markers/not-in/namespace-absent",
            "markers/not-in/property-absent",
            "selection/markers-non-variant/non-variant",
            "selection/markers-null-variant/null",
            "markers/non-variant-and-null/non-variant-not-in",
        ),
        (),
    ),
    "marker-and": (
        (
            "markers/combined-with-pep508/and-true",
            "markers/combined-with-pep508/with-python-version",
            "markers/set-semantics/several-features",
            "markers/set-semantics/several-namespaces",
            "selection/markers-variant-wheel/foobar",
        ),
        (
            "markers/combined-with-pep508/and-false",
            "markers/combined-with-pep508/parentheses",
            "selection/markers-non-variant/non-variant",
        ),
    ),
    "marker-or": (
        (
            "markers/combined-with-pep508/or",
            "pylock/per-package-selection/aarch64",
            "pylock/per-package-selection/v3-mkl-only",
            "pylock/resolve-from-lock/no-variants",
            "pylock/resolve-from-lock/v3-mkl-only",
        ),
        (),
    ),
}

RULES: tuple[Rule, ...] = (
    # -- ordering steps 1-7 ----------------------------------------------------
    rule("ordering-step-1", "ordering", "pep825:ordering-step-1",
         "namespaces in the order of default-priorities.namespace", SELECTING,
         ("default-priorities.namespace ignored: namespaces in alphabetical order",
          _p(f"{ORDERING}:namespace_order", arguments(
              lambda a: {"default_priorities": (), "used": [*a["default_priorities"], *a["used"]]}))),
         ("namespaces in the reverse of default-priorities.namespace",
          _p(f"{ORDERING}:namespace_order", _reversed())),
         decisive=(
             "ordering/step-1-namespace-priority/x86-64-first",
             "ordering/step-1-namespace-priority/x86-64-first-worse-value",
             "ordering/step-1-namespace-priority/static-lists-reversed",
             "examples/pytorch-installation/two-gpu-vendors",
             "examples/providers-blas-lapack/x86-64-v4",
         )),
    rule("ordering-step-2", "ordering", "pep825:ordering-step-2",
         "features in the order of the compatible feature list", SELECTING,
         ("the compatible feature order ignored: features in alphabetical order",
          _p(f"{ORDERING}:feature_order", per_namespace(sorted))),
         ("features in the reverse of the compatible feature list",
          _p(f"{ORDERING}:feature_order", per_namespace(lambda fs: fs[::-1]))),
         decisive=(
             "ordering/step-2-feature-order/level-first",
             "ordering/step-5-feature-before-value/first-feature-second-value-wins",
             "ordering/step-2-feature-order/static-feature-order",
             "providers/static-feature-order-values/second-value-of-first-feature",
         )),
    rule("ordering-step-3", "ordering", "pep825:ordering-step-3",
         "values in the order of the compatible value list", SELECTING,
         ("the compatible value order ignored: values in alphabetical order",
          _p(f"{ORDERING}:value_order", per_feature(sorted))),
         ("values in the reverse of the compatible value list",
          _p(f"{ORDERING}:value_order", per_feature(lambda vs: vs[::-1]))),
         decisive=(
             "ordering/step-3-value-order/v3-system",
             "ordering/step-3-value-order/v4-system",
             "ordering/step-3-value-order/static-value-order",
             "examples/foo-variants-json/v4-mkl",
             "examples/pytorch-installation/cuda13-driver-sm90",
         )),
    rule("ordering-step-4", "ordering", "pep825:ordering-step-4",
         "a feature's best value is its compatible value with the lowest position", SELECTING,
         ("a feature ranks by the first compatible value the wheel lists",
          _p(f"{ORDERING}:best_value", instead(first_listed))),
         ("a feature ranks by its least preferred compatible value",
          _p(f"{ORDERING}:best_value", instead(worst_value))),
         decisive=(
             "ordering/step-7-label-tiebreak/equal-best-values",
             "ordering/step-7-label-tiebreak/three-architectures",
             "ordering/step-7-label-tiebreak/static-tie",
         )),
    rule("ordering-step-5", "ordering", "pep825:ordering-step-5",
         "a property's key is the positions of its namespace, feature and best value", SELECTING,
         ("property keys are the property names, compared as text",
          _p(f"{ORDERING}:property_key", instead(lambda a: tuple(a["prop"]))),
          _p(f"{ORDERING}:exhausted_marker", constant((("\U0010ffff",) * 3,)))),
         ("property keys compare the value position first, the namespace position last",
          _p(f"{ORDERING}:property_key", result(lambda key, a: tuple(key)[::-1]))),
         decisive=(
             "ordering/step-1-namespace-priority/x86-64-first",
             "ordering/step-1-namespace-priority/x86-64-first-worse-value",
             "ordering/step-2-feature-order/level-first",
             "ordering/step-5-6-sorted-keys/x86-64-key-first",
             "ordering/step-5-feature-before-value/first-feature-second-value-wins",
         ),
         reversal=(
             "ordering/step-5-6-sorted-keys/x86-64-key-first",
             "ordering/step-5-feature-before-value/first-feature-second-value-wins",
             "providers/static-feature-order-values/second-value-of-first-feature",
         )),
    rule("ordering-step-6", "ordering", "pep825:ordering-step-6",
         "a group's keys sorted in ascending order", SELECTING,
         ("a group's keys left in the order its metadata lists them",
          _p(f"{ORDERING}:sort_property_keys", instead(lambda a: list(a["keys"])))),
         ("a group's keys sorted in descending order",
          _p(f"{ORDERING}:sort_property_keys", result(lambda keys, a: keys[::-1]))),
         decisive=(
             "ordering/step-5-6-sorted-keys/x86-64-key-first",
             "ordering/step-7-more-properties/superset-wins",
             "ordering/step-7-more-properties/superset-wins-worse-value",
             "examples/providers-blas-lapack/x86-64-v4",
             "providers/user-static-exclusive/x86-64-v4",
         )),
    rule("ordering-step-7-lower-key", "ordering", "pep825:ordering-step-7",
         "at the first differing position, the group with the lower key sorts earlier", SELECTING,
         ("keys are not compared: only their number and the label order groups",
          _p(f"{ORDERING}:key_order", constant((0, 0, 0)))),
         ("at the first differing position, the group with the higher key sorts earlier",
          _p(f"{ORDERING}:key_order", _negated())),
         decisive=(
             "ordering/step-1-namespace-priority/x86-64-first",
             "ordering/step-1-namespace-priority/x86-64-first-worse-value",
             "ordering/step-5-6-sorted-keys/x86-64-key-first",
             "ordering/step-7-first-key-decides/fewer-properties-better-first-key",
             "ordering/step-1-namespace-priority/static-lists",
         )),
    rule("ordering-step-7-more-keys", "ordering", "pep825:ordering-step-7",
         "when one group's keys are exhausted, the group with more keys sorts earlier", SELECTING,
         ("lists compared as plain sequences: a group whose keys are a prefix sorts first",
          _p(f"{ORDERING}:exhausted_marker", constant(()))),
         decisive=(
             "ordering/step-7-more-properties/superset-wins",
             "ordering/step-7-more-properties/superset-wins-worse-value",
             "ordering/step-7-more-properties/static-superset-wins",
         )),
    rule("label-tiebreak", "ordering", "pep825:ordering-step-7",
         "groups with the same keys are ordered lexically by label, ascending", SELECTING,
         ("no label tie-break: tied groups keep the order of the metadata",
          _p(f"{ORDERING}:label_tiebreak", constant(""))),
         ("tied groups ordered by label, descending",
          _p(f"{ORDERING}:label_tiebreak", instead(lambda a: backwards(a["label"])))),
         decisive=(
             "pylock/label-tiebreak/label-decides-not-lock-order",
         )),
    # -- placement ---------------------------------------------------------------
    rule("null-last", "placement", "pep825:ordering-null-last",
         "the null variant's group sorts after every other variant group", SELECTING,
         ("the null variant placed by step 7 like any other group",
          _p(f"{ORDERING}:null_last", instead(lambda a: list(a["labels"])))),
         ("the null variant's group first",
          _p(f"{ORDERING}:null_last", instead(null_first))),
         decisive=(
             "ordering/zero-property-label/null-last",
         )),
    rule("non-variant-last", "placement", "pep825:ordering-non-variant-last",
         "the non-variant wheels' group after every variant group", SELECTING,
         ("non-variant wheels join the null variant's group, ordered with it by tags",
          _p(f"{SELECT}:non_variant_last", instead(non_variant_with_null))),
         ("the non-variant group first",
          _p(f"{SELECT}:non_variant_last", instead(non_variant_first))),
         decisive=(
             "ordering/non-variant-after-null/null-before-better-tagged-non-variant",
         )),
    rule("tags-within-group", "placement", "pep825:ordering-platform-tags",
         "within a group, wheels ordered by their best platform tag", SELECTING,
         ("platform tags do not order the wheels of a group",
          _p(f"{SELECT}:tag_preference", constant(0))),
         ("within a group, the least preferred tag first",
          _p(f"{SELECT}:tag_preference", result(lambda rank, a: -rank))),
         decisive=(
             "ordering/tags-before-build-number/better-tag-beats-higher-build",
             "ordering/platform-tags-within-group/most-specific-tag",
             "ordering/platform-tags-uvreach/tags-within-group",
         )),
    rule("build-within-group", "placement", "wheel:build-tag",
         "wheels whose tags rank the same are ordered by build number, higher first", SELECTING,
         ("build numbers do not order the wheels of a group",
          _p(f"{SELECT}:build_preference", constant(()))),
         ("the lower build number first",
          _p(f"{SELECT}:build_preference", instead(build_reversed))),
         decisive=(
             "ordering/build-number-groups/non-variant-group",
             "ordering/build-number/higher-build-wins",
             "ordering/build-number-uvreach/higher-build-wins",
         )),
    # -- provider steps ------------------------------------------------------------
    rule("provider-step-1", "providers", "providers:step-1-disabled",
         "a disabled (optional, not enabled) provider supports nothing", SELECTING,
         ("optional providers are used without being enabled",
          _p(f"{PROVIDERS}:_step_1_disabled", constant(None))),
         decisive=(
             "providers/optional-provider/disabled-beats-user-list",
             "providers/optional-provider/disabled-by-default",
             "providers/optional-provider/disabled-without-option",
             "providers/optional-provider/optional-plugin-disabled",
         )),
    rule("provider-step-2", "providers", "providers:step-2-static",
         "static-properties in the metadata are used exclusively", SELECTING,
         ("static-properties are not read: later steps decide",
          _p(f"{PROVIDERS}:_step_2_static_properties", constant(None))),
         decisive=(
             "providers/static-feature-order-values/second-value-of-first-feature",
             "providers/static-properties-exclusive/aarch64",
             "providers/static-properties-exclusive/option-variant-static",
             "providers/static-properties-exclusive/profile-names-nothing",
             "providers/static-properties-exclusive/profile-says-mkl-only",
         )),
    rule("provider-step-3", "providers", "providers:step-3-user-static",
         "the user's static list is used exclusively", SELECTING,
         ("the user's static list is not read: later steps decide",
          _p(f"{PROVIDERS}:_step_3_user_static", constant(None))),
         decisive=(
             "providers/user-static-exclusive/shadows-untrusted-plugin",
             "providers/user-static-exclusive/x86-64-v3",
             "providers/user-static-exclusive/x86-64-v4",
             "providers/user-static-before-plugins/empty-list-shadows-x86-64-plugin",
             "providers/user-static-before-plugins/empty-list-supports-nothing",
         ), plugins=True),
    rule("provider-step-4", "providers", "providers:step-4-vendored",
         "a built-in implementation of the provider answers", SELECTING,
         ("the tool has no built-in provider: later steps decide",
          _p(f"{PROVIDERS}:_step_4_builtin", constant(None))),
         decisive=(),
         inapplicable="The reference vendors and reimplements no provider (the text: 'The tools MAY "
         "choose to vendor or reimplement plugin packages'), so for it this step always proceeds to "
         "step 5, which provider-step-5 decides. providers/reimplemented-provider checks a tool that "
         "does (uv's NVIDIA provider, hardware.nvidia)."),
    rule("provider-step-5", "providers", "providers:step-5-trust",
         "a provider package that is not trusted is neither installed nor run", SELECTING,
         ("provider plugins run without being trusted",
          _p(f"{PROVIDERS}:namespace_support", TRUST_EVERY_PLUGIN)),
         decisive=(
             "providers/untrusted-plugin/marker-plugin-untrusted",
             "providers/untrusted-plugin/other-package-trusted",
         ), plugins=True),
    rule("provider-step-6", "providers", "providers:step-6-install-query",
         "a trusted provider package is installed and queried", SELECTING,
         ("trusted plugins are never installed nor queried",
          _p(f"{PROVIDERS}:_step_6_plugin", instead(plugin_not_queried))),
         decisive=(
             "providers/plugin-installed-from-non-variant-wheels/null-variant-of-plugin-ignored",
             "providers/plugin-value-order/descending-values-kept",
             "providers/plugin-value-order/feature-order-kept",
             "providers/trusted-plugin/marker-plugin-trusted",
             "providers/plugin-extra-attributes/namespace-attribute-ignored",
         ), plugins=True),
    rule("abi-dependency", "providers", "providers:abi-matching",
         "abi_dependency values match installed versions as =={value}.*", SELECTING,
         ("abi_dependency is not implemented: nothing in it is supported",
          _p(f"{PROVIDERS}:_abi_dependency", constant(None))),
         ("every abi_dependency value matches, whatever is installed",
          _p(f"{PROVIDERS}:_abi_dependency", instead(every_abi_value_matches))),
         decisive=(
             "abi/major-value/torch-2",
             "abi/major-value/torch-2-0-1",
             "abi/major-value/torch-2-9-1",
             "abi/minor-value/2-0-matches-2-0-1",
             "abi/minor-value/2-0-matches-release-2",
         ),
         reversal=(
             "abi/minor-value/2-0-rejects-2-1",
             "abi/not-installed/ext29",
             "abi/epoch/epoch-vs-2",
         )),
    # -- selection options ---------------------------------------------------------
    rule("option-variant", "options", "reference:option-variant",
         "--variant LABEL: only wheels with that label are considered", SELECTING,
         ("--variant has no effect",
          _p(f"{SELECT}:option_variant", constant(None))),
         ("--variant LABEL excludes that label and keeps the others",
          _p(f"{SELECT}:option_variant", instead(requested_label_excluded))),
         decisive=(
             "selection/option-variant/label-missing-from-index-file",
             "selection/option-variant/null-requested",
             "selection/option-variant/supported-not-best",
             "selection/option-variant/unknown-label",
             "selection/option-variant/unsupported-never-chosen",
         )),
    rule("option-no-variants", "options", "reference:option-no-variants",
         "--no-variants: only non-variant wheels are considered", SELECTING,
         ("--no-variants has no effect",
          _p(f"{SELECT}:option_no_variants", constant(None))),
         ("--no-variants keeps only the variant wheels",
          _p(f"{SELECT}:option_no_variants", instead(variant_wheels_only))),
         decisive=(
             "selection/markers-non-variant/non-variant",
             "selection/option-no-variants/non-variant-selected",
             "selection/option-no-variants/null-excluded-too",
             "install/variant-marker-dependencies/no-variants",
             "ordering/platform-tags-within-group/non-variant-group-by-tag",
         )),
    rule("option-enable-provider", "options", "providers:step-1-enable-option",
         "--enable-provider NAMESPACE enables an optional provider", SELECTING,
         ("--enable-provider has no effect",
          _p(f"{PROVIDERS}:enabled_by_user", constant(False))),
         decisive=(
             "providers/optional-provider/enabled",
             "providers/optional-provider/enabled-with-user-list",
             "providers/optional-provider/optional-plugin-enabled",
         ), plugins=True),
    rule("option-trust", "options", "providers:step-5-trusted-list",
         "--trust PACKAGE trusts a provider package", SELECTING,
         ("--trust has no effect",
          _p(f"{PROVIDERS}:trusted_by_user", constant(False))),
         decisive=(
             "providers/plugin-extra-attributes/namespace-attribute-ignored",
             "providers/plugin-installed-from-non-variant-wheels/null-variant-of-plugin-ignored",
             "providers/plugin-value-order/descending-values-kept",
             "providers/plugin-value-order/feature-order-kept",
             "providers/trusted-plugin/marker-plugin-trusted",
         ), plugins=True),
    # -- marker variables and operators ---------------------------------------------
    rule("marker-variant-label", "markers", "pep825:markers-label",
         "variant_label is the selected wheel's label ('' for a non-variant wheel)", MARKER_OPS,
         ("variant_label is always ''",
          _p(f"{MARKERS}:label_value", constant(""))),
         decisive=(
             "install/variant-marker-dependencies/cpu",
             "pylock/per-package-selection/v4-mkl",
             "selection/markers-null-variant/null",
             "selection/markers-variant-wheel/foobar",
             "install/variant-markers-uvreach/as-dependency",
         )),
    rule("marker-variant-properties", "markers", "pep825:markers-values",
         "variant_properties is the label's properties, expanded", MARKER_OPS,
         ("variant_properties is always empty",
          _p(f"{MARKERS}:narrow_properties", EMPTY_SET)),
         decisive=(
             "install/variant-marker-dependencies/cuda",
             "install/variant-marker-dependencies/direct",
             "selection/markers-variant-wheel/foobar",
             "install/variant-markers-uvreach/as-dependency",
             "install/variant-markers-uvreach/multi-value-narrowed",
         )),
    rule("marker-narrowing", "markers", "pep825:markers-properties-narrowed",
         "variant_properties is narrowed to the properties the system supports", MARKER_OPS,
         ("variant_properties holds every property of the label",
          _p(f"{MARKERS}:narrow_properties", instead(not_narrowed))),
         decisive=(
             "examples/pytorch-installation/amd-gpu",
             "examples/pytorch-installation/cuda128-driver-sm90",
             "examples/pytorch-installation/cuda13-driver-sm120",
             "examples/pytorch-installation/cuda13-driver-sm90",
             "examples/pytorch-installation/cuda132-driver-sm120",
         )),
    rule("marker-variant-features", "markers", "pep825:markers-derived",
         "variant_features holds namespace :: feature of every property", MARKER_OPS,
         ("variant_features is always empty",
          _p(f"{MARKERS}:derive_features", EMPTY_SET)),
         decisive=(
             "markers/pep825-example/dep5-yes",
             "markers/set-semantics/several-features",
             "markers/sm-arch-narrowing/feature-kept",
             "examples/sm-arch-narrowing/both",
             "examples/sm-arch-narrowing/only-100",
         )),
    rule("marker-variant-namespaces", "markers", "pep825:markers-derived",
         "variant_namespaces holds the namespace of every property", MARKER_OPS,
         ("variant_namespaces is always empty",
          _p(f"{MARKERS}:derive_namespaces", EMPTY_SET)),
         decisive=(
             "markers/pep825-example/dep4-yes",
             "markers/set-semantics/several-namespaces",
             "markers/sm-arch-narrowing/namespace-kept",
             "examples/sm-arch-narrowing/both",
             "examples/sm-arch-narrowing/only-100",
         )),
    *(
        rule(f"marker-label-{name}", "markers", "pep825:markers-operators",
             f"'{op}' on the string variant_label", MARKER_OPS,
             (f"'{op}' on variant_label is never true",
              _p(f"{MARKERS}:label_comparison", label_operator(op, reverse=False))),
             (f"'{op}' on variant_label answers the opposite",
              _p(f"{MARKERS}:label_comparison", label_operator(op, reverse=True))),
             decisive=OPERATOR_CASES[f"marker-label-{name}"][0],
             reversal=OPERATOR_CASES[f"marker-label-{name}"][1])
        for op, name in (("==", "equal"), ("!=", "not-equal"), ("in", "in"), ("not in", "not-in"))
    ),
    *(
        rule(f"marker-set-{name}", "markers", "pep825:markers-operators",
             f"'\"x\" {op}' a set-valued variant marker", MARKER_OPS,
             (f"'{op}' on a set marker is never true",
              _p(f"{MARKERS}:set_membership", set_operator(op, reverse=False))),
             (f"'{op}' on a set marker answers the opposite",
              _p(f"{MARKERS}:set_membership", set_operator(op, reverse=True))),
             decisive=OPERATOR_CASES[f"marker-set-{name}"][0],
             reversal=OPERATOR_CASES[f"marker-set-{name}"][1])
        for op, name in (("in", "in"), ("not in", "not-in"))
    ),
    *(
        rule(f"marker-{op}", "markers", "pep825:markers-operators",
             f"'{op}' joining markers", MARKER_OPS,
             (f"'{op}' is never true", _p(f"{MARKERS}:boolean_operator", boolean(op, reverse=False))),
             (f"'{op}' read as '{'or' if op == 'and' else 'and'}'",
              _p(f"{MARKERS}:boolean_operator", boolean(op, reverse=True))),
             decisive=OPERATOR_CASES[f"marker-{op}"][0],
             reversal=OPERATOR_CASES[f"marker-{op}"][1])
        for op in ("and", "or")
    ),
    rule("marker-whitespace", "markers", "pep825:markers-whitespace",
         "whitespace around '::' is ignored when matching features and properties", MARKER_OPS,
         ("whitespace around '::' is significant",
          _p(f"{MARKERS}:normalize_property_text", instead(lambda a: a["text"]))),
         decisive=(
             "markers/pep825-example/dep7-no-spaces",
             "properties/marker-whitespace/feature-many-spaces",
             "properties/marker-whitespace/feature-no-spaces",
             "properties/marker-whitespace/not-in-no-spaces",
             "properties/marker-whitespace/property-many-spaces",
         )),
    # -- combination -----------------------------------------------------------------
    rule("combine-priorities-prefix", "combination", "pep825:consistency-default-priorities",
         "default-priorities lists are identical or one starts with the other", COMBINING,
         ("default-priorities lists are not checked",
          _p(f"{COMBINE}:check_priorities_prefix", constant(None))),
         decisive=(
             "combine/default-priorities-prefix/diverging",
             "combine/default-priorities-prefix/inserted",
             "combine/default-priorities-prefix/prefix-conflict-third",
             "combine/default-priorities-prefix/reordered",
             "combine/order-independent/priorities-conflict-either-order",
         )),
    rule("combine-longer-priorities", "combination", "pep825:default-priorities-extension",
         "combining default-priorities yields the longer list", COMBINING,
         ("the first document's default-priorities list is kept",
          _p(f"{COMBINE}:longest_priorities", constant(0))),
         ("the shorter list is kept",
          _p(f"{COMBINE}:longest_priorities", instead(
              lambda a: min(range(len(a["docs"])), key=lambda i: len(a["docs"][i].namespace_priorities))))),
         decisive=(
             "combine/default-priorities-prefix/appended",
             "combine/default-priorities-prefix/three-lengths",
             "combine/order-independent/longer-last",
             "combine/v0-2-0-providers/extended-providers",
         )),
    rule("combine-same-properties", "combination", "pep825:consistency-variants",
         "a label maps to the same properties in every document", COMBINING,
         ("a label's properties are not compared across documents",
          _p(f"{COMBINE}:check_same_properties", constant(None))),
         decisive=(
             "combine/variants-union/index-disagrees",
             "combine/variants-union/label-empty-vs-properties",
             "combine/variants-union/label-extra-feature",
             "combine/variants-union/label-extra-value",
             "combine/variants-union/label-other-properties",
         )),
    rule("combine-union", "combination", "pep825:consistency-variants",
         "combining variants yields the union of the dictionaries", COMBINING,
         ("only the first document's labels are kept",
          _p(f"{COMBINE}:_combine_variants", result(first_document_labels))),
         decisive=(
             "combine/pep825-example/same-label-twice",
             "combine/pep825-example/three-wheels",
             "combine/variants-union/disjoint",
             "combine/variants-union/index-lacks-label",
             "selection/index-file-missing/foo-v3-openblas",
         )),
    rule("combine-same-provider", "combination", "reference:consistency-providers",
         "a namespace has the same provider information in every document", COMBINING,
         ("provider information is not compared across documents",
          _p(f"{COMBINE}:_combine_providers", instead(providers_unchecked))),
         decisive=(
             "combine/provider-info-mismatch/optional-differs",
             "combine/v0-2-0-providers/different-provider",
             "combine/v0-2-0-providers/static-values-differ",
         )),
    rule("combine-format-version", "combination", "reference:consistency-format-version",
         "documents combined use the same format version", COMBINING,
         ("format versions are not compared",
          _p(f"{COMBINE}:_combine_schema", instead(lambda a: a["docs"][0].schema))),
         decisive=(
             "combine/format-version-mismatch/0-1-1-with-0-2-0",
         )),
    # -- locks -------------------------------------------------------------------------
    rule("lock-resolve", "lock", "pep825:pylock-resolve",
         "variants are resolved among the wheels a lock lists", LOCKING,
         ("listed variant wheels are not resolved: the non-variant wheel is taken",
          _p(f"{PYLOCK}:resolve_locked", around(unresolved))),
         decisive=(
             "pylock/per-package-selection/aarch64",
             "pylock/per-package-selection/v3-mkl-only",
             "pylock/per-package-selection/v4-mkl",
             "pylock/resolve-from-lock/v3-mkl-only",
             "pylock/resolve-from-lock/v3-openblas",
         )),
    rule("lock-markers", "lock", "pep825:pylock-markers",
         "variant markers are evaluated for the wheel selected for the package", LOCKING,
         ("markers evaluated as for a non-variant wheel",
          _p(f"{PYLOCK}:locked_requires", around(requires_without_variant_context))),
         decisive=(
             "pylock/per-package-selection/v3-mkl-only",
             "pylock/per-package-selection/v4-mkl",
             "pylock/resolve-from-lock/v3-openblas",
             "pylock/resolve-from-lock/v4-mkl",
             "pylock/environments/win32-or-linux-lock-on-linux",
         )),
    rule("lock-validate", "lock", "pep825:pylock-validate",
         "a variants-json table is validated against its schema", LOCKING,
         ("an invalid variants-json table is ignored",
          _p(f"{PYLOCK}:read_variants_json", around(invalid_table_ignored))),
         decisive=(
             "pylock/invalid-variants-json/reject",
         )),
    rule("lock-environments", "lock", "pylock:environments",
         "a lock applies only where one of its environments markers holds", LOCKING,
         ("environments is not evaluated",
          _p(f"{PYLOCK}:check_environments", constant(None))),
         ("the lock applies only where none of its environments markers holds",
          _p(f"{PYLOCK}:check_environments", instead(environments_inverted))),
         decisive=(
             "pylock/environments/win32-lock-on-linux",
         )),
    rule("lock-markers-scope", "lock", "pep825:pylock-markers-scope",
         "variant markers cannot occur in packages.marker or environments", LOCKING,
         ("variant markers in packages.marker or environments are not diagnosed: such a "
          "packages.marker is taken as false, the package skipped",
          _p(f"{PYLOCK}:check_marker_scope", instead(lambda a: a["text"])),
          _p(f"{PYLOCK}:package_applies", around(unevaluable_marker_skipped))),
         decisive=(
             "pylock/markers-scope/reject",
         )),
    rule("lock-package-marker", "lock", "pylock:package-marker",
         "a package whose packages.marker does not hold is skipped", LOCKING,
         ("packages.marker is not evaluated",
          _p(f"{PYLOCK}:package_applies", constant(True))),
         ("a package is installed only where its packages.marker does not hold",
          _p(f"{PYLOCK}:package_applies", result(lambda applies, a: not applies))),
         decisive=(
             "pylock/package-marker/win32-package-skipped-on-linux",
         )),
    rule("lock-version-major", "lock", "pylock:lock-version-major",
         "a lock of a major version the tool does not support is an error", LOCKING,
         ("lock-version is not checked (read as 1.0)",
          _p(f"{PYLOCK}:parse_lock", arguments(lambda a: {"data": {**a["data"], "lock-version": "1.0"}}))),
         decisive=(
             "pylock/lock-version/major-2-refused",
         )),
    rule("lock-path-relative", "lock", "pylock:path-relative",
         "a wheel's relative path is relative to the lock file's directory", LOCKING,
         ("a relative path is resolved against the current directory",
          _p(f"{PYLOCK}:_wheel_entry", arguments(lambda a: {"base": None}))),
         decisive=(
             "pylock/wheel-path/relative-to-lock",
             "pylock/wheel-path/plain-relative-to-lock",
             "pylock/wheel-path/path-before-url",
         )),
    rule("lock-wheel-name", "lock", "pylock:wheel-name",
         "a wheel entry's name is its file name; the last component of its url or path only without one",
         LOCKING,
         ("name is ignored: the file name is always the last component of the url or path",
          _p(f"{PYLOCK}:_wheel_entry", arguments(lambda a: {"entry": _without_name(a["entry"])}))),
         decisive=(
             "pylock/wheel-name/name-not-path",
             "pylock/wheel-name/plain-name-not-path",
         )),
    rule("lock-lack-of-source", "lock", "pylock:wheel-name",
         "a locked package with no compatible wheel (and no sdist) is an error about a lack of source",
         LOCKING,
         ("a package without a wheel is passed over",
          _p(f"{PYLOCK}:check_sources", instead(lambda a: None))),
         decisive=(
             "examples/numpy-pylock/linux-v3-openblas",
             "examples/numpy-pylock/macos",
         )),
    rule("lock-wheel-hash", "lock", "pylock:wheel-hash",
         "a locked wheel whose bytes do not match its hash is an error", LOCKING,
         ("the lock's hashes are not validated",
          _p(f"{PYLOCK}:_wheel_entry", result(lambda wheel, a: dataclasses.replace(wheel, hashes={})))),
         decisive=(
             "pylock/wheel-hash/selected-wheel-mismatch",
             "pylock/wheel-hash/plain-mismatch",
         )),
    rule("lock-wheel-size", "lock", "pylock:wheel-hash",
         "a locked wheel whose size is not the lock's size for it is an error", LOCKING,
         ("the lock's sizes are not validated",
          _p(f"{PYLOCK}:_wheel_entry", result(lambda wheel, a: dataclasses.replace(wheel, size=None)))),
         ("a size the lock gives is taken as one byte more than it says",
          _p(f"{PYLOCK}:_wheel_entry", result(_one_byte_more))),
         decisive=(
             "pylock/wheel-size/selected-wheel-wrong-size",
             "pylock/wheel-size/plain-wrong-size",
             "pylock/wheel-size/plain-path-wrong-size",
             "pylock/wheel-size/plain-zero-size",
         ),
         reversal=(
             "pylock/wheel-size/true-sizes",
             "pylock/wheel-size/plain-true-size",
         )),
)


def _without_name(entry: Any) -> Any:
    """A lock's wheel entry without its ``name`` key (other values as they are)."""
    return {k: v for k, v in entry.items() if k != "name"} if isinstance(entry, dict) else entry


# ---------------------------------------------------------------------------
# lazy implementations: what a tool that does nothing, or little, answers
# ---------------------------------------------------------------------------
def _lazy(id: str, description: str, ops: Iterable[str], *patches: Patch) -> Mutant:
    return Mutant(f"lazy:{id}", description, "pep825:property-compatibility", frozenset(ops), patches, True)


#: A lazy tool checks nothing in a lock either.
_NO_LOCK_CHECKS = (
    _p(f"{PYLOCK}:check_marker_scope", instead(lambda a: a["text"])),
    _p(f"{PYLOCK}:package_applies", around(unevaluable_marker_skipped)),
    _p(f"{PYLOCK}:read_variants_json", around(invalid_table_ignored)),
    _p(f"{PYLOCK}:check_environments", constant(None)),
)

#: Tools that do nothing (or little). A behaviour (case file) every one of whose
#: tests such a tool passes checks nothing that tool gets wrong: its negative
#: cases need a decisive twin. ``tests/test_ablation.py`` runs these rows through
#: the mutation machinery (:func:`conformance.ablation.lazy_passes`) and requires
#: every behaviour they can run to catch each of them.
LAZY: tuple[Mutant, ...] = (
    _lazy("selects-nothing", "selects no wheel, installs nothing, answers every variant marker false",
          SELECTING | {"markers"},
          _p(f"{SELECT}:select_wheel", reranked(lambda selection, ranked: [])),
          _p(f"{MARKERS}:_evaluate_variant", constant(False)), *_NO_LOCK_CHECKS),
    _lazy("always-null", "selects the null variant when there is one, else nothing",
          SELECTING, _p(f"{SELECT}:select_wheel", reranked(
              lambda selection, ranked: [c for c in ranked if c.label == "null"])), *_NO_LOCK_CHECKS),
    _lazy("variant-unaware", "ignores variant wheels: selects among the non-variant wheels only",
          SELECTING, _p(f"{SELECT}:select_wheel", field_set("options", no_variants=True, variant=None)),
          *_NO_LOCK_CHECKS),
    _lazy("accepts-every-document", "every metadata document is valid (any file json.loads reads)",
          {"validate"}, _p("reference.format.metadata:load_metadata", constant(None)),
          _p("reference.format.metadata:parse_json_bytes", instead(lambda a: json.loads(a["raw"])))),
    _lazy("combines-without-checks", "every set of documents is consistent: their union, unchecked",
          {"combine"},
          _p(f"{COMBINE}:check_priorities_prefix", constant(None)),
          _p(f"{COMBINE}:check_same_properties", constant(None)),
          _p(f"{COMBINE}:check_same_provider", constant(None)),
          _p(f"{COMBINE}:_combine_schema", instead(lambda a: a["docs"][0].schema))),
)
