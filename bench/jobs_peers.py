#!/usr/bin/env python3
"""Herald's job queue next to two Python PostgreSQL job queues: pgqueuer and procrastinate.

Measures, for each peer, the same two figures as `herald bench jobs`:

1. throughput: W worker loops are started and idle; then N no-op jobs are enqueued in
   batches of 5,000 while the workers drain them; jobs/s = N / (time from the start of
   the enqueue to the first poll, every 5 ms, that finds no unfinished job);
2. idle-wake lag: after 300 ms with the same workers idle (woken by LISTEN/NOTIFY),
   200 jobs are enqueued one at a time, each followed by a 10 ms sleep; lag = the
   time the task body starts minus the time taken just before the enqueue; p50 and
   p99 (nearest rank) in ms.

Then it runs Herald's own benchmark on the same server (unless --skip-herald) and prints
a table with the ratios Herald / peer for jobs/s; the last line is one JSON object.

Usage:
    python3 bench/jobs_peers.py --jobs 20000 --workers 4 [--database-url URL]
        [--herald-cmd "swift run -c release herald bench jobs"] [--skip-herald]

The script creates bench/.venv (pinned versions, see PINS) on first use and re-runs
itself inside it. The peers run in database herald_bench_peers, one schema per peer,
dropped and recreated at the start of each run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
VENV_DIR = BENCH_DIR / ".venv"
PINS = [
    "pgqueuer==1.6.0",
    "procrastinate==3.10.0",
    "psycopg[binary]==3.3.9",
    "psycopg-pool==3.3.3",
    "asyncpg==0.32.0",
    "uvloop==0.23.0",
]
PINS_MARKER = VENV_DIR / ".jobs_peers_pins"

PEERS_DATABASE = "herald_bench_peers"
PGQ_SCHEMA = "bench_pgqueuer"
PROC_SCHEMA = "bench_procrastinate"
ENQUEUE_BATCH = 5_000  # as Herald's bench and `herald jobs enqueue`
# What `herald worker` and `herald bench jobs` use when not told otherwise
# (WorkerConfiguration.defaultConcurrency): jobs a worker runs at once and claims per round trip.
HERALD_DEFAULT_CONCURRENCY = 100
POLL_INTERVAL = 0.005  # as Herald's bench
IDLE_BEFORE_LAG = 0.300  # as Herald's bench
LAG_GAP = 0.010  # sleep after each lag job's enqueue, as Herald's bench
READY_TIMEOUT = 120.0  # worker processes importing, connecting
STOP_TIMEOUT = 30.0


# --------------------------------------------------------------------------- venv


def in_venv() -> bool:
    try:
        return Path(sys.prefix).resolve() == VENV_DIR.resolve()
    except OSError:
        return False


def ensure_venv_and_reexec() -> None:
    """Create bench/.venv with the pinned packages if needed, then exec this script in it."""
    if in_venv():
        return
    python = VENV_DIR / "bin" / "python"
    wanted = "\n".join(PINS) + "\n"
    if not python.exists():
        print(f"creating {VENV_DIR}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(VENV_DIR)], check=True, timeout=300)
    if not PINS_MARKER.exists() or PINS_MARKER.read_text() != wanted:
        print("installing " + " ".join(PINS), file=sys.stderr)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PINS],
            check=True,
            timeout=900,
        )
        PINS_MARKER.write_text(wanted)
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


# --------------------------------------------------------------------------- helpers


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile, as Herald's bench."""
    if not sorted_values:
        return float("nan")
    import math

    rank = math.ceil(fraction * len(sorted_values)) - 1
    return sorted_values[min(max(rank, 0), len(sorted_values) - 1)]


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def check_loopback(url: str) -> None:
    host = urlsplit(url).hostname
    if host not in (None, "", "127.0.0.1", "localhost", "::1"):
        sys.exit(f"refusing to benchmark against {host!r}: only a local server (127.0.0.1) is allowed")


def discover_database_url() -> str:
    """`herald db url` with HERALD_HOME (default /tmp/hh-bench): starts the embedded cluster."""
    for build in ("release", "debug"):
        binary = REPO_DIR / ".build" / build / "herald"
        if binary.exists():
            break
    else:
        sys.exit("no .build/release/herald or .build/debug/herald: build Herald or pass --database-url")
    env = dict(os.environ)
    env.setdefault("HERALD_HOME", "/tmp/hh-bench")
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [str(binary), "db", "url"], env=env, cwd=REPO_DIR, capture_output=True, text=True, timeout=180
    )
    if out.returncode != 0:
        sys.exit(f"`{binary} db url` failed:\n{out.stderr}")
    lines = [line for line in out.stdout.splitlines() if line.startswith(("postgres://", "postgresql://"))]
    if not lines:
        sys.exit(f"`{binary} db url` printed no URL:\n{out.stdout}")
    return lines[-1].strip()


