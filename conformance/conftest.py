"""``pytest conformance`` runs the conformance suite (see :mod:`conformance.plugin`).

Options: ``--adapter NAME``, ``--adapter-option KEY=VALUE``,
``--conformance-report PATH``, ``--expectations PATH``, ``--fixtures-dir DIR``,
``--conformance-cases DIR``.
"""

from __future__ import annotations

pytest_plugins = ["conformance.plugin"]
