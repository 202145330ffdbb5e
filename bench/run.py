#!/usr/bin/env python3
"""`make bench`: load the release server on a throwaway database and write the figures.

Starts `target/release/todo` on 127.0.0.1 with a fresh SQLite file (or the PostgreSQL
database in BENCH_DATABASE_URL), seeds users and tasks through the API, drives every
scenario with oha from a separate process at 1, 16, 64 and 256 connections, and writes
bench/results/latest.md and bench/results/latest.json. Only 127.0.0.1 is ever contacted;
every run is bounded in time or in request count.
"""

import datetime
import json
import os
import pathlib
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from common import BASE, ONLY, PASSWORD, Server, call, goals_table, machine, now, sign_up, throwaway_database, write_results

DURATION = os.environ.get("BENCH_DURATION", "5s")
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,16,64,256").split(",")]
GROWTH = [int(n) for n in os.environ.get("BENCH_GROWTH", "1000,10000,100000").split(",")]
# Writes are measured at 10 connections too: the level their goals are set at.
WRITE_LEVELS = sorted(set(CONCURRENCY) | {10})
# SQLite: how long the sustained write load runs while the write-ahead log is watched.
WAL_SECONDS = int(os.environ.get("BENCH_WAL_SECONDS", "60"))


def wanted(name):
    return not ONLY or name in ONLY


def new_user(label):
    return sign_up(f"{label}-{time.time_ns()}@bench.example", label)