async def prepare_database(url: str) -> None:
    """Create herald_bench_peers on the server if missing."""
    import asyncpg

    conn = await asyncpg.connect(url, timeout=30)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", PEERS_DATABASE)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{PEERS_DATABASE}"')
    finally:
        await conn.close()


async def reset_schema(peers_url: str, schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(peers_url, timeout=30)
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.execute(f"CREATE SCHEMA {schema}")
    finally:
        await conn.close()


async def wait_until(predicate, timeout: float, what: str, interval: float = POLL_INTERVAL) -> float:
    """Poll `predicate()` (async, returns bool) until true; return the time it was first true."""
    deadline = time.monotonic() + timeout
    while True:
        if await predicate():
            return time.monotonic()
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


# --------------------------------------------------------------------------- pgqueuer


def pgq_worker_main(peers_url, consumers, batch_size, idx, ready_q, go, stop, result_q) -> None:
    """One worker process: `consumers` QueueManagers, each on its own asyncpg connection."""
    try:
        import uvloop  # pgqueuer's CLI (`pgq run`) runs on uvloop when it is installed

        uvloop.run(_pgq_worker(peers_url, consumers, batch_size, idx, ready_q, go, stop, result_q))
    except BaseException as error:  # report, so the parent does not wait for nothing
        result_q.put(("done", idx, [], f"{type(error).__name__}: {error}"))


async def _pgq_worker(peers_url, consumers, batch_size, idx, ready_q, go, stop, result_q) -> None:
    from datetime import timedelta

    import asyncpg
    from pgqueuer.db import AsyncpgDriver
    from pgqueuer.models import Job
    from pgqueuer.qm import QueueManager
    from pgqueuer.queries import Queries

    lags: list[float] = []
    connections = [
        await asyncpg.connect(peers_url, server_settings={"search_path": PGQ_SCHEMA}, timeout=30)
        for _ in range(consumers)
    ]
    managers = []
    for connection in connections:
        manager = QueueManager(Queries(AsyncpgDriver(connection)))

        @manager.entrypoint("noop")
        async def noop(job: Job) -> None:
            if job.payload:
                lags.append(time.time() - float(job.payload))

        managers.append(manager)
    ready_q.put(("ready", idx))
    if not await asyncio.to_thread(go.wait, READY_TIMEOUT):
        raise TimeoutError("no go signal")
    runs = [
        asyncio.create_task(
            manager.run(batch_size=batch_size, dequeue_timeout=timedelta(seconds=30))
        )
        for manager in managers
    ]
    stopped = asyncio.create_task(asyncio.to_thread(stop.wait, 3600))
    done, _ = await asyncio.wait([stopped, *runs], return_when=asyncio.FIRST_COMPLETED)
    error = None
    for task in done:
        if task is not stopped and task.exception() is not None:
            error = repr(task.exception())
    if stopped not in done:  # a manager died: stop the others too
        stop.set()
    for manager in managers:
        manager.shutdown.set()
    await asyncio.wait_for(asyncio.gather(*runs, return_exceptions=True), STOP_TIMEOUT)
    for connection in connections:
        await connection.close(timeout=5)
    result_q.put(("done", idx, lags, error))


async def run_pgqueuer(peers_url: str, args) -> dict:
    import asyncpg
    from pgqueuer.db import AsyncpgDriver
    from pgqueuer.queries import Queries

    await reset_schema(peers_url, PGQ_SCHEMA)
    conn = await asyncpg.connect(peers_url, server_settings={"search_path": PGQ_SCHEMA}, timeout=30)
    poll = await asyncpg.connect(peers_url, server_settings={"search_path": PGQ_SCHEMA}, timeout=30)
    try:
        queries = Queries(AsyncpgDriver(conn))
        await queries.install()

        if args.pgqueuer_mode == "processes":
            layout = [1] * args.workers  # W processes, one QueueManager each
        else:
            layout = [args.workers]  # one process, W QueueManagers
        pool = WorkerPool(
            [
                (pgq_worker_main, (peers_url, consumers, args.pgqueuer_batch))
                for consumers in layout
            ]
        )

        async def unfinished_zero() -> bool:
            # Finished jobs are deleted from the queue table (and logged) by pgqueuer.
            return not await poll.fetchval("SELECT EXISTS (SELECT 1 FROM pgqueuer)")

        async def enqueue_batch(count: int) -> None:
            await queries.enqueue(["noop"] * count, [None] * count, [0] * count)

        async def enqueue_one(stamp: float) -> None:
            await queries.enqueue("noop", repr(stamp).encode())

        async def analyze() -> None:
            await poll.execute("ANALYZE pgqueuer; ANALYZE pgqueuer_log")

        return await measure(
            "pgqueuer", pool, args, enqueue_batch, enqueue_one, unfinished_zero, analyze=analyze,
            config={
                "mode": args.pgqueuer_mode,
                "processes": len(layout),
                "queue_managers": args.workers,
                "batch_size": args.pgqueuer_batch,
                "event_loop": "uvloop",
                "driver": "asyncpg, one connection per QueueManager",
            },
        )
    finally:
        await conn.close()
        await poll.close()


# --------------------------------------------------------------------------- procrastinate


def proc_conninfo(peers_url: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(peers_url, options=f"-c search_path={PROC_SCHEMA}")


def make_procrastinate_app(conninfo: str, pool_size: int, lags: list[float] | None):
    import logging

    import procrastinate

    # Its "App is instantiated in the main Python module" warning is about resolving tasks
    # by import path; the task here has an explicit name.
    logging.getLogger("procrastinate.blueprints").setLevel(logging.ERROR)
    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(
            conninfo=conninfo, min_size=pool_size, max_size=pool_size
        )
    )

    @app.task(name="noop")
    async def noop(t: float | None = None) -> None:
        if t is not None and lags is not None:
            lags.append(time.time() - t)

    return app, noop


def proc_worker_main(peers_url, concurrency, pool_size, idx, ready_q, go, stop, result_q) -> None:
    try:
        # procrastinate's CLI runs its worker with asyncio.run (no uvloop).
        asyncio.run(_proc_worker(peers_url, concurrency, pool_size, idx, ready_q, go, stop, result_q))
    except BaseException as error:
        result_q.put(("done", idx, [], f"{type(error).__name__}: {error}"))


async def _proc_worker(peers_url, concurrency, pool_size, idx, ready_q, go, stop, result_q) -> None:
    lags: list[float] = []
    app, _ = make_procrastinate_app(proc_conninfo(peers_url), pool_size, lags)
    async with app.open_async():
        ready_q.put(("ready", idx))
        if not await asyncio.to_thread(go.wait, READY_TIMEOUT):
            raise TimeoutError("no go signal")
        run = asyncio.create_task(
            app.run_worker_async(
                concurrency=concurrency,
                name=f"bench-{idx}",
                install_signal_handlers=False,
                wait=True,
            )
        )
        stopped = asyncio.create_task(asyncio.to_thread(stop.wait, 3600))
        done, _ = await asyncio.wait([stopped, run], return_when=asyncio.FIRST_COMPLETED)
        error = None
        if run in done and run.exception() is not None:
            error = repr(run.exception())
            stop.set()
        if not run.done():
            run.cancel()  # procrastinate's documented way: the worker stops gracefully
            try:
                await asyncio.wait_for(run, STOP_TIMEOUT)
            except asyncio.CancelledError:
                pass
    result_q.put(("done", idx, lags, error))


async def run_procrastinate(peers_url: str, args) -> dict:
    import asyncpg

    await reset_schema(peers_url, PROC_SCHEMA)
    app, noop = make_procrastinate_app(proc_conninfo(peers_url), 2, None)
    poll = await asyncpg.connect(peers_url, server_settings={"search_path": PROC_SCHEMA}, timeout=30)
    try:
        async with app.open_async():
            await app.schema_manager.apply_schema_async()
            if args.procrastinate_mode == "concurrency":
                processes, concurrency = 1, args.workers
            else:
                processes, concurrency = args.workers, args.concurrency
            # Connections: the worker loop fetches one job at a time, finishes run
            # concurrently; the LISTEN connection is separate from the pool.
            pool_size = min(concurrency, 10) + 2
            pool = WorkerPool(
                [(proc_worker_main, (peers_url, concurrency, pool_size)) for _ in range(processes)]
            )

            async def unfinished_zero() -> bool:
                return not await poll.fetchval(
                    "SELECT EXISTS (SELECT 1 FROM procrastinate_jobs WHERE status IN ('todo', 'doing'))"
                )

            async def enqueue_batch(count: int) -> None:
                await noop.batch_defer_async(*([{}] * count))

            async def enqueue_one(stamp: float) -> None:
                await noop.defer_async(t=stamp)

            async def analyze() -> None:
                await poll.execute("ANALYZE procrastinate_jobs; ANALYZE procrastinate_events")

            return await measure(
                "procrastinate", pool, args, enqueue_batch, enqueue_one, unfinished_zero, analyze=analyze,
                config={
                    "mode": args.procrastinate_mode,
                    "processes": processes,
                    "concurrency_per_process": concurrency,
                    "pool_size_per_process": pool_size,
                    "event_loop": "asyncio",
                    "driver": "psycopg 3 pool",
                },
            )
    finally:
        await poll.close()


# --------------------------------------------------------------------------- common phases


class WorkerPool:
    """Worker processes (spawned, so no event loop is inherited) with go/stop signals."""

    def __init__(self, specs):
        import multiprocessing as mp

        self.ctx = mp.get_context("spawn")
        self.go = self.ctx.Event()
        self.stop = self.ctx.Event()
        self.ready_q = self.ctx.Queue()
        self.result_q = self.ctx.Queue()
        self.processes = [
            self.ctx.Process(
                target=target,
                args=(*params, idx, self.ready_q, self.go, self.stop, self.result_q),
                daemon=True,
            )
            for idx, (target, params) in enumerate(specs)
        ]

    async def start(self) -> None:
        for process in self.processes:
            process.start()
        ready = 0
        deadline = time.monotonic() + READY_TIMEOUT
        while ready < len(self.processes):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("worker processes did not get ready")
            try:
                message = await asyncio.to_thread(self.ready_q.get, True, min(remaining, 1.0))
            except Exception:  # queue.Empty
                if self.result_q.qsize() > 0:  # a worker failed before getting ready
                    _, idx, _, error = self.result_q.get()
                    raise RuntimeError(f"worker {idx} failed: {error}")
                continue
            if message[0] == "ready":
                ready += 1

    def check(self) -> None:
        """Raise if a worker process has already ended (it would only end on an error)."""
        dead = [idx for idx, process in enumerate(self.processes) if not process.is_alive()]
        if dead or self.result_q.qsize() > 0:
            detail = ""
            try:
                _, idx, _, error = self.result_q.get(timeout=1)
                detail = f": worker {idx}: {error}"
            except Exception:
                pass
            raise RuntimeError(f"worker process(es) {dead} ended early{detail}")

    async def finish(self) -> list[float]:
        """Stop the workers and return all the lags they recorded."""
        self.stop.set()
        lags: list[float] = []
        errors = []
        for _ in self.processes:
            try:
                _, idx, worker_lags, error = await asyncio.to_thread(self.result_q.get, True, STOP_TIMEOUT + 10)
            except Exception:
                errors.append("a worker did not report back")
                break
            lags.extend(worker_lags)
            if error:
                errors.append(f"worker {idx}: {error}")
        self.cleanup()
        if errors:
            raise RuntimeError("; ".join(errors))
        return lags

    def cleanup(self) -> None:
        self.stop.set()
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)
            if process.is_alive():
                process.kill()


