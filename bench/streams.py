#!/usr/bin/env python3
"""`make bench`, issue #14: how many event streams one instance holds, and how soon a commit
reaches them.

Starts `target/release/todo` on 127.0.0.1 with a fresh SQLite file (or the PostgreSQL
database in BENCH_DATABASE_URL), signs up BENCH_STREAMS_USERS users, then:

1. latency ("streams-latency"): opens BENCH_STREAMS_LATENCY_AT streams (default 1,000)
   spread over the users, creates BENCH_STREAMS_TASKS tasks at BENCH_STREAMS_RATE a second
   and times each `task.created` event from just before its POST was sent to its arrival on
   every stream of the task's owner: an upper bound on commit-to-event, since it includes
   the request itself. Every expected delivery must arrive, once, on the right streams.
2. holding ("streams-holding"): keeps those streams and opens more, in batches, up to
   BENCH_STREAMS_MAX (default 10,000), noting the server's RSS every 1,000 and stopping at the
   first stream that cannot be opened; then holds them a few seconds and counts what is still
   open.

Latency comes first so that it is measured on exactly the streams it names: streams closed
by the client are only noticed by the server on its next write to them.

Writes bench/results/streams-<sqlite|postgres>.md and .json (bench/tmp/ when the run broke
off, or when BENCH_ONLY names parts: "streams" for both, or "streams-latency",
"streams-holding"; a BENCH_ONLY that names neither skips this script). Standard library only; only 127.0.0.1 is contacted; every
wait has a deadline and the whole run is cut off after BENCH_STREAMS_BUDGET_SECS. Exits 1
when an event went missing, arrived twice or reached another user's stream.
"""

import asyncio
import concurrent.futures
import ctypes
import http.client
import json
import math
import os
import platform
import resource
import signal
import socket
import sys
import threading
import time
import uuid

from common import HOST, ONLY, PORT, Server, goals_table, machine, now, sign_up, throwaway_database, write_results

USERS = int(os.environ.get("BENCH_STREAMS_USERS", "100"))
STREAMS_MAX = int(os.environ.get("BENCH_STREAMS_MAX", "10000"))
LATENCY_AT = int(os.environ.get("BENCH_STREAMS_LATENCY_AT", "1000"))
TASKS = int(os.environ.get("BENCH_STREAMS_TASKS", "300"))
RATE = float(os.environ.get("BENCH_STREAMS_RATE", "50"))
BATCH = int(os.environ.get("BENCH_STREAMS_BATCH", "500"))
BUDGET_SECS = int(os.environ.get("BENCH_STREAMS_BUDGET_SECS", "240"))

# Deadlines of the single steps (seconds).
OPEN_TIMEOUT = 10       # connecting a stream and reading its response head
POST_TIMEOUT = 10       # one create request
DELIVERY_GRACE = 10     # after the last create, for the last events to arrive
HOLD_SECS = 3           # at the largest count, before counting what is still open

GOAL_STREAMS = 10_000
GOAL_RSS_MB = 200
GOAL_LATENCY_STREAMS = 1_000
GOAL_P99_MS = 50


def wanted(part):
    return not ONLY or "streams" in ONLY or part in ONLY


def new_user(run_id, index):
    user = sign_up(f"streams-{run_id}-{index}@bench.example", f"s{index}")
    return {"index": index, **user}


def raise_fd_limit():
    """Soft RLIMIT_NOFILE up to the hard limit; the new soft limit."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def start_server(database_url, data_dir):
    """The server with room for every stream the bench opens; it goes when this script does,
    even if the script is killed outright."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        prctl = None

    def in_child():
        raise_fd_limit()
        if prctl is not None:
            prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    # Far more streams per user than a person would open: the per-user cap is the feature's,
    # not the bench's.
    return Server(database_url, data_dir, extra_env={"EVENT_STREAMS_PER_USER": "100000"},
                  preexec_fn=in_child)


class Refused(Exception):
    """A stream answered with something other than a 200 event stream."""


class ChunkedBody:
    """Decodes an HTTP/1.1 chunked body as it arrives."""

    def __init__(self):
        self.buffer = bytearray()
        self.left = 0  # bytes still to come of the current chunk
        self.state = "size"

    def feed(self, data):
        self.buffer += data
        out = bytearray()
        while True:
            if self.state == "size":
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    break
                size = int(bytes(self.buffer[:end]).split(b";")[0].strip(), 16)
                del self.buffer[:end + 2]
                self.left, self.state = size, ("data" if size else "done")
            elif self.state == "data":
                if not self.buffer:
                    break
                taken = self.buffer[:self.left]
                out += taken
                del self.buffer[:len(taken)]
                self.left -= len(taken)
                if self.left == 0:
                    self.state = "crlf"
            elif self.state == "crlf":
                if len(self.buffer) < 2:
                    break
                if self.buffer[:2] != b"\r\n":
                    raise ValueError("a chunk does not end with CRLF")
                del self.buffer[:2]
                self.state = "size"
            else:  # "done": the last chunk came; the server ended the stream
                break
        return bytes(out)


