"""Rendering a :class:`~reference.selection.result.Selection` as text for people.

``variant-ref select --explain`` and the conformance suite's failure reports
show why the reference chose what it chose: the supported properties per
namespace and which provider step decided them (providers text, steps 1-6),
every candidate with its sort key or the reasons it is incompatible (PEP 825
"Variant ordering"), the decision with its variant marker values, and the
text of every clause applied (from :mod:`reference.clauses`).
"""

from __future__ import annotations

from reference import clauses
from reference.limits import quoted
from reference.selection.ordering import PropertyKey
from reference.selection.result import Selection

__all__ = ["explain_selection"]


def explain_selection(selection: Selection) -> str:
    """A readable account: supported properties, candidates, sort keys, the decision, the rules."""
    lines = [f"Variant selection{f' on {quoted(selection.profile_name)}' if selection.profile_name else ''}"]
    cited: list[str] = []
    if selection.support:
        lines.append("")
        lines.append("Supported properties, per namespace (providers text, steps 1-6):")
        for namespace, support in selection.support.items():
            features = "; ".join(f"{f} = {', '.join(v)}" for f, v in support.features.items())
            lines.append(f"  {namespace}: {features or '(nothing supported)'}")
            lines.append(f"      decided by {support.step}: {support.detail} [{support.clause}]")
            cited.append(support.clause)
    if selection.order is not None:
        lines.append(f"  namespace order (step 1): {', '.join(selection.order.namespace_order)}")
        cited += ["pep825:ordering-step-1", "pep825:ordering-step-7"]
    lines.append("")
    lines.append("Candidates:")
    rows = [("rank", "wheel", "compatible", "sort key / reasons")]
    for c in sorted(selection.candidates, key=lambda c: (c.rank is None, c.rank or 0, c.filename)):
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
        lines.append("  " + "  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3])
    lines.append("")
    if selection.selected:
        lines.append(f"Decision: {selection.selected}")
        if selection.markers is not None:
            m = selection.markers.to_json()
            lines.append(f"  variant_label = {quoted(m['variant_label'])}")
            lines.append(f"  variant_properties = {m['variant_properties']}")
    else:
        lines.append("Decision: no compatible wheel")
    for warning in selection.warnings:
        lines.append(f"Warning: {warning}")
    quotes = [(c, clauses.quote(c)) for c in dict.fromkeys(cited)]
    quotes = [(c, q) for c, q in quotes if q]
    if quotes:
        lines.append("")
        lines.append("Rules applied:")
        for clause_id, text in quotes:
            lines.append(f"  [{clause_id}] {text}")
    return "\n".join(lines) + "\n"


def _format_key(key: tuple[PropertyKey, ...] | None) -> str:
    if not key:
        return ""
    real = key[:-1]
    return "(null variant: no properties)" if not real else " ".join(str(k) for k in real)
