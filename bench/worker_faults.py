"""Worker kills and a soak through the production layout (not part of ``make test``: minutes long).

Starts tools/serve_prod.py's layout (nginx, ``--workers`` Daphne workers, Redis, PostgreSQL in a
throwaway folder) and streams with ``--clients`` clients that behave like the page's
(tests/services/live_client.py: pose mode, paced on ``next``, reconnecting like
static/tryon/js/server-client.js). Then either:

* ``--kills K`` (default 20): K times, SIGKILL a worker that serves a client — always one of the
  first ``workers - 1``, so the last one survives every kill — and wait until it has been started
  again and every client streams; or
* ``--soak SECONDS``: no kills, just stream that long.

Prints one JSON object: per kill, the time from the kill to the first result after it for each
client that dropped (``resumed_ms``: median, max, all), clients failed (a frame unanswered for
5 s fails its client), every worker's RSS over time and the survivor's growth, frames per second,
connections lost that the bench did not cause, and the load average before and after (the
machine is shared: other work skews every number).

    .venv/bin/python bench/worker_faults.py [--workers 3] [--clients 4] [--kills 20 | --soak 600]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.images import camera_jpeg  # noqa: E402
from tests.services.live_client import ReconnectingStream  # noqa: E402
from tools.serve_prod import Layout, healthz, rss_mb  # noqa: E402

SLUG = "essential-crew-tee-white"
PHOTO = ROOT / "tests" / "media" / "astronaut.png"


def _seed() -> str:
    sys.path.insert(0, str(ROOT / "bench"))
    from server import SEED_PRODUCT_IF_MISSING  # bench/server.py's product

    return SEED_PRODUCT_IF_MISSING


async def _wait(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.05)
    return False


async def run(layout: Layout, clients: int, kills: int, soak: float) -> dict:
    jpeg = camera_jpeg(PHOTO, quality=80, width=480, height=360)  # what the page sends in pose mode
    streams = [ReconnectingStream(layout.port, SLUG, jpeg) for _ in range(clients)]
    tasks = [asyncio.ensure_future(s.run()) for s in streams]
    rss: dict[str, list[float]] = {w.name: [] for w in layout.worker_procs}
    kill_log = []

    def sample() -> None:
        for w in layout.worker_procs:
            value = rss_mb(w.pid) if w.alive() else None
            if value is not None:
                rss[w.name].append(round(value, 1))

    started = time.monotonic()
    await _wait(lambda: all(s.results for s in streams), 60)
    sample()
    if soak:
        end = time.monotonic() + soak
        while time.monotonic() < end and not any(s.failed for s in streams):
            await asyncio.sleep(min(10.0, max(0.0, end - time.monotonic())))
            sample()
    for k in range(kills):
        await asyncio.to_thread(layout.wait_workers_up)
        await _wait(lambda: all(s.results and time.monotonic() - s.result_times[-1] < 0.5 for s in streams), 30)
        sample()
        # A worker among the first N-1 that serves someone (the last worker survives every kill).
        candidates = [i for i, w in enumerate(layout.worker_procs[:-1])
                      if (h := healthz(w.port)) and h["live_connections"] > 0]
        victim = candidates[k % len(candidates)] if candidates else k % (len(layout.worker_procs) - 1)
        served = healthz(layout.worker_procs[victim].port) or {}
        killed_at = time.monotonic()
        await asyncio.to_thread(layout.kill_worker, victim)
        kill_log.append({"at": killed_at, "worker": victim + 1, "its_clients": served.get("live_connections")})
        await _wait(lambda: all(s.results and s.result_times[-1] > killed_at for s in streams), 10)
    sample()  # the last sample while streaming: growth is measured up to here
    streaming = {name: len(v) for name, v in rss.items()}
    for s in streams:
        s.stop()
    await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - started
    sample()  # after every stream closed (their models released)

    outages = sorted((o for s in streams for o in s.outages), key=lambda o: o.dropped_at)
    resumed, unexplained = [], 0
    for o in outages:
        before = [k["at"] for k in kill_log if k["at"] <= o.dropped_at]
        if not before or o.dropped_at - before[-1] > 2.0:
            unexplained += 1  # a drop the bench did not cause
        elif o.first_result_at is not None:
            resumed.append((o.first_result_at - before[-1]) * 1000.0)
    survivor = layout.worker_procs[-1].name

    def memory(name: str) -> dict:
        during = rss[name][:streaming[name]]
        return {"first": during[0], "last_streaming": during[-1], "max_streaming": max(during),
                "growth": round(during[-1] - during[0], 1), "after_close": rss[name][-1]}
    return {
        "clients": clients, "workers": len(layout.worker_procs), "kills": len(kill_log),
        "seconds": round(elapsed, 1),
        "drops": len(outages), "drops_not_caused_by_a_kill": unexplained,
        "resumed_ms": {"median": round(statistics.median(resumed), 1) if resumed else None,
                       "max": round(max(resumed), 1) if resumed else None,
                       "all": [round(x) for x in resumed]},
        "clients_failed": [{
            "error": repr(s.failed), "waiting_for": s.failed_while,
            "at_s": round(s.failed_at - started, 1) if s.failed_at else None,
            "since_last_kill_s": next((round(s.failed_at - k["at"], 1) for k in reversed(kill_log)
                                       if s.failed_at and k["at"] <= s.failed_at), None),
        } for s in streams if s.failed],
        "errors": sorted({e.get("code") for s in streams for e in s.errors}),
        "warnings": sorted({w.get("code") for s in streams for w in s.warnings}),
        "fps": round(sum(s.results for s in streams) / elapsed, 1),
        "per_client_results": [s.results for s in streams],
        "survivor": survivor,
        "survivor_rss_mb": {**memory(survivor), "samples": rss[survivor][:streaming[survivor]]},
        # Per worker, from the first sample to the last while streaming (a killed worker's restarts
        # start again lower: its growth says little); samples every 10 s in a soak, per kill otherwise.
        "rss_mb": {name: {**memory(name), "samples": v[:streaming[name]]} for name, v in rss.items() if v},
        "killed_workers": [k["worker"] for k in kill_log],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--soak", type=float, default=0.0, metavar="SECONDS", help="stream this long without kills")
    args = parser.parse_args()
    if args.soak:
        args.kills = 0
    load_before = os.getloadavg()[0]
    run_dir = Path(tempfile.mkdtemp(prefix="fittingroom-faults-"))
    run_dir.chmod(0o755)  # nginx and PostgreSQL run as other users
    layout = Layout(workers=args.workers, port=0, run_dir=run_dir, seed=_seed(), collectstatic=False,
                    restart_after=1.0, env={
                        "FITTINGROOM_LIVE_MAX_CONNECTIONS_PER_CLIENT": "32",  # every client is 127.0.0.1
                        "FITTINGROOM_LIVE_MAX_CONNECTIONS": "64",
                        "FITTINGROOM_MEDIA_ROOT": str(run_dir / "media"),
                    })
    try:
        layout.start()
        result = asyncio.run(run(layout, args.clients, args.kills, args.soak))
    finally:
        layout.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
    result["setup"] = {"cpu_count": os.cpu_count(), "mode": "pose", "model": "lite",
                       "loadavg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