class EventParser:
    """Splits a text/event-stream into events (id, event, data), as an EventSource does.
    Lines end with LF or CRLF (a lone CR, which the format also allows, is not expected here)."""

    def __init__(self):
        self.partial = b""
        self.fields = {}
        self.data = []

    def feed(self, data):
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()
        events = []
        for line in lines:
            line = line.decode()
            if line.endswith("\r"):
                line = line[:-1]
            if not line:
                if self.data:
                    events.append({**self.fields, "data": "\n".join(self.data)})
                self.fields, self.data = {}, []
            elif line.startswith(":"):
                continue
            else:
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "data":
                    self.data.append(value)
                elif name in ("id", "event"):
                    self.fields[name] = value
        return events


class EventStream(asyncio.Protocol):
    """One `GET /api/{user_id}/events` connection. Reads all the time, so the server's writes
    never stall on it; when `timed`, parses the events and notes when each task.created came."""

    def __init__(self, user, timed):
        self.user = user
        self.timed = timed
        self.head = asyncio.get_running_loop().create_future()
        self.raw = bytearray()
        self.streaming = False  # a 200 event-stream head has been read
        self.body = None
        self.events = EventParser()
        self.created = []  # (title, owner id, arrival)
        self.other_events = 0
        self.open = False
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        self.open = True
        transport.write((f"GET /api/{self.user['id']}/events HTTP/1.1\r\nHost: {HOST}:{PORT}\r\n"
                         f"Authorization: Bearer {self.user['token']}\r\n"
                         "Accept: text/event-stream\r\n\r\n").encode())

    def data_received(self, data):
        arrival = time.perf_counter()  # before any parsing: the client's own delay stays small
        if not self.streaming:
            if self.head.done():  # refused, or given up on after OPEN_TIMEOUT
                return
            self.raw += data
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            data = bytes(self.raw[end + 4:])
            if not self.read_head(bytes(self.raw[:end]).decode("latin-1"), data):
                return
        if not self.timed:
            return
        for event in self.events.feed(self.body.feed(data) if self.body else data):
            if event.get("event") == "task.created":
                task = json.loads(event["data"])
                self.created.append((task.get("title"), task.get("user_id"), arrival))
            else:
                self.other_events += 1

    def read_head(self, head, rest):
        """Checks the response head; True when the event stream has begun."""
        lines = head.split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if status != 200 or not headers.get("content-type", "").startswith("text/event-stream"):
            self.head.set_exception(Refused(f"HTTP {status} {headers.get('content-type', '')}: "
                                            f"{rest[:200].decode('utf-8', 'replace')}"))
            self.transport.abort()
            return False
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self.body = ChunkedBody()
        self.streaming = True
        self.head.set_result(status)
        return True

    def eof_received(self):
        self.open = False
        return False

    def connection_lost(self, exc):
        self.open = False
        if not self.head.done():
            self.head.set_exception(ConnectionError(f"closed before the response head: {exc}"))

    def close(self):
        if self.transport is not None:
            self.transport.abort()
        self.open = False


async def open_stream(user, timed):
    loop = asyncio.get_running_loop()
    stream = EventStream(user, timed)

    async def connect_and_read_head():
        await loop.create_connection(lambda: stream, HOST, PORT)
        await stream.head

    try:
        await asyncio.wait_for(connect_and_read_head(), OPEN_TIMEOUT)
    except BaseException:
        stream.close()
        raise
    return stream


def describe(error):
    if isinstance(error, TimeoutError):
        return "timed out"
    return f"{type(error).__name__}: {error}"[:300]


