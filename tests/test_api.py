"""The public API: ``reference.__all__``, documented in ``docs/api.md`` and cheap to import (issue 9)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import reference

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_every_public_name_resolves_from_its_module() -> None:
    assert sorted(reference.__all__) == sorted(reference._EXPORTS)
    for name, module in reference._EXPORTS.items():
        value = getattr(reference, name)
        assert value is getattr(sys.modules[module], name), name
    assert dir(reference) == sorted(reference.__all__)


def test_names_are_looked_up_not_cached() -> None:
    # A cached copy would outlive a patch of its module (the mutant catalogue patches modules).
    reference.select_wheel  # noqa: B018
    assert "select_wheel" not in vars(reference)


def test_unknown_names_raise_attribute_error_and_submodules_still_import() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        reference.nope  # noqa: B018
    from reference import clauses

    assert clauses.quote("pep825:null-label")


def test_import_reference_loads_nothing_else() -> None:
    heavy = ("reference.", "packaging", "jsonschema")
    code = f"import sys, reference; print(sorted(m for m in sys.modules if m.startswith({heavy!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_public_name_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Za-z_]+)[(`.]", text))
    assert sorted(set(reference.__all__) - documented) == []


@pytest.mark.parametrize("index", range(len(re.findall(r"```python\n", DOC.read_text(encoding="utf-8")))))
def test_documented_examples_run(index: int) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    exec(compile(blocks[index], f"docs/api.md example {index + 1}", "exec"), {})
