"""Baseline load test of the foundation pages, under gunicorn with production settings.

Starts gunicorn on loopback against a fresh SQLite database with the demo loaded, then sends
requests from a few keep-alive client threads for a fixed time per page and prints one table:
requests per second, median and 95th-percentile latency, errors. Loopback only; every loop is
bounded in time and count. Province-scale data and the bare-Django floor come with issue 9.
Needs Redis on 127.0.0.1 (production settings insist on it).

    make bench            # or: .venv/bin/python bench/run.py --seconds 10 --clients 8
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST, PORT = "127.0.0.1", 8765
PAGES = [
    ("/healthz/", "health check (1 query + cache)"),
    ("/", "home page, anonymous"),
    ("/accounts/login/", "login form, anonymous"),
    ("/khoa-hoc/", "course catalogue, anonymous"),
    ("/khoa-hoc/ky-nang-so-co-ban/", "course page, anonymous"),
]


def environment(db_path: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "bench-only-" + "x" * 60,
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379"),
        "EMAIL_URL": "consolemail://",
        "SITE_URL": f"http://{HOST}:{PORT}",
        "H5P_CONTENT_ORIGIN": f"http://h5p.localhost:{PORT}",
        "NATIONAL_ID_KEY": "bench-only",
        "LOG_LEVEL": "ERROR",
    }


def hammer(path: str, seconds: float, clients: int, max_requests: int = 200_000):
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        nonlocal errors
        conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
        mine, bad = [], 0
        while time.monotonic() < deadline and len(mine) < max_requests // clients:
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Host": HOST})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
            except OSError:
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    return len(latencies) / elapsed, statistics.median(latencies), p95, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = environment(f"{tmp}/bench.sqlite3")
        python = sys.executable
        for command in (
            ["migrate", "--noinput"],
            ["seed_demo", "--allow-production"],
            ["collectstatic", "--noinput"],
        ):
            subprocess.run(
                [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        server = subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "cms.wsgi:application",
                "--bind",
                f"{HOST}:{PORT}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            for _ in range(100):
                try:
                    http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/healthz/")
                    break
                except OSError:
                    time.sleep(0.2)
            print(
                f"gunicorn {args.workers} workers, {args.clients} clients, "
                f"{args.seconds:.0f} s per page, loopback, {os.cpu_count()} cores shared"
            )
            print(f"{'page':<40} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}")
            for path, label in PAGES:
                rate, p50, p95, errors = hammer(path, args.seconds, args.clients)
                print(f"{label:<40} {rate:8.0f} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {errors:7d}")
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