async def open_up_to(streams, users, target, timed, server, samples):
    """Opens streams in batches until `target` are open; a sample of the server's RSS at every
    1,000. Returns why it stopped early, or None."""
    while len(streams) < target:
        batch = range(len(streams), min(target, len(streams) + BATCH))
        outcomes = await asyncio.gather(*(open_stream(users[i % len(users)], timed) for i in batch),
                                        return_exceptions=True)
        failures = {}
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                failures[describe(outcome)] = failures.get(describe(outcome), 0) + 1
            else:
                streams.append(outcome)
        before = samples[-1]["streams"] if samples else 0
        if len(streams) // 1000 > before // 1000 or failures or len(streams) >= target:
            await asyncio.sleep(0.3)
            samples.append({"streams": len(streams), "open": sum(s.open for s in streams),
                            "rss_kib": server.status_kib("VmRSS")})
            print(f"streams: {samples[-1]}", flush=True)
        if failures:
            print(f"streams: stopped opening at {len(streams)}: {failures}", file=sys.stderr, flush=True)
            return {"at": len(streams), "failures": failures}
    return None


_local = threading.local()


def create_task(user, title):
    """POSTs one task on this thread's keep-alive connection: (t0, status or error, post ms).
    A dropped connection is retried once with the same Idempotency-Key, so it creates once."""
    path = f"/api/{user['id']}/tasks"
    body = json.dumps({"title": title})
    headers = {"content-type": "application/json", "authorization": f"Bearer {user['token']}",
               "idempotency-key": title}
    t0 = time.perf_counter()
    for attempt in range(2):
        connection = getattr(_local, "connection", None)
        if connection is None:
            connection = _local.connection = http.client.HTTPConnection(HOST, PORT, timeout=POST_TIMEOUT)
        try:
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            response.read()
            return t0, response.status, (time.perf_counter() - t0) * 1000
        except (http.client.HTTPException, OSError) as error:
            connection.close()
            _local.connection = None
            if attempt == 1 or isinstance(error, socket.timeout):
                return t0, describe(error), None


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


async def measure_latency(streams, users, executor):
    """Creates TASKS tasks at RATE a second, owners in turn, and matches every task.created
    event on every timed stream to the create that caused it."""
    loop = asyncio.get_running_loop()
    run_id = uuid.uuid4().hex[:8]
    owner_streams = {}
    for stream in streams:
        owner_streams.setdefault(stream.user["id"], []).append(stream)
    plan = [(users[i % len(users)], f"stream bench {run_id} task {i}") for i in range(TASKS)]
    start = time.perf_counter()
    pending = []
    for i, (user, title) in enumerate(plan):
        await asyncio.sleep(max(0.0, start + i / RATE - time.perf_counter()))
        pending.append(loop.run_in_executor(executor, create_task, user, title))
    pace = len(plan) / (time.perf_counter() - start + 1 / RATE)
    sent = await asyncio.wait_for(asyncio.gather(*pending), POST_TIMEOUT * 2 + 5)

    created = {}  # title -> (owner id, t0)
    post_failures = {}
    post_ms = []
    for (user, title), (t0, status, ms) in zip(plan, sent):
        if status == 201:
            created[title] = (user["id"], t0)
            post_ms.append(ms)
        else:
            post_failures[str(status)] = post_failures.get(str(status), 0) + 1
    expected = sum(len(owner_streams.get(owner, [])) for owner, _ in created.values())

    def received():
        return sum(1 for s in streams for title, _, _ in s.created if title in created)

    deadline = time.monotonic() + DELIVERY_GRACE
    while received() < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.05)

    latencies, duplicates, misdelivered, unknown = [], 0, 0, 0
    for stream in streams:
        seen = set()
        for title, owner, arrival in stream.created:
            if title not in created:
                unknown += 1
            elif created[title][0] != stream.user["id"] or owner not in (None, stream.user["id"]):
                misdelivered += 1
            elif title in seen:
                duplicates += 1
            else:
                seen.add(title)
                latencies.append((arrival - created[title][1]) * 1000)
    latencies.sort()
    post_ms.sort()
    r = lambda v: None if v is None else round(v, 2)
    result = {
        "streams": len(streams), "streams_open_at_end": sum(s.open for s in streams),
        "users": len(owner_streams), "tasks_planned": len(plan), "tasks_created": len(created),
        "create_failures": post_failures, "pace_per_sec": round(pace, 1),
        "deliveries_expected": expected, "deliveries_received": len(latencies),
        "missing": expected - len(latencies), "duplicates": duplicates,
        "to_another_user": misdelivered, "unknown_task_created": unknown,
        "other_events": sum(s.other_events for s in streams),
        "p50_ms": r(percentile(latencies, 50)), "p90_ms": r(percentile(latencies, 90)),
        "p99_ms": r(percentile(latencies, 99)), "max_ms": r(latencies[-1] if latencies else None),
        "create_p50_ms": r(percentile(post_ms, 50)), "create_p99_ms": r(percentile(post_ms, 99)),
    }
    print(f"latency: {result}", flush=True)
    return result


