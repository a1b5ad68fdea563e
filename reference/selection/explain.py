"""Rendering a :class:`~reference.selection.result.Selection` as text for people.

``variant-ref select --explain`` and the conformance suite's failure reports
show why the reference chose what it chose: the supported properties per
namespace and which provider step decided them (providers text, steps 1-6),
every candidate with its sort key or the reasons it is incompatible (PEP 825
"Variant ordering"), the decision with its variant marker values, and the
text of every clause applied (from :mod:`reference.clauses`).
"""

from __future__ import annotations

import textwrap

from reference import clauses
from reference.limits import quoted
from reference.selection.ordering import PropertyKey
from reference.selection.result import Selection

__all__ = ["WIDTH", "explain_selection"]

#: Lines are wrapped to this width (a supported list of a thousand characters reads as a paragraph).
WIDTH = 100

SORT_KEY_LEGEND = (
    "sort key: one (namespace, feature, value) triple per property of the wheel, each number a position "
    "(0 = most preferred) in the namespace order, in that namespace's feature order and in the feature's "
    "supported values (step 5); the triples sorted (step 6); wheels compared triple by triple, the lower "
    "first, and on a common prefix the one with more properties first (step 7). Rank 1 is selected."
)


def _wrap(text: str, indent: str, hanging: str = "    ") -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=indent, subsequent_indent=indent + hanging,
        break_long_words=False, break_on_hyphens=False,
    ) or [indent]


def explain_selection(selection: Selection) -> str:
    """A readable account: supported properties, candidates, sort keys, the decision, the rules."""
    lines = [f"Variant selection{f' on {quoted(selection.profile_name)}' if selection.profile_name else ''}"]
    cited: list[str] = []
    if selection.support:
        lines.append("")
        lines.append("Supported properties, per namespace (providers text, steps 1-6):")
        for namespace, support in selection.support.items():
            lines.append(f"  {namespace}:" + ("" if support.features else " (nothing supported)"))
            for feature, values in support.features.items():
                lines += _wrap(f"{feature} = {', '.join(values)}", "    ", "      ")
            lines += _wrap(f"decided by {support.step}: {support.detail} [{support.clause}]", "    ")
            cited.append(support.clause)
    if selection.order is not None:
        lines.append(f"  namespace order (step 1): {', '.join(selection.order.namespace_order)}")
        cited += ["pep825:ordering-step-1", "pep825:ordering-step-7"]
    lines.append("")
    lines.append("Candidates:")
    rows = [("rank", "wheel", "compatible", "sort key / reasons")]
    for c in selection.in_rank_order():
        if c.compatible:
            key = "non-variant group" if c.label is None else _format_key(c.sort_key)
            rows.append((str(c.rank + 1) if c.rank is not None else "-", c.filename, "yes", key))
        else:
            for i, reason in enumerate(c.reasons):
                rows.append(("-" if i == 0 else "", c.filename if i == 0 else "", "no" if i == 0 else "",
                             str(reason)))
                cited.append(reason.clause)
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        lead = "  " + "  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  "
        wrapped = textwrap.wrap(row[3], max(WIDTH - len(lead), 30), break_long_words=False) or [""]
        lines.append(lead + wrapped[0])
        lines += [" " * len(lead) + rest for rest in wrapped[1:]]
    if any(c.compatible and c.sort_key for c in selection.candidates):
        lines += _wrap(SORT_KEY_LEGEND, "  ", "  ")
    lines.append("")
    if selection.selected:
        lines.append(f"Decision: {selection.selected}")
        if selection.markers is not None:
            m = selection.markers.to_json()
            lines.append(f"  variant_label = {quoted(m['variant_label'])}")
            lines += _wrap(f"variant_properties = {m['variant_properties']}", "  ")
    else:
        lines.append("Decision: no compatible wheel")
    for warning in selection.warnings:
        lines += _wrap(f"Warning: {warning}", "")
    quotes = [(c, clauses.quote(c)) for c in dict.fromkeys(cited)]
    quotes = [(c, q) for c, q in quotes if q]
    if quotes:
        lines.append("")
        lines.append("Rules applied:")
        for clause_id, text in quotes:
            lines += _wrap(f"[{clause_id}] {text}", "  ")
    return "\n".join(lines) + "\n"


def _format_key(key: tuple[PropertyKey, ...] | None) -> str:
    if not key:
        return ""
    real = key[:-1]
    return "(null variant: no properties)" if not real else " ".join(str(k) for k in real)
