"""The ``variant-ref`` command line: argument parsing and output only.

:mod:`.main` builds the parser from the command modules (:mod:`.format`:
``filename``, ``validate``, ``merge``, ``index-json``; :mod:`.install`:
``select``, ``install``, ``lock``) and maps errors to exit statuses. Handlers
turn arguments into one call of a lower layer and print its result; the work
itself lives in :mod:`reference.format` and :mod:`reference.install`.

The top layer: it may import every other; nothing imports it but
``reference/__main__.py``. See ``docs/architecture.md``.
"""

__all__: list[str] = []
