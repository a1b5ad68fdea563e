"""Fuzzing the reference's entry points with hostile input (issue 10, class 9).

One target per entry point (:data:`fuzz.targets.TARGETS`): wheel filenames,
variant properties, metadata JSON, markers, profile TOML, lock TOML, PEP 503
HTML, PEP 691 JSON, wheel archives, and ``select`` over a hostile find-links
directory. Each target takes bytes, so that hypothesis (always) and atheris
(where it is installed) drive the same code, and each checks only:

- that what it raises is one of the documented error types of that entry
  point (its ``allowed``), never anything else;
- bounded time: an input taking more than ``--seconds-per-input`` is a finding;
- bounded memory: the runner lowers its own address space (``RLIMIT_AS``,
  ``--memory``), so an input that tries to allocate past it raises
  ``MemoryError``, which no target allows;
- no writes outside its directory: each input runs in a fresh directory two
  levels below a root that must hold nothing else afterwards.

``python -m fuzz --help`` runs them; ``tests/test_fuzz.py`` is the short run
of CI; README "Fuzzing" has the figures of a long run, written by
``python -m fuzz --examples N --readme``.
"""

__all__: list[str] = []