async def run_parts(server, users, results):
    streams, samples = [], []
    holding = results["holding"] = {} if wanted("streams-holding") else None
    try:
        if wanted("streams-latency"):
            first = min(LATENCY_AT, STREAMS_MAX) if holding is not None else LATENCY_AT
            stopped = await open_up_to(streams, users, first, True, server, samples)
            if stopped:
                results["errors"].append(f"only {len(streams)} of {first} streams opened for the latency part")
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as executor:
                results["latency"] = await measure_latency(list(streams), users, executor)
            results["latency"]["rss_kib_after"] = server.status_kib("VmRSS")
            if stopped and holding is not None:
                holding["stopped"] = stopped
        if holding is not None and "stopped" not in holding:
            holding["stopped"] = await open_up_to(streams, users, STREAMS_MAX, False, server, samples)
        if holding is not None:
            await asyncio.sleep(HOLD_SECS)
            holding.update({"requested": STREAMS_MAX, "opened": len(streams),
                            "held": sum(s.open for s in streams), "held_after_secs": HOLD_SECS,
                            "rss_kib_held": server.status_kib("VmRSS"), "samples": samples})
            print(f"holding: {len(streams)} opened, {holding['held']} still open after {HOLD_SECS} s, "
                  f"RSS {holding['rss_kib_held'] // 1024} MiB", flush=True)
    finally:
        for stream in streams:
            stream.close()


def mib(kib):
    return round(kib / 1024, 1)


def mb(kib):
    return round(kib * 1024 / 1e6, 1)


def check_goals(r):
    """The issue's goals, each with the figure it is judged on (only those this run measured)."""
    out = []
    h = r.get("holding")
    if h and "samples" in h and h["requested"] >= GOAL_STREAMS:
        ten_k = next((s for s in h["samples"] if s["streams"] >= GOAL_STREAMS), None)
        rss = ten_k["rss_kib"] if ten_k else h["rss_kib_held"]
        met = h["held"] >= GOAL_STREAMS and rss * 1024 / 1e6 < GOAL_RSS_MB
        out.append((f"{GOAL_STREAMS:,} open streams with RSS under {GOAL_RSS_MB} MB",
                    f"{h['held']:,} held, RSS {mb(rss)} MB ({mib(rss)} MiB)", met))
    lat = r.get("latency")
    if lat and lat["streams"] == GOAL_LATENCY_STREAMS:
        complete = lat["missing"] == 0 and not lat["create_failures"]
        met = complete and lat["p99_ms"] is not None and lat["p99_ms"] < GOAL_P99_MS
        figure = f"p99 {lat['p99_ms']} ms"
        if not complete:
            figure += f" (**{lat['missing']} deliveries missing, create failures {lat['create_failures']}**)"
        out.append((f"commit to event p99 under {GOAL_P99_MS} ms at {GOAL_LATENCY_STREAMS:,} streams", figure, met))
    if lat:
        wrong = lat["duplicates"] + lat["to_another_user"]
        out.append(("every event once, on its owner's streams only",
                    f"{lat['missing']} missing, {lat['duplicates']} twice, {lat['to_another_user']} to another user",
                    lat["missing"] == 0 and wrong == 0))
    return out