def oha(url, concurrency, *, method="GET", body=None, token=None, headers=None, duration=None, count=None):
    """Runs oha and returns its JSON summary."""
    args = ["oha", "--no-tui", "--output-format", "json", "-c", str(concurrency), "-m", method]
    if count is not None:
        args += ["-n", str(count)]
    else:
        args += ["-z", duration or DURATION]
    if body is not None:
        args += ["-d", json.dumps(body), "-T", "application/json"]
    if token:
        args += ["-H", f"authorization: Bearer {token}"]
    for k, v in (headers or {}).items():
        args += ["-H", f"{k}: {v}"]
    out = subprocess.run(args + [url], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def seed(user, n, concurrency=64):
    """Creates n tasks for the user through the API (the realistic path)."""
    if n <= 0:
        return
    report = oha(f"{BASE}/api/{user['id']}/tasks", concurrency, method="POST",
                 body={"title": "seeded task", "description": "made by make bench"},
                 token=user["token"], count=n)
    created = report["statusCodeDistribution"].get("201", 0)
    if created != n:
        sys.exit(f"seeding failed: {created} of {n} created: {report['statusCodeDistribution']}")


# Words that make the seeded tasks searchable apart: each is in 1/16 of the titles.
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"]
PRIORITIES = ["none", "low", "medium", "high"]


def seed_varied(user, n, concurrency=64, chunk=100):
    """Creates n tasks for the user through the API in 16 kinds, so every filter and sort has
    something to do: a word of its own, a priority, a due date (none for some), two tags.
    The kinds are interleaved in chunks of about `chunk` tasks, as a user's tasks mix over
    time (a kind made all at once would put its tasks in one stretch of the created order)."""
    today = datetime.date.today()
    kinds = len(WORDS)
    per_kind = [n // kinds + (1 if k < n % kinds else 0) for k in range(kinds)]
    rounds = max(1, -(-max(per_kind) // chunk))
    for r in range(rounds):
        for k, word in enumerate(WORDS):
            count = per_kind[k] // rounds + (1 if r < per_kind[k] % rounds else 0)
            if count == 0:
                continue
            # Dates move from chunk to chunk, so no kind owns a stretch of the due order.
            due = None if k % 5 == 0 else \
                (today + datetime.timedelta(days=(k * 7 + r * 3) % 60 - 20)).isoformat()
            body = {"title": f"{word} seeded task {k}", "description": "made by make bench",
                    "priority": PRIORITIES[k % 4], "due_date": due, "tags": [f"t{k % 8}", "bench"]}
            report = oha(f"{BASE}/api/{user['id']}/tasks", min(concurrency, count), method="POST",
                         body=body, token=user["token"], count=count)
            created = report["statusCodeDistribution"].get("201", 0)
            if created != count:
                sys.exit(f"seeding failed: {created} of {count} created: {report['statusCodeDistribution']}")


# The organising queries measured as one user's list grows (first page, and a deep page by
# cursor); search on its own.
ORGANISE_QUERIES = [
    "status=active", "priority=high", "tag=t3", "tag=t3,bench&priority=high",
    "due_before={soon}", "overdue=true", "sort=updated", "sort=due", "sort=due&order=desc",
    "sort=priority", "sort=priority&order=asc", "sort=title", "sort=created&order=asc",
    "status=active&sort=due&priority=medium,high",
]
ORGANISE_DURATION = os.environ.get("BENCH_ORGANISE_DURATION", "2s")


def organise(server, grower, n):
    """Every filter and sort at n tasks: the first page and the deepest page by cursor, list
    (50) at 16 connections; search p50 at 1 connection."""
    soon = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    base = f"{BASE}/api/{grower['id']}/tasks?limit=50"
    rows = {}
    for query in ORGANISE_QUERIES:
        query = query.format(soon=soon)
        _, first_page, _ = call("GET", f"/api/{grower['id']}/tasks?limit=1&{query}", token=grower["token"])
        total = first_page["total"]
        first = measured(server, 200, url=f"{base}&{query}", concurrency=16,
                         token=grower["token"], duration=ORGANISE_DURATION)
        row = {"total": total, "first_page": first}
        if total > 51:
            _, before_last, _ = call("GET", f"/api/{grower['id']}/tasks?limit=1&offset={total - 51}&{query}",
                                     token=grower["token"])
            row["deep_page"] = measured(server, 200,
                                        url=f"{base}&{query}&cursor={before_last['next_cursor']}",
                                        concurrency=16, token=grower["token"], duration=ORGANISE_DURATION)
        rows[query.replace(soon, "{soon}")] = row
        print(f"organise {n} {query}: {row}", flush=True)
    for q in ["q=bravo", "q=bra", "q=seeded%20char", "q=bravo&tag=t1&status=active"]:
        rows[q] = {"first_page": measured(server, 200, url=f"{base}&{q}", concurrency=1,
                                          token=grower["token"], duration=ORGANISE_DURATION),
                   "total": call("GET", f"/api/{grower['id']}/tasks?limit=1&{q}", token=grower["token"])[1]["total"]}
        print(f"organise {n} {q}: {rows[q]}", flush=True)
    return rows



def summarize(report, expected, cpu_seconds, also_fine=()):
    codes = report.get("statusCodeDistribution", {})
    requests = sum(codes.values())
    fine = codes.get(str(expected), 0) + sum(codes.get(str(c), 0) for c in also_fine)
    # Requests still in flight when a timed run ends are cut off by oha, not failed by us.
    failures = {k: v for k, v in report.get("errorDistribution", {}).items() if "deadline" not in k}
    errors = requests - fine + sum(failures.values())
    p = report.get("latencyPercentiles", {})
    # What the errors were: each unexpected status and each failure, with its count.
    unexpected = {k: v for k, v in codes.items() if k != str(expected)}
    return {
        "unexpected": {**unexpected, **failures},
        "requests": requests,
        "rps": round(report["summary"]["requestsPerSec"], 1),
        "p50_ms": round((p.get("p50") or 0) * 1000, 2),
        "p99_ms": round((p.get("p99") or 0) * 1000, 2),
        "errors": errors,
        "cpu_ms_per_1000": round(cpu_seconds / requests * 1000 * 1000, 1) if requests else None,
    }


def measured(server, expected, also_fine=(), **kwargs):
    before = server.cpu_seconds()
    report = oha(**kwargs)
    summary = summarize(report, expected, server.cpu_seconds() - before, also_fine)
    summary["rss_mib_after"] = server.status("VmRSS")
    summary["rss_mib_peak_so_far"] = server.status("VmHWM")
    return summary


def main():
    tmp, database_url, backend = throwaway_database("todo-bench-")
    server = Server(database_url, tmp)
    oha_version = subprocess.run(["oha", "--version"], capture_output=True, text=True).stdout.strip()
    results = {"machine": machine(oha_version), "backend": backend, "duration": DURATION,
               "when": now(),
               "scenarios": {}, "growth": [], "organise": {}, "interference": {}, "resources": {}}
    try:
        time.sleep(1)
        results["resources"]["rss_idle_mib"] = server.status("VmRSS")

        reader = new_user("reader")
        seed(reader, 1000)
        _, page, _ = call("GET", f"/api/{reader['id']}/tasks?limit=1", token=reader["token"])
        task_id = page["tasks"][0]["id"]
        writer = new_user("writer")
        seed(writer, 10)
        _, page, _ = call("GET", f"/api/{writer['id']}/tasks?limit=1", token=writer["token"])
        writer_task = page["tasks"][0]["id"]

        # A browser session for the server-rendered page.
        form = f"email={urllib.parse.quote(reader['email'])}&password={urllib.parse.quote(PASSWORD)}"
        request = urllib.request.Request(BASE + "/rpc/login", data=form.encode(), method="POST")
        request.add_header("content-type", "application/x-www-form-urlencoded")
        request.add_header("accept", "application/json")
        with urllib.request.urlopen(request) as response:
            cookie = response.headers["set-cookie"].split(";")[0]

        tasks_url = f"{BASE}/api/{reader['id']}/tasks"
        one_url = f"{tasks_url}/{task_id}"
        writer_url = f"{BASE}/api/{writer['id']}/tasks/{writer_task}"
        scenarios = {
            "healthz": dict(url=f"{BASE}/healthz"),
            "list (50)": dict(url=f"{tasks_url}?limit=50", token=reader["token"]),
            "get one": dict(url=one_url, token=reader["token"]),
            # Writes also at 10 connections: the level the write goals are set at.
            "create": dict(url=f"{BASE}/api/{writer['id']}/tasks", method="POST",
                           body={"title": "benchmark task"}, token=writer["token"], expected=201,
                           levels=WRITE_LEVELS),
            "complete": dict(url=f"{writer_url}/complete", method="PATCH",
                             body={"is_completed": True}, token=writer["token"], levels=WRITE_LEVELS),
            "update": dict(url=writer_url, method="PUT",
                           body={"title": "updated title", "description": "x"}, token=writer["token"]),
            # One account logging in over and over meets the login limit by design (429), and
            # at 256 connections the password queue is full (503, with Retry-After): both are
            # counted apart (`unexpected`), not as errors.
            "login": dict(url=f"{BASE}/api/auth/login", method="POST",
                          body={"email": reader["email"], "password": PASSWORD}, also_fine=(429, 503)),
            "/tasks page": dict(url=f"{BASE}/tasks", headers={"cookie": cookie, "accept": "text/html"}),
        }
        for name, spec in scenarios.items():
            if not wanted(name):
                continue
            expected = spec.pop("expected", 200)
            levels = spec.pop("levels", CONCURRENCY)
            also_fine = spec.pop("also_fine", ())
            results["scenarios"][name] = {}
            for c in levels:
                results["scenarios"][name][c] = measured(server, expected, also_fine, concurrency=c, **spec)
                print(f"{name:>12} c={c:<3} {results['scenarios'][name][c]}", flush=True)

        # Delete: every request removes a different task, so each level deletes a fixed count.
        for c in CONCURRENCY if wanted("delete") else []:
            results["scenarios"].setdefault("delete", {})
            victim = new_user(f"deleter{c}")
            count = max(400, c * 4)
            seed(victim, count)
            _, listing, _ = call("GET", f"/api/{victim['id']}/tasks?limit=1", token=victim["token"])
            ids = []
            offset = 0
            while offset < count:
                _, listing, _ = call("GET", f"/api/{victim['id']}/tasks?limit=100&offset={offset}", token=victim["token"])
                ids += [t["id"] for t in listing["tasks"]]
                offset += 100
            urls = pathlib.Path(tmp) / f"delete-{c}.txt"
            urls.write_text("\n".join(f"{BASE}/api/{victim['id']}/tasks/{i}" for i in ids) + "\n")
            before = server.cpu_seconds()
            args = ["oha", "--no-tui", "--output-format", "json", "-c", str(c), "-m", "DELETE",
                    "-n", str(len(ids)), "-H", f"authorization: Bearer {victim['token']}",
                    "--urls-from-file", str(urls)]
            report = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
            # oha draws URLs from the file at random, so some draws repeat a task deleted
            # already: those 404s are the generator's doing and are reported apart.
            summary = summarize(report, 204, server.cpu_seconds() - before, also_fine=(404,))
            summary["repeat_404"] = report["statusCodeDistribution"].get("404", 0)
            results["scenarios"]["delete"][c] = summary
            print(f"{'delete':>12} c={c:<3} {results['scenarios']['delete'][c]}", flush=True)

        # Growth: list latency as one user's task count grows.
        grower = new_user("grower")
        have = 0
        for n in GROWTH if wanted("growth") or wanted("organise") else []:
            seed_varied(grower, n - have, concurrency=64)
            have = n
            if backend == "postgres":
                # What autovacuum does a little after a bulk load; measuring before it would
                # time plans made without statistics.
                subprocess.run(["psql", "-q", database_url, "-c", "analyze tasks, task_tags"], check=True)
            if wanted("organise") and n in (1000, 100000):
                results["organise"][n] = organise(server, grower, n)
            if not wanted("growth"):
                continue
            url = f"{BASE}/api/{grower['id']}/tasks?limit=50"
            first = measured(server, 200, url=url, concurrency=16, token=grower["token"])
            # The deep page, reached as a client paging through would: by the cursor of the
            # page before it. The same page by offset shows what the cursor saves.
            _, before_last, _ = call("GET", f"/api/{grower['id']}/tasks?limit=1&offset={n - 51}",
                                     token=grower["token"])
            deep_url = f"{url}&cursor={before_last['next_cursor']}"
            deep = measured(server, 200, url=deep_url, concurrency=16, token=grower["token"])
            deep_offset = measured(server, 200, url=f"{url}&offset={n - 50}", concurrency=16,
                                   token=grower["token"])
            results["growth"].append({"tasks": n, "first_page": first, "deep_page": deep,
                                      "deep_page_by_offset": deep_offset})
            print(f"growth {n}: first {first} deep {deep} deep by offset {deep_offset}", flush=True)

        # Interference: logins at 16 while lists run at 16.
        if wanted("interference"):
            interference(server, results, reader, tasks_url)
        if wanted("wal") and backend == "sqlite":
            wal_soak(results, database_url, writer, writer_url)
        results["resources"]["rss_peak_mib"] = server.status("VmHWM")
        results["resources"]["note"] = "cpu_ms_per_1000 is server CPU time (user+system) per 1,000 requests"
    finally:
        server.stop()

    print(write_results("latest", results, render(results)).read_text())


def wal_soak(results, database_url, writer, writer_url):
    """Creates, updates and completes at 64 connections for WAL_SECONDS, sampling the size of
    SQLite's write-ahead log every second: it must stay bounded while writes go on."""
    wal = pathlib.Path(database_url.split("://", 1)[1] + "-wal")
    token = ["-H", f"authorization: Bearer {writer['token']}", "-T", "application/json"]
    loads = [
        ("POST", {"title": "soak", "description": "x" * 200}, f"{BASE}/api/{writer['id']}/tasks", 32),
        ("PUT", {"title": "soaked", "description": "y" * 200}, writer_url, 16),
        ("PATCH", {"is_completed": True}, f"{writer_url}/complete", 16),
    ]
    procs = [subprocess.Popen(["oha", "--no-tui", "--output-format", "json", "-c", str(c),
                               "-z", f"{WAL_SECONDS}s", "-m", method, "-d", json.dumps(body)]
                              + token + [url], stdout=subprocess.PIPE, text=True)
             for method, body, url, c in loads]
    sizes = []
    while any(p.poll() is None for p in procs):
        sizes.append(wal.stat().st_size if wal.exists() else 0)
        time.sleep(1)
    reports = [json.loads(p.communicate()[0]) for p in procs]
    codes = {}
    for report in reports:
        for code, n in report.get("statusCodeDistribution", {}).items():
            codes[code] = codes.get(code, 0) + n
    mib = lambda b: round(b / 1024 / 1024, 1)
    results["wal"] = {"seconds": WAL_SECONDS, "writes": sum(codes.values()), "status_codes": codes,
                      "wal_peak_mib": mib(max(sizes, default=0)), "wal_end_mib": mib(sizes[-1] if sizes else 0),
                      "database_mib": mib(pathlib.Path(database_url.split("://", 1)[1]).stat().st_size)}
    print(f"wal soak: {results['wal']}", flush=True)


def interference(server, results, reader, tasks_url):
    """List requests at 16 connections while 16 connections log in, against list alone."""
    login = subprocess.Popen(["oha", "--no-tui", "--output-format", "json", "-c", "16", "-z", DURATION,
                              "-m", "POST", "-T", "application/json",
                              "-d", json.dumps({"email": reader["email"], "password": PASSWORD}),
                              f"{BASE}/api/auth/login"], stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    loaded = measured(server, 200, url=f"{tasks_url}?limit=50", concurrency=16, token=reader["token"])
    login.communicate()
    alone = results["scenarios"].get("list (50)", {}).get(16) or \
        measured(server, 200, url=f"{tasks_url}?limit=50", concurrency=16, token=reader["token"])
    results["interference"] = {"list_p99_ms_unloaded": alone["p99_ms"],
                               "list_p99_ms_with_logins": loaded["p99_ms"], "list_with_logins": loaded}


def render(r):
    m = r["machine"]
    lines = [
        "# Benchmark results", "",
        f"Commit `{m['commit']}`, {r['when']}, backend **{r['backend']}**, release build, "
        f"{r['duration']} per run, load from {m['load_generator']} on 127.0.0.1.", "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}.", "",
    ]
    for name, levels in r["scenarios"].items():
        lines += [f"## {name}", "", "| connections | req/s | p50 ms | p99 ms | errors | server CPU ms / 1000 req |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for c, s in levels.items():
            lines.append(f"| {c} | {s['rps']} | {s['p50_ms']} | {s['p99_ms']} | {s['errors']} | {s['cpu_ms_per_1000']} |")
        lines.append("")
    if "delete" in r["scenarios"]:
        lines += ["Delete: oha draws each URL at random from the list of existing tasks, so some "
              "requests repeat a task already deleted; those 404s are counted in req/s but not "
                  "as errors (see `repeat_404` in latest.json).", ""]
    if "login" in r["scenarios"]:
        levels = r["scenarios"]["login"].values()
        limited = sum(s.get("unexpected", {}).get("429", 0) for s in levels)
        full = sum(s.get("unexpected", {}).get("503", 0) for s in levels)
        lines += [f"Login: one account logs in over and over, so the login limit answers some with "
                  f"429 ({limited} in all), and a full password queue some with 503 and Retry-After "
                  f"({full}); neither is counted as an error.", ""]
    if r["growth"]:
        lines += ["## Growth: list (50) at 16 connections", "",
                  "The deep page is the last page, reached by the cursor of the page before it (as a "
                  "client paging through does); by offset for comparison.", "",
                  "| tasks | first page p50 ms | first page p99 ms | deep page p50 ms | deep page p99 ms "
                  "| deep by offset p50 ms | deep by offset p99 ms |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for g in r["growth"]:
            o = g["deep_page_by_offset"]
            lines.append(f"| {g['tasks']} | {g['first_page']['p50_ms']} | {g['first_page']['p99_ms']} | "
                         f"{g['deep_page']['p50_ms']} | {g['deep_page']['p99_ms']} | {o['p50_ms']} | {o['p99_ms']} |")
        lines.append("")
    o = r.get("organise") or {}
    if o:
        sizes = sorted(o, key=int)
        lines += ["## Organising: filters, sorts and search as one user's list grows", "",
                  "List (50) p50 in ms at 16 connections, first page and the deepest page (by the "
                  "cursor of the page before it); search at 1 connection. `{soon}` is three days "
                  "from today.", "",
                  "| query | " + " | ".join(f"matches at {n}" for n in sizes) + " | "
                  + " | ".join(f"first p50 at {n}" for n in sizes) + " | "
                  + " | ".join(f"deep p50 at {n}" for n in sizes) + " |",
                  "|---|" + "---:|" * (3 * len(sizes))]
        for query in o[sizes[0]]:
            cells = [str(o[n].get(query, {}).get("total", "")) for n in sizes]
            cells += [str(o[n].get(query, {}).get("first_page", {}).get("p50_ms", "")) for n in sizes]
            cells += [str(o[n].get(query, {}).get("deep_page", {}).get("p50_ms", "")) for n in sizes]
            lines.append(f"| `{query}` | " + " | ".join(cells) + " |")
        lines.append("")
    i = r["interference"]
    if i:
        lines += ["## Interference", "",
                  f"List (50) p99 at 16 connections: {i['list_p99_ms_unloaded']} ms alone, "
                  f"{i['list_p99_ms_with_logins']} ms while 16 connections log in.", ""]
    w = r.get("wal")
    if w:
        lines += ["## Write-ahead log under sustained writes", "",
                  f"{w['writes']} writes in {w['seconds']} s at 64 connections (creates, updates, "
                  f"completes; status codes {w['status_codes']}): the WAL peaked at {w['wal_peak_mib']} MiB "
                  f"and ended at {w['wal_end_mib']} MiB beside a {w['database_mib']} MiB database.", ""]
    res = r["resources"]
    lines += ["## Resources", "",
              f"Server RSS: {res['rss_idle_mib']} MiB idle, {res['rss_peak_mib']} MiB peak (VmHWM).", ""]
    lines += goals_table("Targets", check_targets(r))
    return "\n".join(lines)


def check_targets(r):
    """The issue's targets, each with the figure it is judged on (only those this run measured)."""
    sc = r["scenarios"]
    out = []
    if len(sc) == 9 and all(len(levels) >= len(CONCURRENCY) for levels in sc.values()):
        errors = sum(s["errors"] for levels in sc.values() for s in levels.values())
        out.append(("0 errors at every concurrency", f"{errors} errors", errors == 0))
    if 64 in sc.get("healthz", {}) and 64 in sc.get("get one", {}):
        ratio = sc["get one"][64]["rps"] / sc["healthz"][64]["rps"]
        out.append(("get one >= 35% of /healthz req/s at 64", f"{ratio:.0%}", ratio >= 0.35))
    if 64 in sc.get("list (50)", {}):
        p99 = sc["list (50)"][64]["p99_ms"]
        out.append(("list (50) p99 < 15 ms at 64", f"{p99} ms", p99 < 15))
        if 64 in sc.get("/tasks page", {}):
            ratio = sc["/tasks page"][64]["rps"] / sc["list (50)"][64]["rps"]
            out.append(("/tasks page >= 25% of list req/s at 64", f"{ratio:.0%}", ratio >= 0.25))
    # The write goals, at 10 connections of one user (the same on both engines but for the
    # p99 of a create: 10 ms on SQLite, 15 on PostgreSQL).
    create, complete = sc.get("create", {}).get(10), sc.get("complete", {}).get(10)
    if create:
        limit = 10 if r["backend"] == "sqlite" else 15
        out.append(("create >= 2,000 req/s at 10", f"{create['rps']:.0f} req/s", create["rps"] >= 2000))
        out.append((f"create p99 < {limit} ms at 10", f"{create['p99_ms']} ms", create["p99_ms"] < limit))
    if complete:
        floor = 2500 if r["backend"] == "sqlite" else 2000
        out.append((f"complete >= {floor:,} req/s at 10", f"{complete['rps']:.0f} req/s", complete["rps"] >= floor))
        if r["backend"] == "postgres":
            out.append(("complete p99 < 15 ms at 10", f"{complete['p99_ms']} ms", complete["p99_ms"] < 15))
    g = {row["tasks"]: row for row in r["growth"]}
    if 1000 in g and 100000 in g:
        for part in ("first_page", "deep_page"):
            ratio = g[100000][part]["p50_ms"] / g[1000][part]["p50_ms"]
            out.append((f"list at 100k within 1.5x of 1k, {part.replace('_', ' ')} (p50)", f"{ratio:.2f}x", ratio <= 1.5))
    o = {int(k): v for k, v in (r.get("organise") or {}).items()}
    if 1000 in o and 100000 in o:
        worst = (0, "")
        for query, small in o[1000].items():
            big = o[100000].get(query, {})
            if query.startswith("q="):
                continue
            for part in ("first_page", "deep_page"):
                if part in small and part in big and small[part]["p50_ms"]:
                    ratio = big[part]["p50_ms"] / small[part]["p50_ms"]
                    worst = max(worst, (ratio, f"{query} {part.replace('_', ' ')}"))
        out.append(("every filter and sort at 100k within 2x of 1k (p50)",
                    f"worst {worst[0]:.2f}x ({worst[1]})", worst[0] <= 2))
        search = max(v["first_page"]["p50_ms"] for q, v in o[100000].items() if q.startswith("q="))
        out.append(("search p50 < 20 ms at 100k", f"slowest {search} ms", search < 20))
    i = r["interference"]
    if i:
        ratio = i["list_p99_ms_with_logins"] / i["list_p99_ms_unloaded"]
        out.append(("logins at 16 raise list p99 at most 3x", f"{ratio:.2f}x", ratio <= 3))
    w = r.get("wal")
    if w:
        out.append(("WAL bounded under sustained writes (peak < 128 MiB)", f"{w['wal_peak_mib']} MiB",
                    w["wal_peak_mib"] < 128))
    peak = r["resources"].get("rss_peak_mib")
    if peak is not None and not ONLY:
        out.append(("peak RSS < 120 MiB", f"{peak} MiB", peak < 120))
    return out


if __name__ == "__main__":
    main()