async def measure(name, pool: WorkerPool, args, enqueue_batch, enqueue_one, unfinished_zero, config, analyze) -> dict:
    print(f"[{name}] starting workers: {json.dumps(config)}", file=sys.stderr)

    async def done() -> bool:
        pool.check()
        return await unfinished_zero()

    try:
        await pool.start()

        # Phase 1: throughput. Workers start as the enqueue starts and drain concurrently.
        started = time.monotonic()
        pool.go.set()
        remaining = args.jobs
        while remaining > 0:
            batch = min(remaining, ENQUEUE_BATCH)
            await enqueue_batch(batch)
            remaining -= batch
        if args.analyze:
            await analyze()
        enqueued = time.monotonic()
        finished = await wait_until(done, args.timeout, f"{name} to drain {args.jobs} jobs")
        seconds = finished - started
        print(
            f"[{name}] drained {args.jobs} jobs in {seconds:.3f} s "
            f"(enqueue {enqueued - started:.3f} s): {args.jobs / seconds:.0f} jobs/s",
            file=sys.stderr,
        )

        # Phase 2: idle-wake lag, same workers, idle for a moment first.
        await asyncio.sleep(IDLE_BEFORE_LAG)
        enqueue_ms = []
        for _ in range(args.lag_jobs):
            stamp = time.time()
            await enqueue_one(stamp)
            enqueue_ms.append(1000.0 * (time.time() - stamp))
            await asyncio.sleep(LAG_GAP)
        enqueue_ms.sort()
        await wait_until(done, 120, f"{name} to run the {args.lag_jobs} lag jobs")
        lags = sorted(1000.0 * lag for lag in await pool.finish())
    finally:
        pool.cleanup()
    if len(lags) != args.lag_jobs:
        raise RuntimeError(f"{name}: {len(lags)} lag samples for {args.lag_jobs} lag jobs")
    result = {
        "jobs_per_s": round(args.jobs / seconds, 1),
        "seconds": round(seconds, 3),
        "enqueue_seconds": round(enqueued - started, 3),
        "lag_p50_ms": round(percentile(lags, 0.50), 2),
        "lag_p99_ms": round(percentile(lags, 0.99), 2),
        "lag_max_ms": round(lags[-1], 2),
        "lag_jobs": len(lags),
        "lag_enqueue_p50_ms": round(percentile(enqueue_ms, 0.50), 2),
        "analyze_after_enqueue": args.analyze,
        "config": config,
    }
    print(
        f"[{name}] lag p50 {result['lag_p50_ms']:.2f} ms, p99 {result['lag_p99_ms']:.2f} ms",
        file=sys.stderr,
    )
    return result


