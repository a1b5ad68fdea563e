"""The providers text: which variant properties the target system supports.

For every namespace the providers text gives the steps that decide its
ordered lists of supported features and values (:mod:`.support`): a disabled
provider, ``static-properties`` in the metadata, the user's static list (a
profile, :mod:`.profiles`), a built-in provider, or a trusted plugin queried
through the plugin interface (:mod:`.interface`) by the plugin runner
(:mod:`.plugins`, with its cache :mod:`._plugin_cache`). The reserved
``abi_dependency`` namespace is matched against installed versions
(:mod:`.abi`).

This layer imports only :mod:`reference.format` and the shared leaf modules;
see ``docs/architecture.md``.
"""

__all__: list[str] = []
