#!/usr/bin/env python3
"""`make bench`, issue #35: what a dead webhook endpoint costs the user's own writes.

Starts `target/release/todo` on 127.0.0.1 (WEBHOOKS_ALLOW_PRIVATE=true, so that webhooks may
point at this machine) with a fresh SQLite file (or the PostgreSQL database in
BENCH_DATABASE_URL), and a black hole: a TCP port that accepts every connection and never
answers, so each delivery to it waits out its 10 s limit. Then "create" at 16 connections
for a user with no webhook and for a user with 10 webhooks at the black hole (every event),
three times each, alternating, so that both sides meet the deliveries' timeouts and retries
alike; each side's figure is the median of its three p99s (the machine is noisy). Goal: the
10 webhooks' create p99 within 1.1x of none. Knob: BENCH_WEBHOOK_RUNS (3).

Writes bench/results/webhooks-<sqlite|postgres>.md and .json (bench/tmp/ under BENCH_ONLY).
Standard library and oha only; only 127.0.0.1 is contacted; every run is bounded in time.
"""

import os
import socket
import statistics
import subprocess
import threading
import time

from common import BASE, Server, call, goals_table, machine, now, throwaway_database, write_results
from run import measured, new_user, seed

HOOKS = 10
RUNS = int(os.environ.get("BENCH_WEBHOOK_RUNS", "3"))
CONCURRENCY = 16


class BlackHole:
    """Accepts connections on 127.0.0.1 and holds them open, reading nothing, answering nothing."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1024)
        self.held = []
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        threading.Thread(target=self.hold, daemon=True).start()

    def hold(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.held:
            connection.close()


def main():
    tmp, database_url, backend = throwaway_database("todo-bench-webhooks-")
    server = Server(database_url, tmp, extra_env={"WEBHOOKS_ALLOW_PRIVATE": "true"})
    hole = BlackHole()
    oha_version = subprocess.run(["oha", "--version"], capture_output=True, text=True).stdout.strip()
    results = {"machine": machine(oha_version), "backend": backend, "when": now(), "runs": {}}
    try:
        plain, hooked = new_user("no-webhooks"), new_user("ten-webhooks")
        for user in (plain, hooked):
            seed(user, 1000)
        for _ in range(HOOKS):
            status, body, _ = call("POST", f"/api/{hooked['id']}/webhooks",
                                   {"url": hole.url, "events": ["*"]}, token=hooked["token"])
            assert status == 201, (status, body)
        time.sleep(1)
        for attempt in range(1, RUNS + 1):
            for user, label in ((plain, "none"), (hooked, f"{HOOKS} at a black hole")):
                row = measured(server, 201, url=f"{BASE}/api/{user['id']}/tasks", method="POST",
                               body={"title": "benchmark task"}, concurrency=CONCURRENCY, token=user["token"])
                results["runs"][f"create, {label}, run {attempt}"] = row
                print(f"create, {label}, run {attempt}: {row}", flush=True)
        results["held_connections"] = len(hole.held)
        results["rss_peak_mib"] = server.status("VmHWM")
    finally:
        server.stop()
        hole.close()
    print(write_results(f"webhooks-{backend}", results, render(results)).read_text())


def median_p99(runs, label):
    p99s = [row["p99_ms"] for name, row in runs.items() if f", {label}, run" in name]
    return statistics.median(p99s) if p99s else None


def render(r):
    m = r["machine"]
    lines = [f"# Webhooks at a dead endpoint ({r['backend']})", "",
             f"{r['when']}, commit {m['commit']}, {m['cores']} cores ({m['cpu']}), {m['load_generator']}.",
             f"Connections the black hole held open at the end: {r.get('held_connections')}.",
             "", f"| scenario (create, c={CONCURRENCY}) | rps | p50 ms | p99 ms | errors |", "|---|---|---|---|---|"]
    for name, row in r["runs"].items():
        lines.append(f"| {name} | {row['rps']} | {row['p50_ms']} | {row['p99_ms']} | {row['errors']} |")
    lines.append("")
    none, hooked = median_p99(r["runs"], "none"), median_p99(r["runs"], f"{HOOKS} at a black hole")
    goals = []
    if none and hooked:
        x = round(hooked / none, 2)
        goals.append((f"create p99 with {HOOKS} webhooks at a black hole within 1.1x of none "
                      f"(median of the runs' p99: {hooked} ms against {none} ms)", f"{x}x", x <= 1.1))
    lines += goals_table("Goals", goals)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
