"""deploy/hall.py's nginx config is valid, and benchmarks/replicas.py's affinity report reads nginx's log right."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.replicas import affinity
from deploy.hall import nginx_conf, usable_cores


@pytest.mark.skipif(shutil.which("nginx") is None, reason="Debian's nginx is not installed")
def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_conf(tmp_path, 18080, [18501, 18502], down=frozenset({18502})))
    done = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = conf.read_text()
    assert "hash $uid_got$uid_set consistent;" in text  # cookie affinity
    assert "proxy_set_header Upgrade $http_upgrade;" in text and "proxy_http_version 1.1;" in text
    assert "server 127.0.0.1:18502 max_fails=1 fail_timeout=5s down;" in text
    assert "server 127.0.0.1:18501 max_fails=1 fail_timeout=5s;" in text


def test_affinity_counts_browsers_that_stayed_and_moved(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    a, b = "127.0.0.1:1001", "127.0.0.1:1002"
    log.write_text(
        "\n".join(
            [
                f'1.0 5000 "-" "stroute=AA" "GET / HTTP/1.1" 200 {a}',
                f'2.0 5001 "stroute=AA" "-" "GET /_stcore/stream HTTP/1.1" 101 {a}',
                f'1.5 5002 "-" "stroute=BB" "GET / HTTP/1.1" 200 {b}',
                f'9.0 5003 "stroute=BB" "-" "GET /_stcore/stream HTTP/1.1" 101 {b}',
                f'9.5 5004 "stroute=BB" "-" "GET /_stcore/stream HTTP/1.1" 101 {b}, {a}',  # b died: retried on a
                f'3.0 5005 "-" "-" "GET /_stcore/health HTTP/1.1" 200 {a}',  # no cookie: not a browser
            ]
        )
    )
    report = affinity(log)
    assert report["browsers"] == 2
    assert report["browsers_on_one_replica"] == 1
    assert report["moves"] == [f"{b} -> {a}"]
    assert report["websockets_per_replica"] == {a: 2, b: 1}
    assert report["requests_per_replica"] == {a: 3, b: 2}  # a browser's first request (cookie just set) counts


def test_the_hall_runs_one_replica_per_usable_core() -> None:
    import os

    assert 1 <= usable_cores() <= len(os.sched_getaffinity(0))
