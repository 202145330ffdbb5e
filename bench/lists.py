#!/usr/bin/env python3
"""`make bench`, issue #32: what lists and sharing cost.

Starts `target/release/todo` on 127.0.0.1 with a fresh SQLite file (or the PostgreSQL
database in BENCH_DATABASE_URL), then measures with oha, side by side on one server:

1. "list (50)" and "create" at 64 connections for a user whose lists are all their own (the
   listing reads one range of the owner's index), then the same for a user who is also an
   editor of someone else's list (every listing then goes through the membership rule), with
   the create filed into that shared list. Goal: the shared figures within 1.2x of the own.
2. The first page (list of 50, 16 connections) of a user with BENCH_LISTS_MANY lists
   (default 200) and BENCH_LISTS_TASKS tasks (default 100,000) spread over them, against
   one whose tasks are all in their Inbox. Goal: within 1.5x. The tasks are imported
   (version 2 documents of at most 10,000 tasks), which is quicker than creating them.

Writes bench/results/lists-<sqlite|postgres>.md and .json (bench/tmp/ under BENCH_ONLY).
Standard library and oha only; only 127.0.0.1 is contacted; every run is bounded in time.
"""

import datetime
import os
import subprocess
import time

from common import BASE, Server, call, goals_table, machine, now, throwaway_database, write_results
from run import measured, new_user, seed, wanted

MANY = int(os.environ.get("BENCH_LISTS_MANY", "200"))
TASKS = int(os.environ.get("BENCH_LISTS_TASKS", "100000"))
PER_IMPORT = 10_000


def import_tasks(user, lists):
    """Imports `lists` ([(name, inbox, count)]) for the user, 10,000 tasks a request."""
    stamp = datetime.datetime.now(datetime.timezone.utc).isoformat()
    batch, held = [], 0

    def send():
        nonlocal batch, held
        if batch:
            document = {"format": "todo-export", "version": 2, "lists": batch}
            status, body, _ = call("POST", f"/api/{user['id']}/import", document, token=user["token"])
            assert status == 200, (status, body)
        batch, held = [], 0

    for name, inbox, count in lists:
        left = count
        while left:
            take = min(left, PER_IMPORT - held)
            tasks = [{"title": f"{name} task {i}", "is_completed": i % 4 == 0, "created_at": stamp,
                      "tags": [f"t{i % 8}"]} for i in range(take)]
            batch.append({"name": name, "inbox": inbox, "tasks": tasks})
            held += take
            left -= take
            if held == PER_IMPORT:
                send()
    send()


def ratio(a, b):
    return round(a / b, 2) if a and b else None


def main():
    tmp, database_url, backend = throwaway_database("todo-bench-lists-")
    server = Server(database_url, tmp)
    oha_version = subprocess.run(["oha", "--version"], capture_output=True, text=True).stdout.strip()
    results = {"machine": machine(oha_version), "backend": backend, "when": now(),
               "sharing": {}, "many_lists": {}}
    try:
        time.sleep(1)
        if wanted("sharing"):
            own, sharer, member = new_user("own"), new_user("sharer"), new_user("member")
            seed(own, 1000)
            seed(member, 1000)
            # The sharer's list, shared with `member` as editor, with a few tasks of its own.
            _, shared, _ = call("POST", f"/api/{sharer['id']}/lists", {"name": "Shared"}, token=sharer["token"])
            call("PUT", f"/api/{sharer['id']}/lists/{shared['id']}/members",
                 {"email": member["email"], "role": "editor"}, token=sharer["token"])
            for user, label in ((own, "own"), (member, "shared")):
                results["sharing"][f"list (50), {label}"] = measured(
                    server, 200, url=f"{BASE}/api/{user['id']}/tasks?limit=50", concurrency=64,
                    token=user["token"])
            results["sharing"]["create, own"] = measured(
                server, 201, url=f"{BASE}/api/{own['id']}/tasks", method="POST",
                body={"title": "benchmark task"}, concurrency=64, token=own["token"])
            results["sharing"]["create, shared"] = measured(
                server, 201, url=f"{BASE}/api/{member['id']}/tasks", method="POST",
                body={"title": "benchmark task", "list_id": shared["id"]}, concurrency=64,
                token=member["token"])
            for name, row in results["sharing"].items():
                print(f"{name:>22} {row}", flush=True)
        if wanted("many"):
            one, many = new_user("one-list"), new_user("many-lists")
            import_tasks(one, [("Inbox", True, TASKS)])
            per = TASKS // MANY
            import_tasks(many, [(f"list {i:03}", False, per + (1 if i < TASKS % MANY else 0))
                                for i in range(MANY)])
            if backend == "postgres":
                subprocess.run(["psql", "-q", database_url, "-c", "analyze"], check=True)
            def first_page(user, label):
                _, first, _ = call("GET", f"/api/{user['id']}/tasks?limit=1", token=user["token"])
                row = measured(server, 200, url=f"{BASE}/api/{user['id']}/tasks?limit=50",
                               concurrency=16, token=user["token"])
                row["tasks"] = first["total"]
                results["many_lists"][label] = row
                print(f"first page, {label}: {row}", flush=True)

            first_page(one, "1 list")
            first_page(many, f"{MANY} lists")
            # Once a list of someone else's is shared with them, their listing reads their
            # own lists and the shared ones apart, and merges them.
            sharer = new_user("sharer-of-one")
            _, shared, _ = call("POST", f"/api/{sharer['id']}/lists", {"name": "Theirs"}, token=sharer["token"])
            call("PUT", f"/api/{sharer['id']}/lists/{shared['id']}/members",
                 {"email": many["email"], "role": "viewer"}, token=sharer["token"])
            import_tasks(sharer, [("Theirs", False, 1000)])
            first_page(many, f"{MANY} lists and 1 shared with them")
        results["rss_peak_mib"] = server.status("VmHWM")
    finally:
        server.stop()
    print(write_results(f"lists-{backend}", results, render(results)).read_text())


def render(r):
    m = r["machine"]
    lines = [f"# Lists and sharing ({r['backend']})", "",
             f"{r['when']}, commit {m['commit']}, {m['cores']} cores ({m['cpu']}), {m['load_generator']}.",
             "", "| scenario | rps | p50 ms | p99 ms | errors |", "|---|---|---|---|---|"]
    for section in ("sharing", "many_lists"):
        for name, row in r[section].items():
            label = name if section == "sharing" else f"first page (50, c=16), {name} ({row['tasks']} tasks)"
            lines.append(f"| {label} | {row['rps']} | {row['p50_ms']} | {row['p99_ms']} | {row['errors']} |")
    lines.append("")
    s, g = r["sharing"], r["many_lists"]
    goals = []
    for what in ("list (50)", "create"):
        own, shared = s.get(f"{what}, own"), s.get(f"{what}, shared")
        if own and shared:
            x = ratio(shared["p99_ms"], own["p99_ms"])
            goals.append((f"{what} at 64, shared list p99 within 1.2x of own", f"{x}x", x is not None and x <= 1.2))
    one = g.get("1 list")
    for name, row in g.items():
        if one and name != "1 list":
            x = ratio(row["p99_ms"], one["p99_ms"])
            goals.append((f"first page with {name} within 1.5x of 1 list (p99)", f"{x}x", x is not None and x <= 1.5))
    lines += goals_table("Goals", goals)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
