"""What bench/run.py and bench/streams.py share: where the release server listens, how to
start it on a throwaway database and stop it, how to call it, and a description of the
machine for the reports. Standard library only; only 127.0.0.1 is ever contacted.
"""

import datetime
import json
import os
import pathlib
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "3200"))
BASE = f"http://{HOST}:{PORT}"
PASSWORD = "bench password 1"
# For quick iterations: only these parts, written to bench/tmp/ instead of bench/results/.
ONLY = [name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()]


def call(method, path, body=None, token=None, headers=None):
    """One request; its status, its body (JSON when it is an object) and its headers."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return response.status, (json.loads(text) if text.startswith("{") else text), response.headers


def sign_up(email, name):
    """Signs up and logs in; a full password queue (503) or a throttle (429) is waited out."""
    for step in ("signup", "login"):
        for attempt in range(10):
            try:
                if step == "signup":
                    call("POST", "/api/auth/signup", {"email": email, "password": PASSWORD, "name": name})
                else:
                    _, body, _ = call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
                break
            except urllib.error.HTTPError as error:
                if error.code not in (429, 503) or attempt == 9:
                    raise
                time.sleep(min(float(error.headers.get("retry-after") or 1), 5))
    return {"email": email, "id": body["user"]["id"], "token": body["access_token"]}


def throwaway_database(prefix):
    """A fresh data folder, and the database to use: BENCH_DATABASE_URL or a new SQLite file
    in that folder. Also the backend's name for the reports."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite://{tmp}/bench.db"
    backend = "postgres" if database_url.startswith("postgres") else "sqlite"
    return tmp, database_url, backend


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def machine(load_generator):
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = next((int(l.split()[1]) // 1024 // 1024 for l in open("/proc/meminfo") if l.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": mem, "os": platform.platform(),
            "commit": commit or "?", "load_generator": load_generator}


def write_results(stem, results, markdown, broke_off=False):
    """Writes `<stem>.json` and `<stem>.md` to bench/results, or to bench/tmp for a partial
    run (BENCH_ONLY) or one that broke off, so bench/results keeps the last whole run."""
    out = RESULTS if not ONLY and not broke_off else ROOT / "bench" / "tmp"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / f"{stem}.md").write_text(markdown)
    return out / f"{stem}.md"


def goals_table(heading, goals):
    """Markdown lines for (goal, figure, met) rows, or none when nothing was measured."""
    if not goals:
        return []
    return ([f"## {heading}", "", "| goal | figure | met |", "|---|---|---|"]
            + [f"| {name} | {figure} | {'yes' if met else '**no**'} |" for name, figure, met in goals]
            + [""])


class Server:
    """`target/release/todo` on HOST:PORT with its data in `data_dir`, ready (GET /readyz)."""

    def __init__(self, database_url, data_dir, extra_env=None, preexec_fn=None):
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex((HOST, PORT)) == 0:
                sys.exit(f"something already listens on {HOST}:{PORT}: stop it or set BENCH_PORT")
        binary = ROOT / "target" / "release" / "todo"
        if not binary.exists():
            sys.exit(f"{binary} is missing: build it first (make build)")
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": database_url,
            "DATA_DIR": data_dir,
            "LEPTOS_SITE_ADDR": f"{HOST}:{PORT}",
            "LEPTOS_SITE_ROOT": str(ROOT / "target" / "site"),
            "RUST_LOG": "warn",
            # The bench signs up its users from one address.
            "SIGNUPS_PER_HOUR": "1000000",
        })
        env.update(extra_env or {})
        # The application's own pool size unless BENCH_POOL says otherwise.
        if os.environ.get("BENCH_POOL"):
            env["DATABASE_MAX_CONNECTIONS"] = os.environ["BENCH_POOL"]
        self.process = subprocess.Popen([str(binary)], env=env, preexec_fn=preexec_fn)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"the server exited with code {self.process.returncode} while starting")
            try:
                if call("GET", "/readyz")[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            time.sleep(0.1)
        self.stop()
        sys.exit("the server was not ready (GET /readyz) within 30 s")

    def status_kib(self, field):
        """A field of /proc/<pid>/status in KiB (VmRSS, VmHWM)."""
        for line in pathlib.Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        return 0

    def status(self, field):
        """The same in MiB."""
        return self.status_kib(field) // 1024

    def cpu_seconds(self):
        fields = pathlib.Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def fd_limit(self):
        for line in pathlib.Path(f"/proc/{self.process.pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                return int(line.split()[3])
        return 0

    def stop(self):
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
