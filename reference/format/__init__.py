"""The package format of PEP 825: what a variant wheel and its metadata are.

Wheel filenames with a variant label (:mod:`.filename`), variant properties
(:mod:`.properties`), the metadata model (:mod:`.model`) and its format
versions (:mod:`.versions`), loading and validating metadata documents
(:mod:`.metadata`, with :mod:`._schema` and :mod:`._rules`), combining the
documents of one release (:mod:`.combine`), reading ``variant.json`` out of a
wheel (:mod:`.wheel`), the index-level ``{name}-{version}-variants.json``
file (:mod:`.indexfile`) and recognising a document on disk by its name
(:mod:`.documents`).

This layer imports nothing of the reference but the shared leaf modules
(:mod:`reference.errors`, :mod:`reference.clauses`, :mod:`reference._toml`);
see ``docs/architecture.md``.
"""

__all__: list[str] = []
