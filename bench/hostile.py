"""The probes of the second trust review (issue 30), each timed against the release server on
a throwaway database: what one hostile client's request costs now. Writes
bench/results/hostile-<backend>.{md,json}. Standard library only; only 127.0.0.1 is ever
contacted, and every probe is bounded in count.

Knobs: BENCH_DATABASE_URL (PostgreSQL instead of a new SQLite file), BENCH_PORT,
BENCH_BULK_TASKS (12000: the size of the "mark all done" probe).
"""

import json
import os
import pathlib
import socket
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import common

BULK_TASKS = int(os.environ.get("BENCH_BULK_TASKS", "12000"))


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirects)


def status_of(method, path, body=None, token=None, raw=None, headers=None):
    """The status of a request, redirects not followed (an error status is an answer too)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(common.BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json" if raw is None else "application/x-www-form-urlencoded")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with OPENER.open(request, timeout=120) as response:
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        error.read()
        return error.code, error.headers


def browser_session(user):
    """The session cookie of a page login (as the hydrated page signs in)."""
    form = urllib.parse.urlencode({"email": user["email"], "password": common.PASSWORD}).encode()
    _, headers = status_of("POST", "/rpc/login", raw=form,
                           headers={"origin": common.BASE, "accept": "application/json"})
    cookie = next(c for c in headers.get_all("set-cookie") if c.startswith("todo_session="))
    return cookie.split(";", 1)[0]


def rpc(path, cookie, fields):
    form = urllib.parse.urlencode(fields).encode()
    return status_of("POST", path, raw=form,
                     headers={"origin": common.BASE, "accept": "application/json", "cookie": cookie})


def raw_location(target):
    with socket.create_connection((common.HOST, common.PORT), timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nhost: {common.HOST}\r\nconnection: close\r\n\r\n".encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
    for line in head.decode(errors="replace").split("\r\n"):
        if line.lower().startswith("location:"):
            return line.split(":", 1)[1].strip()
    return "(none)"


def database_bytes(tmp):
    return sum(p.stat().st_size for p in pathlib.Path(tmp).glob("bench.db*"))


def export_of(count, **fields):
    task = {"title": "imported", "created_at": "2026-01-06T10:00:00.123456Z", **fields}
    return {"format": "todo-export", "version": 1, "tasks": [task] * count}


def main():
    tmp, database_url, backend = common.throwaway_database("todo-hostile-")
    server = common.Server(database_url, tmp, extra_env={"TASKS_PER_ACCOUNT": str(BULK_TASKS + 1000)})
    run = uuid.uuid4().hex[:8]
    rows = []
    try:
        user = common.sign_up(f"hostile-{run}@example.com", "Hostile")
        other = common.sign_up(f"bystander-{run}@example.com", "Bystander")
        me = f"/api/{user['id']}"

        # 1. Tags: 40,000 distinct ones in one imported task (320 KB).
        tags = [f"t{i}" for i in range(40_000)]
        doc = export_of(1, tags=tags)
        ms, (status, _) = timed(lambda: status_of("POST", f"{me}/import", doc, user["token"]))
        rows.append(("import of one task with 40,000 tags (320 KB)", status, f"{ms:.1f} ms", "8.9 s, 422"))
        line = " ".join(f"#t{i}" for i in range(5_000))
        ms, (status, _) = timed(lambda: status_of("POST", f"{me}/tasks?parse=true", {"title": line}, user["token"]))
        rows.append(("quick add with 5,000 tags (39 KB)", status, f"{ms:.1f} ms", ""))

        # 2. The page's list with a 1 MB search, 300 times; and 1,100 tags.
        cookie = browser_session(user)
        rss_before = server.status("VmRSS")
        q = "x" * 1_000_000
        times = []
        for _ in range(300):
            ms, (status, _) = timed(lambda: rpc("/rpc/tasks/board", cookie, {"params[q]": q, "page": "1"}))
            times.append(ms)
        rss_after = server.status("VmRSS")
        rows.append(("300 × /rpc/tasks/board with a 1 MB q", status,
                     f"median {statistics.median(times):.1f} ms; RSS {rss_before} → {rss_after} MiB",
                     "RSS 78 → 651 MiB, kept"))
        many = ",".join(f"t{i}" for i in range(1_100))
        ms, (status, _) = timed(lambda: status_of("GET", f"{me}/tasks?tag={many}", token=user["token"]))
        rows.append(("GET tasks?tag= 1,100 tags", status, f"{ms:.1f} ms", "500"))

        # 3. Failed plain signups with 1 MB of junk each.
        before = database_bytes(tmp) if backend == "sqlite" else None
        junk = "j" * 500_000
        form = urllib.parse.urlencode({"email": "bad", "name": junk, "password": "x", "junk": junk}).encode()
        started = time.perf_counter()
        statuses = set()
        for _ in range(50):
            status, _ = status_of("POST", "/rpc/signup", raw=form,
                                  headers={"origin": common.BASE, "accept": "text/html",
                                           "referer": common.BASE + "/signup"})
            statuses.add(status)
        ms = (time.perf_counter() - started) * 1000
        grew = "" if before is None else f"; database +{(database_bytes(tmp) - before) / 1e6:.2f} MB"
        rows.append(("50 failed plain signups with 1 MB each", "/".join(map(str, sorted(statuses))),
                     f"{ms:.0f} ms in all{grew}", "2.8 s, +51 MB"))

        # 5. Bulk changes while another user creates tasks: how long that user waits.
        def while_another_writes(action):
            waits = []
            done = threading.Event()

            def bystander():
                while not done.is_set():
                    ms, _ = timed(lambda: status_of("POST", f"/api/{other['id']}/tasks", {"title": "meanwhile"},
                                                    other["token"]))
                    waits.append(ms)

            thread = threading.Thread(target=bystander)
            thread.start()
            ms, (status, _) = timed(action)
            done.set()
            thread.join()
            return status, (f"{ms:.0f} ms; another user's {len(waits)} creates meanwhile: "
                            f"max {max(waits):.0f} ms, median {statistics.median(waits):.1f} ms")

        imports = []
        for start in range(0, BULK_TASKS, 10_000):
            count = min(10_000, BULK_TASKS - start)
            status, figure = while_another_writes(
                lambda: status_of("POST", f"{me}/import", export_of(count), user["token"]))
            assert status == 200, status
            imports.append((count, figure))
        count, figure = imports[0]
        rows.append((f"import of {count:,} tasks (all or nothing, 100 tasks a transaction)", 200, figure,
                     "1461 ms; another user's creates waited up to 1442 ms"))
        status, figure = while_another_writes(
            lambda: rpc("/rpc/tasks/complete-all", cookie, {"completed": "true"}))
        rows.append((f"mark all done on {BULK_TASKS:,} tasks", status, figure, "3 to 4 s; a login waited 2.5 s"))
        status, figure = while_another_writes(lambda: rpc("/rpc/tasks/clear-completed", cookie, {}))
        rows.append((f"clear completed on {BULK_TASKS:,} tasks", status, figure, ""))

        # 6. Open redirects.
        for target in ("//evil.example/?__err=x", "/\\evil.example/?__err=x"):
            rows.append((f"GET {target}", "303", f"Location: {raw_location(target)}", "Location: //evil.example/"))
    finally:
        server.stop()

    results = {"when": common.now(), "backend": backend, "machine": common.machine("python urllib"),
               "probes": [{"probe": p, "status": s, "figure": f, "before": b} for p, s, f, b in rows]}
    lines = [f"# Hostile requests ({backend})", "",
             f"{results['when']}, commit {results['machine']['commit']}, {results['machine']['cores']} cores. "
             "Each probe of the second trust review, against the release server (`make bench`, "
             "`bench/hostile.py`).", "",
             "| probe | status | now | before the fix |", "|---|---|---|---|"]
    lines += [f"| {p} | {s} | {f} | {b} |" for p, s, f, b in rows]
    path = common.write_results(f"hostile-{backend}", results, "\n".join(lines) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
