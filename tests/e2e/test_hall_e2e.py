"""The lecture-hall server (deploy/hall.py) for real: Debian's nginx in front of two Streamlit replicas.

A browser through nginx sees the notebook's numbers; sessions keep to one replica each (cookie
affinity) and spread over both; a replica whose process dies is started again and put back; and
`python -m deploy.hall` stops cleanly on SIGTERM, leaving no process behind.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from benchmarks import common
from benchmarks.load import run_load
from benchmarks.replicas import affinity
from deploy.hall import hall
from deploy.server import HOST, free_port, healthy

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest.py itself
    from conftest import Journal

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def nginx_check() -> None:
    if shutil.which("nginx") is None:
        reason = "Debian's nginx is not installed (apt-get install nginx); .ci/run installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the hall tests cannot run under CI=true: {reason}", pytrace=False)
        pytest.skip(reason)


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_a_browser_through_the_hall_sees_the_notebook_and_sessions_stick(browser: Any, journal: Journal) -> None:
    from conftest import VIEWPORT, WAIT_TIMEOUT_MS, App

    with hall(2, host=HOST) as h:
        context = browser.new_context(viewport=VIEWPORT, locale="en-US")
        context.set_default_timeout(WAIT_TIMEOUT_MS)
        app = App(context, h, journal, own_context=True)  # type: ignore[arg-type]  # anything with .url
        try:
            page = app.open("/")
            cells = page.locator("[data-testid='stPlotlyChart'] text").filter(has_text=re.compile(r"^0\.1984$"))
            assert cells.count() >= 1  # the notebook's α[me, me], drawn through nginx's websocket
            assert any(c["name"] == "stroute" for c in context.cookies())
            app.assert_clean()
        finally:
            app.close()
        # 16 websocket sessions with their own cookies, as 16 students: none errs, each keeps to one replica.
        res = run_load(h, sessions=16, reruns=2, think=0.0, base=common.params(5, 4), get_page=True)
        assert res.errors == 0 and res.exceptions == 0, res.error_samples
        seen = affinity(h.folder / "access.log")
        assert seen["browsers_that_moved"] == 0
        assert len(seen["websockets_per_replica"]) == 2  # type: ignore[arg-type]  # both replicas serve


def test_a_dead_replica_is_started_again_and_put_back() -> None:
    with hall(2, host=HOST) as h:
        victim = h.replicas[0]
        victim.proc.kill()
        victim.proc.wait(timeout=10)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not any("healthy again" in e for e in h.events):
            assert healthy(h.url), "nginx stopped answering while one replica was down"
            time.sleep(0.5)
        assert any("marked down" in e for e in h.events), h.events
        assert any("started again" in e for e in h.events), h.events
        assert any("healthy again" in e for e in h.events), h.events
        assert h.replicas[0].port == victim.port and h.replicas[0].proc.poll() is None


def test_the_hall_command_stops_cleanly_on_sigterm() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "deploy.hall", "--replicas", "2", "--host", HOST, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not healthy(f"http://{HOST}:{port}"):
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "the hall did not answer on its port in 120 s"
            time.sleep(0.5)
        started = children(proc.pid)
        assert len(started) == 3  # two replicas and nginx's master
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, out
    assert "2 replicas behind nginx" in out and out.rstrip().endswith("stopped"), out
    assert [pid for pid in started if Path(f"/proc/{pid}").exists()] == []
    assert not healthy(f"http://{HOST}:{port}")
