"""Input shapes: the list, the catalogue against it, and the strategies against it.

Issue 11, "Input-shape coverage": docs/strength.md lists every input dimension
and its boundary shapes; the case catalogue has every shape in every topic
where it applies; the hypothesis strategies generate every shape (the
differential and metamorphic properties of tests/test_differential.py run
over them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import strategies as gen
from conformance.cases import load_cases
from conformance.shapes import SHAPES, CaseView, shapes_of_case, shapes_of_world

ROOT = Path(__file__).resolve().parent.parent
_SETTINGS: dict[str, Any] = dict(
    deadline=None, database=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def test_docs_list_every_shape() -> None:
    # docs/strength.md, "Input shapes": one table row per shape, by id, no other.
    text = (ROOT / "docs" / "strength.md").read_text(encoding="utf-8")
    section = text[text.index("### Input shapes") :]
    listed = re.findall(r"^\| `([a-z0-9.-]+)` \|", section, re.M)
    assert sorted(listed) == sorted(s.id for s in SHAPES)
    assert len({s.id for s in SHAPES}) == len(SHAPES)


def test_the_catalogue_has_every_shape_in_every_topic_where_it_applies() -> None:
    found: set[tuple[str, str]] = set()
    for case in load_cases():
        found |= {(shape, case.topic) for shape in shapes_of_case(case)}
    missing = [f"{s.id} in {t}" for s in SHAPES for t in s.topics if (s.id, t) not in found]
    assert missing == []


def test_a_detector_sees_its_shape_and_not_its_absence() -> None:
    # The check cannot pass vacuously: a plain world lacks the shapes it lacks.
    world = {
        "index": {"package": [{"name": "demo", "version": "1.0", "wheel": [{"tags": "py3-none-any"}]}]},
        "profile": {"name": "p", "tags": {"supported": ["py3-none-any"]}},
    }
    shapes = shapes_of_world(world)
    assert "only-non-variant-wheels" in shapes and "filename-no-label" in shapes
    assert not shapes & {"several-versions", "name-spelling", "filename-build-tag", "props-empty"}


# -- the strategies ---------------------------------------------------------------------------------


def _drawn(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    out: list[Any] = []

    @settings(max_examples=count, **_SETTINGS)
    @given(strategy)
    def collect(value: Any) -> None:
        out.append(value)

    collect()
    return out


class _Case:
    def __init__(self, op: str, data: dict[str, Any]) -> None:
        self.op, self.input = op, data


def _views() -> list[CaseView]:
    """What every strategy generates, seen as case inputs."""
    views: list[CaseView] = []
    for label, properties in _drawn(gen.marker_environments(), 30):
        for entry, _ in _drawn(gen.requirement_lines(label, properties), 10):
            views.append(CaseView(_Case("markers", {}), markers=[entry.split(";", 1)[1]]))
    for name, _ in _drawn(gen.wheel_names(), 120):
        views.append(CaseView(_Case("filename", {}), filenames=[name]))
    for value, installed, _ in _drawn(gen.installed_versions(), 120):
        release = {"variants": {"v": {"abi_dependency": {"dep": [value]}}}}
        view = CaseView(_Case("select", {}), releases=[release])
        view.profile = {"installed": {"dep": installed}} if installed else {}
        views.append(view)
    for spelled in _drawn(gen.name_spellings("variant-marker-provider"), 30):
        views.append(CaseView(_Case("select", {"options": {"trust": [spelled]}})))
    for documents in _drawn(gen.releases(), 40):
        views.append(CaseView(_Case("combine", {}), documents=list(documents)))
    for world, lock in _drawn(gen.worlds().flatmap(lambda w: st.tuples(st.just(w), gen.lock_for(w))), 60):
        views.append(CaseView(_Case("pylock", {}), releases=list(world["index"]["package"]), lock=lock))
    return views


def test_the_strategies_generate_every_shape() -> None:
    generated: set[str] = set()
    world_strategy = gen.worlds(zero_labels=True, mixed_builds=True, optional=True, schemas=("0.2.0",))
    for world in [*_drawn(gen.worlds(), 200), *_drawn(world_strategy, 200)]:
        generated |= shapes_of_world(world)
    for view in _views():
        generated |= {shape.id for shape in SHAPES if shape.in_case(view)}
    missing = sorted(s.id for s in SHAPES if s.id not in generated and s.generated_by != "(fixtures only)")
    assert missing == []
    # What no strategy generates is said so, with the reason, in the list itself.
    assert {s.id for s in SHAPES if s.generated_by == "(fixtures only)"} == {"lock-several-packages"}
