"""``# pragma: no mutate`` sits only on lines that build text (conformance/mutation_scope.py)."""

from __future__ import annotations

from pathlib import Path

from conformance.mutation import ROOT, tool_config
from conformance.mutation_scope import misplaced_pragmas, pragma_lines


def _mutated() -> list[Path]:
    return [ROOT / pattern for pattern in tool_config()["only_mutate"]]


def test_pragmas_of_the_mutated_files_sit_on_text_only() -> None:
    files = _mutated()
    assert files and all(path.is_file() for path in files)
    assert misplaced_pragmas(files) == []
    # the scope is in use: message lines of the format rules carry the pragma
    assert pragma_lines((ROOT / "reference/format/_rules.py").read_text(encoding="utf-8"))


def test_a_pragma_on_a_decision_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "sample.py"
    source.write_text(
        "def f(x, where, source):\n"
        "    if x == 1:  # pragma: no mutate\n"                                   # 2: a comparison
        "        return 'a'  # pragma: no mutate\n"                                # 3: return
        "    raise Violation(\n"
        "        'pep825:label-charset',  # pragma: no mutate\n"                  # 5: a clause id
        "        f'label {quoted(x)} must use only a-z'  # pragma: no mutate\n"   # 6: text
        "        'and more',  # pragma: no mutate\n"                              # 7: text
        "        json_pointer('variants', x),  # pragma: no mutate\n"             # 8: a place
        "        source,  # pragma: no mutate\n"                                  # 9: a bare name
        "        json_pointer(len(x)),  # pragma: no mutate\n"                    # 10: a call inside
        "    )\n"
        "    message = f'{x} is wrong'  # pragma: no mutate\n"                    # 12: text
        "    clause = 'x'  # pragma: no mutate\n"                                 # 13: another target
        "    # pragma: no mutate block\n"                                         # 14: a block
        "    return check(x)\n",
        encoding="utf-8",
    )
    problems = misplaced_pragmas([source])
    reported = sorted(int(p.split(":")[1]) for p in problems)
    assert reported == [2, 3, 5, 9, 10, 13, 14], problems
