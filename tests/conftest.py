"""Shared test settings."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# CI: derandomized so a run is reproducible; no deadline on a 2-core machine.
settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None)
