"""The benchmark harness: a gunicorn server, a load generator, interleaved rounds, budgets.

Every target runs under the same gunicorn (same worker count, threads, keep-alive, persistent
database connections) and the load generator runs on the same machine. Each gunicorn worker
listens on its own SO_REUSEPORT socket (`--reuse-port`, gunicorn >= 22 binds per worker), so the
kernel spreads the keep-alive connections across the workers by hash: with one shared socket
the workers raced to accept, one could take all 32 connections and a round measured the accept
race (the issue-8 run: 220 or 430 req/s for the same page, round by round). `wrk` (Debian package
`wrk`) is used when present; otherwise a small threaded keep-alive client in Python, which is
slower and says so in the output.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
DURATION = int(os.environ.get("BENCH_SECONDS", "5"))
# Threads per gthread worker (BENCH_THREADS); 2 was tried and balanced no better than 1.
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# Enough keep-alive connections that, hashed over the workers' sockets, each worker gets a share
# (32 over 2 workers: the chance that one gets none is 2 in 2**32).
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))


@dataclass
class Target:
    """One thing to measure: a path on a server, with the headers a real client would send."""

    name: str
    port: int
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    rates: list[float] = field(default_factory=list)
    p50: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)

    def summary(self) -> tuple[float, float, float]:
        return statistics.median(self.rates), statistics.median(self.p50), statistics.median(self.p99)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn serving `app` (a WSGI path) on a free port, with `env`."""

    def __init__(self, app: str, env: dict[str, str]) -> None:
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "gthread",
            "--threads",
            "1",  # gthread: HTTP keep-alive
            "--keep-alive",
            "30",
            "--reuse-port",
            "--log-level",
            "warning",
            "--access-logfile",
            "-",
            "--access-logformat",
            "",
        ]
        self.process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)

    def wait_ready(self, path: str, headers: dict[str, str]) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                status = fetch(self.port, path, headers)[0]
                if status == 200:
                    return
                raise SystemExit(f"{path} answered {status} on the benchmark server")
            except OSError:
                time.sleep(0.2)
        raise SystemExit("the benchmark server did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


_WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _run_wrk(target: Target) -> tuple[float, float, float]:
    # wrk drops a request slower than its timeout (2 s by default) from the count without failing:
    # a slow target read as a near-zero rate. The same 30 s as the Python client, and a timeout
    # that still happens stops the run.
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(CONNECTIONS),
        "-d",
        f"{DURATION}s",
        "--timeout",
        "30s",
        "--latency",
    ]
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{target.port}{target.path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"{target.name}: non-2xx responses or socket errors under load:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = {m.group(1): float(m.group(2)) * _UNIT[m.group(3)] for m in _WRK_LATENCY.finditer(output)}
    return rate, latency["50"], latency["99"]


def _run_python(target: Target) -> tuple[float, float, float]:
    """Fallback load generator: threads with keep-alive connections."""
    stop_at = time.time() + DURATION
    timings: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", target.port, timeout=30)
        local = []
        while time.time() < stop_at:
            start = time.perf_counter()
            conn.request("GET", target.path, headers=target.headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{target.name}: HTTP {response.status}")
            local.append((time.perf_counter() - start) * 1000)
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    timings.sort()
    return len(timings) / DURATION, timings[len(timings) // 2], timings[int(len(timings) * 0.99)]


def measure(targets: Sequence[Target]) -> None:
    """Interleave the targets round by round, so drift hits them all alike."""
    runner = _run_wrk if shutil.which("wrk") else _run_python
    if runner is _run_python:
        print("  (wrk not found: using the slower Python load generator; `apt-get install wrk`)")
    for round_number in range(1, ROUNDS + 1):
        for target in targets:
            rate, p50, p99 = runner(target)
            target.rates.append(rate)
            target.p50.append(p50)
            target.p99.append(p99)
            figures = f"{rate:9.1f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms"
            print(f"  round {round_number} {target.name:<28} {figures}")


def report(targets: Sequence[Target]) -> None:
    print(f"\n  {'target':<28} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}   (median of {ROUNDS} rounds)")
    for target in targets:
        rate, p50, p99 = target.summary()
        print(f"  {target.name:<28} {rate:9.1f} {p50:8.2f} {p99:8.2f}")


@dataclass(frozen=True)
class Budget:
    """A budget judged on the median of per-round ratios; the rounds' spread is shown beside it,
    so a verdict resting on a wide or two-humped spread is seen as such."""

    name: str
    rounds: Sequence[float]
    required: float

    @property
    def measured(self) -> float:
        return statistics.median(self.rounds)

    @property
    def passed(self) -> bool:
        return self.measured >= self.required

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        # Three decimals: at two, a median of 0.247 read "measured=0.25 required=0.25 FAIL".
        spread = " ".join(f"{r:.3f}" for r in sorted(self.rounds))
        return (
            f"BUDGET {self.name} measured={self.measured:.3f} required={self.required:.2f} {verdict}"
            f"  rounds: min={min(self.rounds):.3f} max={max(self.rounds):.3f} ({spread})"
        )


def ratio(numerator: Target, denominator: Target) -> list[float]:
    """The per-round throughput ratios (a budget takes their median): the targets of a round run
    back to back, so a slow spell of the machine (another process, autovacuum) hits both sides
    of a round alike instead of skewing one side's median."""
    return [n / d for n, d in zip(numerator.rates, denominator.rates, strict=True)]
