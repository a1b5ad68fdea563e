"""Installing: where release files come from, resolving, installing and locking.

Sources list the files of a project (:mod:`.sources`: find-links
directories, PEP 503 / PEP 691 simple indexes over ``http(s)://`` or
``file://``; the project pages they read are in :mod:`.pages`); resolution
across them with ``resolvelib`` selects one wheel per project
(:mod:`.resolve`); wheels are installed with the PyPA ``installer`` library
(:mod:`.installing`); ``pylock.toml`` with ``[packages.variants-json]`` is
read and written by :mod:`.pylock`; and :mod:`.operations` carries out the
three requests the command line offers (select, install, lock).

This layer imports :mod:`reference.selection` and the layers below it; see
``docs/architecture.md``.
"""

__all__: list[str] = []
