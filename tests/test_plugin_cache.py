"""Tests for reference.providers._plugin_cache: installed provider environments kept between runs.

Providers text, "Providers", step 6 ("The tools MUST install the specified
provider packages and query them via the provider plugin API"): installing
may be cached, querying may not: every query still runs the plugin in a new
process, and a cached environment is used only for the same requirements,
the same wheels and the same interpreter.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from reference.errors import ProviderError
from reference.format.model import ProviderInfo
from reference.providers._plugin_cache import CACHE_ENV, EnvironmentCache, default_cache_dir
from reference.providers.plugins import PluginRunner
from tests.test_index import build_wheel

ENV = {"python_version": "3.12", "sys_platform": "linux", "platform_machine": "x86_64"}

SOURCE = """
import os
from dataclasses import dataclass

@dataclass
class Config:
    name: str
    values: list
    multi_value: bool

def get_supported_configs():
    # a fresh process per query: the process id differs every time
    return [Config("level", [os.environ.get("LEVEL", "v1")], False)]
"""


def _links(directory: Path, source: str = SOURCE) -> Path:
    build_wheel(directory, "cache_plugin-1.0-py3-none-any.whl", files={"cache_plugin/__init__.py": source})
    return directory


INFO = ProviderInfo(namespace="cached", requires=("cache-plugin",))


def test_key_depends_on_wheel_content_not_directory(tmp_path: Path) -> None:
    cache = EnvironmentCache(tmp_path / "cache")
    a = _links(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    python = sys.executable
    assert cache.key(["cache-plugin"], [str(a)], None, python) == cache.key(
        ["cache-plugin"], [str(b)], None, python
    )
    other = _links(tmp_path / "c", SOURCE + "\n# changed\n")
    assert cache.key(["cache-plugin"], [str(a)], None, python) != cache.key(
        ["cache-plugin"], [str(other)], None, python
    )
    assert cache.key(["cache-plugin"], [str(a)], None, python) != cache.key(
        ["cache-plugin>=1"], [str(a)], None, python
    )
    assert cache.key(["cache-plugin"], [str(a)], None, python) != cache.key(
        ["cache-plugin"], [str(a)], "http://127.0.0.1:1/simple/", python
    )


def test_publish_race_keeps_one_complete_environment(tmp_path: Path) -> None:
    cache = EnvironmentCache(tmp_path / "cache")
    first, second = cache.new_build(), cache.new_build()
    (first / "winner").write_text("1")
    (second / "loser").write_text("2")
    assert cache.get("k") is None
    assert cache.publish("k", first) == tmp_path / "cache" / "k"
    assert cache.publish("k", second) == tmp_path / "cache" / "k"
    assert (tmp_path / "cache" / "k" / "winner").is_file()
    assert not second.exists()
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["k"]


def test_second_runner_reuses_install_but_runs_plugin_again(tmp_path: Path) -> None:
    links = _links(tmp_path / "links")
    cache = tmp_path / "cache"
    with PluginRunner(find_links=[str(links)], trust={"cache-plugin"}, cache_dir=cache) as r:
        assert r(INFO, ENV)[0].values == ("v1",)
        assert any(line.startswith("install: ") and "pip" in line for line in r.log)
    # the cache entry survives close(); a new runner (and its new query process) uses it
    with PluginRunner(
        find_links=[str(links)], trust={"cache-plugin"}, cache_dir=cache, environ={"LEVEL": "v2"}
    ) as r:
        assert r(INFO, ENV)[0].values == ("v2",)
        assert [line for line in r.log if line.startswith("install: ")] == [
            f"install: cached {next(p for p in cache.iterdir())}"
        ]
        assert any(line.startswith("query: ") for line in r.log)


def test_failed_install_is_not_cached(tmp_path: Path) -> None:
    links = _links(tmp_path / "links")
    cache = tmp_path / "cache"
    missing = ProviderInfo(namespace="cached", requires=("not-there",))
    with (
        PluginRunner(find_links=[str(links)], trust={"not-there"}, cache_dir=cache) as r,
        pytest.raises(ProviderError),
    ):
        r(missing, ENV)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_untrusted_touches_no_cache(tmp_path: Path) -> None:
    links = _links(tmp_path / "links")
    cache = tmp_path / "cache"
    with PluginRunner(find_links=[str(links)], cache_dir=cache) as r, pytest.raises(ProviderError):
        r(INFO, ENV)
    assert not cache.exists()


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "explicit"))
    assert default_cache_dir() == tmp_path / "explicit"
    assert default_cache_dir(index_url="http://127.0.0.1:1/") == tmp_path / "explicit"
    monkeypatch.setenv(CACHE_ENV, "off")
    assert default_cache_dir() is None
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "variant-ref" / "plugin-envs"
    # an index's content is not part of the key: no implicit cache for index sources
    assert default_cache_dir(index_url="http://127.0.0.1:1/") is None


def test_unusable_cache_directory_falls_back_to_a_private_install(tmp_path: Path) -> None:
    links = _links(tmp_path / "links")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with PluginRunner(find_links=[str(links)], trust={"cache-plugin"}, cache_dir=blocker / "cache") as r:
        assert r(INFO, ENV)[0].values == ("v1",)
        assert any(line.startswith("cache: not used") for line in r.log)
