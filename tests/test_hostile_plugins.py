"""Issue 10, class 5: plugins: timeouts kill the whole process group; a trusted name comes from the source.

- A child a plugin starts can neither outlive the query nor, by holding the
  pipes, turn a good answer into a timeout.
- ``--trust NAME`` with ``requires = ["NAME @ file:///elsewhere/x.whl"]`` does
  not install that file (``reference:plugin-source``), unless the user gives
  that URL: ``--trust 'NAME @ URL'``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from reference.errors import ProviderError
from reference.format.model import ProviderInfo
from reference.providers.interface import FeatureConfig
from reference.providers.plugins import PluginRunner
from tests.test_index import build_wheel

ENV = {"python_version": "3.12", "sys_platform": "linux", "platform_machine": "x86_64"}

# get_supported_configs() starts a child that inherits stdout and stderr, writes
# its pid to PIDFILE and sleeps; the plugin answers at once (GOOD) or hangs (HANG).
PLUGIN = """
import os, subprocess, sys, time

class C:
    name = "level"
    values = ["v3"]
    multi_value = False

def _child():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with open(os.environ["PIDFILE"], "w") as f:
        f.write(str(child.pid))

def get_supported_configs():
    _child()
    if os.environ.get("HANG"):
        time.sleep(120)
    return [C()]
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (dead, not yet reaped by init) counts as gone
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def wait_gone(pid: int, seconds: float = 5) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture(scope="module")
def links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("links")
    build_wheel(directory, "spawning_plugin-1.0-py3-none-any.whl", {"spawning_plugin/__init__.py": PLUGIN})
    return directory


def info(requires: str, namespace: str = "x86_64") -> ProviderInfo:
    return ProviderInfo(namespace=namespace, requires=(requires,), plugin_api="spawning_plugin")


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_child_holding_the_pipes_does_not_turn_an_answer_into_a_timeout(links: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    with PluginRunner(find_links=[str(links)], trust={"spawning-plugin"}, timeout=20, cache_dir=False,
                      environ={"PIDFILE": str(pidfile)}) as runner:
        started = time.monotonic()
        configs = runner(info("spawning-plugin"), ENV)
        elapsed = time.monotonic() - started
    assert configs == [FeatureConfig("level", ("v3",), False)]
    assert elapsed < 15  # was: the full timeout, then "did not finish"
    assert wait_gone(int(pidfile.read_text()))  # the child did not outlive the query


@pytest.mark.skipif(os.name != "posix", reason="process groups")
def test_timeout_kills_the_whole_process_group(links: Path, tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    environ = {"PIDFILE": str(pidfile), "HANG": "1"}
    runner = PluginRunner(find_links=[str(links)], trust={"spawning-plugin"}, timeout=3, cache_dir=False,
                          environ=environ)
    with runner, pytest.raises(ProviderError, match="did not finish within 3 s"):
        runner(info("spawning-plugin"), ENV)
    assert wait_gone(int(pidfile.read_text()))  # was: the child outlived variant-ref


def test_trusted_name_is_not_installed_from_a_url_in_the_metadata(links: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    marker = tmp_path / "ran"
    build_wheel(elsewhere, "spawning_plugin-1.0-py3-none-any.whl",
                {"spawning_plugin/__init__.py": f"open({str(marker)!r}, 'w').close()\n" + PLUGIN})
    url = (elsewhere / "spawning_plugin-1.0-py3-none-any.whl").as_uri()
    with PluginRunner(find_links=[str(links)], trust={"spawning-plugin"}, cache_dir=False) as runner:
        with pytest.raises(ProviderError, match="reference:plugin-source"):
            runner(info(f"spawning-plugin @ {url}"), ENV)
        assert runner.log == []  # nothing installed, nothing run
    assert not marker.exists()


def test_trusted_url_given_by_the_user_is_installed(links: Path, tmp_path: Path) -> None:
    # the control: the user names the URL, so that file is what they trust
    elsewhere = tmp_path / "elsewhere"
    build_wheel(elsewhere, "spawning_plugin-1.0-py3-none-any.whl", {"spawning_plugin/__init__.py": PLUGIN})
    url = (elsewhere / "spawning_plugin-1.0-py3-none-any.whl").as_uri()
    with PluginRunner(find_links=[str(links)], trust={"spawning-plugin"}, cache_dir=False, timeout=20,
                      trusted_urls={("Spawning_Plugin", url)},
                      environ={"PIDFILE": str(tmp_path / "pid")}) as r:
        assert r(info(f"spawning-plugin @ {url}"), ENV) == [FeatureConfig("level", ("v3",), False)]


def test_trust_option_accepts_name_at_url(tmp_path: Path) -> None:
    from reference.install.operations import RequestError, Session

    url = (tmp_path / "x.whl").as_uri()
    with Session(find_links=str(tmp_path), trust=["Spawning.Plugin", f"other @ {url}"]) as session:
        assert session.options.trust == {"spawning-plugin", "other"}
        assert session.runner.trusted_urls == {("other", url)}
    with pytest.raises(RequestError, match="--trust"):
        Session(find_links=str(tmp_path), trust=["not a name"])


@pytest.mark.parametrize("timeout", [float("nan"), float("inf"), 0.0, -1.0])
def test_runner_refuses_unusable_timeouts(timeout: float) -> None:
    with pytest.raises(ValueError, match="finite"):
        PluginRunner(timeout=timeout)
