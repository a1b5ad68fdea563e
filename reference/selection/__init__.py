"""Choosing a wheel: PEP 825 "Variant ordering", the installer steps and variant markers.

The seven ordering steps (:mod:`.ordering`), the installer's steps that pick
one wheel among those of a package version (:mod:`.select`, with its inputs
in :mod:`.system` and its outcome in :mod:`.result`), the values of the
variant environment markers for the chosen wheel and marker evaluation
(:mod:`.markers`), and the account of a decision for people
(:mod:`.explain`). Everything here is pure: I/O arrives through arguments.

This layer imports only :mod:`reference.providers`, :mod:`reference.format`
and the shared leaf modules; see ``docs/architecture.md``.
"""

__all__: list[str] = []
