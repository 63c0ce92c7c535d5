"""One `streamlit run app.py` process on a local port, started and stopped cleanly.

The one launcher of a real server: the hall (deploy.hall), the benchmarks and the browser tests
(tests/e2e/conftest.py) all start their servers with `start_server`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident set size of a process and its children, from /proc (psutil is not required); 0 if gone."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def healthy(url: str, timeout: float = 3.0) -> bool:
    """Whether `url`/_stcore/health answers "ok" (Streamlit's own health endpoint, passed on by nginx too)."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as r:
            return bool(r.read().strip() == b"ok")
    except OSError:
        return False


@dataclass
class Server:
    """A `streamlit run` subprocess on 127.0.0.1."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def rss(self) -> int:
        return rss_bytes(self.proc.pid)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for an error message."""
        return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Wait until /_stcore/health says ok; stop the server and raise if it exits or takes too long."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}; see {self.log}:\n{self.log_tail()}")
            if healthy(self.url, timeout=2):
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not become healthy in {timeout:.0f} s; see {self.log}:\n{self.log_tail()}")


def launch(
    script: str | Path, options: dict[str, str] | None = None, cwd: Path = REPO, port: int | None = None
) -> Server:
    """Start `streamlit run script` on 127.0.0.1 (a free port unless given) without waiting for it."""
    port = free_port() if port is None else port
    args = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={HOST}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--server.runOnSave=false",
    ]
    args += [f"--{k}={v}" for k, v in (options or {}).items()]
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"streamlit-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
    return Server(proc, port, log)


def start_server(
    script: str | Path, options: dict[str, str] | None = None, cwd: Path = REPO, port: int | None = None
) -> Server:
    """Start `streamlit run` on a local port and wait until /_stcore/health says ok (60 s at most)."""
    server = launch(script, options, cwd, port)
    server.wait_healthy()
    return server
