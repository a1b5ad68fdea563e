"""Adapters: what connects an implementation to the suite.

- :mod:`conformance.adapters.base` — the interface an adapter implements
  (``info()`` and ``run()``) and the outcomes it answers;
- :mod:`conformance.adapters.registry` — finding an adapter by the name given
  to ``--adapter`` (built-in names, entry points, ``module:attr``, files,
  ``command:``, ``mutant:``);
- the built-in adapters: :mod:`~conformance.adapters.reference`,
  :mod:`~conformance.adapters.uv`, :mod:`~conformance.adapters.pip`,
  :mod:`~conformance.adapters.variantlib`, with the helpers they share
  (:mod:`~conformance.adapters._tools`); :mod:`~conformance.adapters.command`
  (a harness speaking :mod:`conformance.protocol`) and
  :mod:`~conformance.adapters.mutant` (the reference under one mutant).

This file imports nothing: importing ``conformance.adapters.base`` (as
:mod:`conformance.protocol` does) must not pull in the registry, which imports
every adapter.
"""