def render(r):
    m = r["machine"]
    lines = [
        "# Event streams: how many one instance holds, and how soon a commit reaches them", "",
        f"`python3 bench/streams.py`, commit `{m['commit']}`, {r['when']}, backend **{r['backend']}**, "
        f"release build, load from {m['load_generator']} on 127.0.0.1, {r['settings']['users']} users.", "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}. Open-file limits: "
        f"client {r['limits']['client_nofile']}, server {r['limits'].get('server_nofile', '?')}.", "",
    ]
    for error in r["errors"]:
        lines += [f"**{error}**", ""]
    lat = r.get("latency")
    if lat:
        lines += [f"## Commit to event at {lat['streams']:,} streams", "",
                  f"{lat['tasks_created']} of {lat['tasks_planned']} tasks created at {lat['pace_per_sec']} a second "
                  f"(owners in turn, {lat['streams'] // max(lat['users'], 1)} streams each); each `task.created` "
                  "timed from just before its POST was sent to its arrival on each of its owner's streams, so "
                  "the figures include the request itself (an upper bound on commit to event).", "",
                  "| deliveries expected | received | missing | twice | to another user | p50 ms | p90 ms | p99 ms | max ms |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                  f"| {lat['deliveries_expected']} | {lat['deliveries_received']} | {lat['missing']} | "
                  f"{lat['duplicates']} | {lat['to_another_user']} | {lat['p50_ms']} | {lat['p90_ms']} | "
                  f"{lat['p99_ms']} | {lat['max_ms']} |", "",
                  f"The create requests alone: p50 {lat['create_p50_ms']} ms, p99 {lat['create_p99_ms']} ms. "
                  f"Create failures: {lat['create_failures'] or 'none'}.", ""]
        if lat["missing"] or lat["duplicates"] or lat["to_another_user"] or lat["create_failures"]:
            lines += ["**FAILED: events went missing, came twice or reached the wrong user, or creates "
                      "failed (see above).**", ""]
    h = r.get("holding")
    if h and "samples" in h:
        idle = r["rss_kib_idle"]
        lines += ["## Open streams held", "",
                  f"{h['requested']:,} requested in batches of {BATCH}; {h['opened']:,} opened, "
                  f"{h['held']:,} still open after {h['held_after_secs']} s at "
                  f"{mib(h['rss_kib_held'])} MiB ({mb(h['rss_kib_held'])} MB) RSS; idle with no stream "
                  f"{mib(idle)} MiB.", ""]
        if h["stopped"]:
            lines += [f"**Stopped early at {h['stopped']['at']:,}: {h['stopped']['failures']}**", ""]
        lines += ["| streams opened | still open | server RSS MiB | RSS MB |", "|---:|---:|---:|---:|"]
        lines += [f"| {s['streams']:,} | {s['open']:,} | {mib(s['rss_kib'])} | {mb(s['rss_kib'])} |"
                  for s in h["samples"]]
        lines.append("")
        if h["opened"]:
            per = (h["rss_kib_held"] - idle) / h["opened"]
            lines.append(f"Per stream: {per:.1f} KiB on average over the idle process.")
            first, last = h["samples"][0], h["samples"][-1]
            if last["streams"] > first["streams"]:
                marginal = (last["rss_kib"] - first["rss_kib"]) / (last["streams"] - first["streams"])
                lines.append(f"Marginal, from {first['streams']:,} to {last['streams']:,}: {marginal:.1f} KiB a stream.")
            lines.append("")
        if lat:
            lines += [f"The first {lat['streams']:,} streams carried the latency part's events before the "
                      "others were opened.", ""]
    lines += goals_table("Goals", check_goals(r))
    return "\n".join(lines)


def on_budget_spent(server):
    # SystemExit, because asyncio lets it through to the top: an ordinary exception raised
    # here could land in a task and be taken for one failed connection.
    def handler(signum, frame):
        server.stop()
        raise SystemExit(f"the run took longer than BENCH_STREAMS_BUDGET_SECS ({BUDGET_SECS} s)")
    return handler


def main():
    if not (wanted("streams-latency") or wanted("streams-holding")):
        print("bench/streams.py: BENCH_ONLY names no streams part; nothing to do")
        return 0
    client_nofile = raise_fd_limit()
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit("stopped by SIGTERM"))
    tmp, database_url, backend = throwaway_database("todo-bench-streams-")
    results = {"machine": machine(f"bench/streams.py (Python {platform.python_version()}, asyncio)"),
               "backend": backend, "when": now(),
               "settings": {"users": USERS, "streams_max": STREAMS_MAX, "latency_at": LATENCY_AT,
                            "tasks": TASKS, "rate_per_sec": RATE, "batch": BATCH},
               "limits": {"client_nofile": client_nofile}, "errors": []}
    server = start_server(database_url, tmp)
    signal.signal(signal.SIGALRM, on_budget_spent(server))
    signal.alarm(BUDGET_SECS)
    finished = False
    try:
        results["limits"]["server_nofile"] = server.fd_limit()
        run_id = uuid.uuid4().hex[:8]
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            users = list(pool.map(lambda i: new_user(run_id, i), range(USERS), timeout=120))
        print(f"streams: {len(users)} users signed up and logged in", flush=True)
        time.sleep(1)
        results["rss_kib_idle"] = server.status_kib("VmRSS")
        asyncio.run(run_parts(server, users, results))
        finished = True
    except Exception as error:
        results["errors"].append(f"the run failed: {describe(error)}")
        raise
    except SystemExit as error:
        results["errors"].append(f"the run was cut short: {error}")
        raise
    finally:
        signal.alarm(0)
        server.stop()
        # A run that broke off leaves the figures of the last whole run in bench/results.
        print(write_results(f"streams-{backend}", results, render(results), broke_off=not finished).read_text())
    lat = results.get("latency")
    if lat and (lat["missing"] or lat["duplicates"] or lat["to_another_user"] or lat["create_failures"]):
        print("FAILED: events went missing, came twice or reached the wrong user, or creates failed",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