# --------------------------------------------------------------------------- Herald


def run_herald(url: str, args) -> dict:
    command = shlex.split(args.herald_cmd) + [
        "--jobs", str(args.jobs),
        "--workers", str(args.workers),
        "--lag-jobs", str(args.lag_jobs),
    ]
    if args.concurrency_given:  # otherwise Herald runs with the default a user gets
        command += ["--concurrency", str(args.concurrency)]
    env = dict(os.environ, DATABASE_URL=url)
    print(f"[herald] {' '.join(command)}", file=sys.stderr)
    try:
        out = subprocess.run(
            command, cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=args.herald_timeout
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {args.herald_timeout} s"}
    for line in out.stdout.splitlines()[-6:]:
        print(f"[herald] {line}", file=sys.stderr)
    for line in reversed(out.stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                figures = json.loads(line)
            except json.JSONDecodeError:
                continue
            if figures.get("bench") == "jobs":
                if figures.get("concurrency") not in (None, args.concurrency):
                    print(
                        f"warning: Herald ran with concurrency {figures['concurrency']}, the peers with "
                        f"{args.concurrency}: update HERALD_DEFAULT_CONCURRENCY or pass --concurrency",
                        file=sys.stderr,
                    )
                return figures
    tail = "\n".join((out.stdout + out.stderr).splitlines()[-15:])
    return {"error": f"exit {out.returncode}, no JSON line:\n{tail}"}


# --------------------------------------------------------------------------- main


def ratio(a, b):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b == 0:
        return None
    return round(a / b, 2)


def print_table(jobs: int, workers: int, batch: int, results: dict) -> None:
    herald_rate = (results.get("herald") or {}).get("jobs_per_s")
    print()
    print(f"jobs={jobs} workers={workers} batch={batch} (Herald's concurrency, pgqueuer's batch_size)")
    header = f"{'system':<14} {'jobs/s':>9} {'lag p50 ms':>11} {'lag p99 ms':>11} {'Herald/peer':>12}"
    print(header)
    print("-" * len(header))
    for name in ("herald", "pgqueuer", "procrastinate"):
        figures = results.get(name)
        if figures is None:
            continue
        if "error" in figures:
            print(f"{name:<14} error: {figures['error'].splitlines()[0]}")
            continue
        vs = "" if name == "herald" else ratio(herald_rate, figures["jobs_per_s"])
        vs = "" if vs is None else (vs if isinstance(vs, str) else f"{vs:.2f}x")
        print(
            f"{name:<14} {figures['jobs_per_s']:>9.0f} {figures['lag_p50_ms']:>11.2f} "
            f"{figures['lag_p99_ms']:>11.2f} {vs:>12}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=20_000, help="jobs to drain (default 20000)")
    parser.add_argument("--workers", type=int, default=4, help="worker loops (default 4)")
    parser.add_argument(
        "--concurrency", type=int, default=None,
        help="Herald: jobs per worker at once (its claim batch); passed to Herald when given, and used "
        "as pgqueuer's batch size and procrastinate's per-process concurrency in --procrastinate-mode "
        f"processes (default: Herald's default, {HERALD_DEFAULT_CONCURRENCY}, which Herald then uses unprompted)",
    )
    parser.add_argument("--lag-jobs", type=int, default=200, help="jobs for the lag measurement (default 200)")
    parser.add_argument("--database-url", help="postgres:// URL of the server (default: `herald db url`)")
    parser.add_argument(
        "--herald-cmd", default="swift run -c release herald bench jobs",
        help="Herald's benchmark command; --jobs/--workers/--concurrency/--lag-jobs are appended",
    )
    parser.add_argument("--skip-herald", action="store_true", help="measure the peers only")
    parser.add_argument("--skip", action="append", default=[], choices=["pgqueuer", "procrastinate"])
    parser.add_argument(
        "--pgqueuer-mode", choices=["processes", "tasks"], default="processes",
        help="processes: W processes with one QueueManager each (default); "
        "tasks: one process with W QueueManagers",
    )
    parser.add_argument(
        "--pgqueuer-batch", type=int, default=None,
        help="pgqueuer dequeue batch size (default: --concurrency, as Herald's claim batch)",
    )
    parser.add_argument(
        "--procrastinate-mode", choices=["concurrency", "processes"], default="concurrency",
        help="concurrency: one worker process with concurrency W (default); "
        "processes: W worker processes with concurrency --concurrency each",
    )
    parser.add_argument(
        "--analyze", action="store_true",
        help="run ANALYZE on the peer's tables right after the enqueue, inside the timed window "
        "(as if autovacuum had seen the backlog); Herald's bench does not, so off by default",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds allowed for one peer's drain")
    parser.add_argument("--herald-timeout", type=float, default=3600, help="seconds allowed for Herald's command")
    args = parser.parse_args()
    args.concurrency_given = args.concurrency is not None
    if args.concurrency is None:
        args.concurrency = HERALD_DEFAULT_CONCURRENCY
    if min(args.jobs, args.workers, args.concurrency, args.lag_jobs) < 1:
        parser.error("--jobs, --workers, --concurrency and --lag-jobs must be at least 1")
    if args.pgqueuer_batch is None:
        args.pgqueuer_batch = args.concurrency
    return args


async def run_peers(peers_url: str, args) -> dict:
    results: dict = {}
    for name, runner in (("pgqueuer", run_pgqueuer), ("procrastinate", run_procrastinate)):
        if name in args.skip:
            continue
        try:
            results[name] = await runner(peers_url, args)
        except Exception as error:
            print(f"[{name}] failed: {type(error).__name__}: {error}", file=sys.stderr)
            results[name] = {"error": f"{type(error).__name__}: {error}"}
    return results


def main() -> None:
    args = parse_args()
    ensure_venv_and_reexec()
    from importlib.metadata import version

    load_before = os.getloadavg()[0]
    if load_before > 1.0:
        print(
            f"warning: 1-minute load average is {load_before:.2f} before the run; "
            "other work on this machine will skew the figures",
            file=sys.stderr,
        )
    url = args.database_url or discover_database_url()
    check_loopback(url)
    peers_url = with_database(url, PEERS_DATABASE)
    asyncio.run(prepare_database(url))
    results = asyncio.run(run_peers(peers_url, args))
    if not args.skip_herald:
        results = {"herald": run_herald(url, args), **results}

    print_table(args.jobs, args.workers, args.concurrency, results)
    peer_rates = [
        results[name]["jobs_per_s"]
        for name in ("pgqueuer", "procrastinate")
        if name in results and "jobs_per_s" in results[name]
    ]
    herald_rate = (results.get("herald") or {}).get("jobs_per_s")
    summary = {
        "bench": "jobs_peers",
        "jobs": args.jobs,
        "workers": args.workers,
        "concurrency": args.concurrency,
        "lag_jobs": args.lag_jobs,
        "herald": results.get("herald"),
        "pgqueuer": results.get("pgqueuer"),
        "procrastinate": results.get("procrastinate"),
        "herald_vs_best_peer": ratio(herald_rate, max(peer_rates)) if peer_rates else None,
        "versions": {
            name: version(name) for name in ("pgqueuer", "procrastinate", "psycopg", "asyncpg", "uvloop")
        },
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
        "loadavg_1m": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
