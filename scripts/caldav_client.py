#!/usr/bin/env python3
"""`make caldav` (part of `make test`): the CalDAV server driven by a real client library.

Starts the server (`TODO_BIN`, by default `target/release/todo`) on 127.0.0.1 with a fresh
SQLite file, and again on a fresh PostgreSQL database when TEST_DATABASE_URL is set, makes
two accounts through the JSON API, and then, through the `caldav` library from PyPI (the one
many Python tools sync with, pinned by the Makefile): discovers the calendars from the
server's root, creates a task, reads it, completes it, renames it, syncs by token after
changes made through the JSON API, meets a stale update (412), deletes, and finds a viewer's
calendar read-only. Each step is checked against the JSON API too. Exits non-zero on the
first failure.
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import caldav  # from the virtualenv `make caldav-deps` makes

ROOT = pathlib.Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("CALDAV_PORT", "3350"))
BASE = f"http://127.0.0.1:{PORT}"


def call(method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        BASE + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers=headers,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read().decode() or "null")


def account(name):
    email = f"{name}-{uuid.uuid4().hex[:12]}@caldav.example"
    call("POST", "/api/auth/signup", {"email": email, "password": "caldav password 1", "name": name})
    login = call("POST", "/api/auth/login", {"email": email, "password": "caldav password 1"})
    token = login["access_token"]
    made = call("POST", "/api/auth/app-passwords", {"name": "caldav library"}, token)
    return {"email": email, "id": login["user"]["id"], "token": token, "app_password": made["password"]}


def tasks(user):
    return call("GET", f"/api/{user['id']}/tasks?limit=100", token=user["token"])["tasks"]


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"    ok: {what}")


TODO = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//caldav_client.py//EN
BEGIN:VTODO
UID:{uid}
DTSTAMP:20260101T000000Z
SUMMARY:{summary}
DUE;VALUE=DATE:20270105
PRIORITY:1
CATEGORIES:garden
X-CALDAV-CLIENT-FIELD:kept as sent
END:VTODO
END:VCALENDAR
"""


def curl(user, method, path, body="", depth="1"):
    """The raw answer to a WebDAV request made with curl: its status and body."""
    result = subprocess.run(
        ["curl", "-s", "-X", method, "-u", f"{user['email']}:{user['app_password']}",
         "-H", f"Depth: {depth}", "-H", "Content-Type: application/xml",
         "--data-binary", body, "-w", "\n%{http_code}", BASE + path],
        capture_output=True, text=True, check=True, timeout=30,
    )
    answer, _, status = result.stdout.rpartition("\n")
    return int(status), answer


def raw_answers(user, shared):
    """PROPFIND and REPORT as curl sends them, and the XML they get back."""
    status, answer = curl(user, "PROPFIND", f"/dav/{user['id']}/", '<d:propfind xmlns:d="DAV:"><d:prop>'
                          '<d:displayname/><d:resourcetype/></d:prop></d:propfind>')
    check(status == 207 and "<d:displayname>Household</d:displayname>" in answer
          and "<c:calendar/>" in answer, "curl: PROPFIND on the home lists the calendars")
    status, answer = curl(user, "REPORT", f"/dav/{user['id']}/{shared['id']}/",
                          '<d:sync-collection xmlns:d="DAV:"><d:sync-token/><d:sync-level>1</d:sync-level>'
                          '<d:prop><d:getetag/></d:prop></d:sync-collection>')
    check(status == 207 and "<d:sync-token>urn:todo:sync:" in answer,
          "curl: REPORT sync-collection answers a sync token")
    status, _ = curl(user, "PROPFIND", "/dav/", "<not-xml", depth="0")
    check(status == 400, "curl: a PROPFIND body that is no XML is 400")


def scenario():
    ada = account("ada")
    bob = account("bob")
    shared = call("POST", f"/api/{ada['id']}/lists", {"name": "Household"}, ada["token"])
    call("PUT", f"/api/{ada['id']}/lists/{shared['id']}/members",
         {"email": bob["email"], "role": "viewer"}, ada["token"])

    client = caldav.DAVClient(url=f"{BASE}/dav/", username=ada["email"], password=ada["app_password"])
    principal = client.principal()
    calendars = {c.name: c for c in principal.calendars()}
    check(set(calendars) == {"Inbox", "Household"}, f"discovery finds both lists: {sorted(calendars)}")
    inbox = calendars["Inbox"]

    uid = f"{uuid.uuid4()}"
    inbox.save_todo(TODO.format(uid=uid, summary="Water the plants"))
    made = tasks(ada)
    check([t["title"] for t in made] == ["Water the plants"], "a task made through CalDAV is in the API")
    check(made[0]["priority"] == "high" and made[0]["due_date"] == "2027-01-05"
          and made[0]["tags"] == ["garden"], "its priority, due date and tags are mapped")

    todo = inbox.todo_by_uid(uid)
    check("X-CALDAV-CLIENT-FIELD:kept as sent" in todo.data, "a client's own field survives the round trip")
    check(len(inbox.todos()) == 1, "the calendar lists one task to do")

    sync = inbox.objects_by_sync_token(load_objects=False)
    token = sync.sync_token

    todo.complete()
    check(tasks(ada)[0]["is_completed"] is True, "completing it in the client completes it")
    check(inbox.todos() == [], "a completed task leaves the list of tasks to do")
    check(len(inbox.todos(include_completed=True)) == 1, "and stays among all tasks")

    todo = inbox.todo_by_uid(uid)
    todo.vobject_instance.vtodo.summary.value = "Water the cactus"
    todo.save()
    check(tasks(ada)[0]["title"] == "Water the cactus", "a rename reaches the API")

    # Changes made elsewhere reach the client by its sync token.
    other = call("POST", f"/api/{ada['id']}/tasks", {"title": "Made on the web"}, ada["token"])
    changed = inbox.objects_by_sync_token(sync_token=token, load_objects=True)
    urls = [str(o.url) for o in changed]
    check(any(other["id"] in u for u in urls), f"a sync by token finds the task made on the web: {urls}")
    check(any(uid in u for u in urls), "and the task changed through CalDAV")
    token = changed.sync_token
    call("DELETE", f"/api/{ada['id']}/tasks/{other['id']}", token=ada["token"])
    changed = inbox.objects_by_sync_token(sync_token=token, load_objects=False)
    gone = [str(o.url) for o in changed]
    check(any(other["id"] in u for u in gone), f"and a deletion on the web: {gone}")

    # A stale update is refused and changes nothing.
    todo = inbox.todo_by_uid(uid)
    stale = client.request(str(todo.url), "PUT", TODO.format(uid=uid, summary="Stale"),
                           {"If-Match": '"not-the-current-tag"', "Content-Type": "text/calendar"})
    check(stale.status == 412, f"a stale update is 412 (got {stale.status})")
    check(tasks(ada)[0]["title"] == "Water the cactus", "and changes nothing")

    todo.delete()
    check([t["title"] for t in tasks(ada)] == [], "deleting it in the client deletes it")

    raw_answers(ada, shared)
    call("POST", f"/api/{ada['id']}/tasks", {"title": "Shared chore", "list_id": shared["id"]}, ada["token"])
    viewer = caldav.DAVClient(url=f"{BASE}/dav/", username=bob["email"], password=bob["app_password"])
    household = [c for c in viewer.principal().calendars() if c.name == "Household"][0]
    seen = household.todos()
    check([t.vobject_instance.vtodo.summary.value for t in seen] == ["Shared chore"],
          "a viewer reads the shared calendar")
    refused = None
    try:
        household.save_todo(TODO.format(uid=str(uuid.uuid4()), summary="Viewer's"))
    except caldav.lib.error.DAVError as error:
        refused = error
    check(refused is not None, "a viewer cannot add to it")
    check(len(tasks(ada)) == 1, "and nothing was added")

    # Lists made, renamed and deleted from the app.
    garden = principal.make_calendar(name="Garden", supported_calendar_component_set=["VTODO"])
    lists = call("GET", f"/api/{ada['id']}/lists", token=ada["token"])["lists"]
    check("Garden" in [l["name"] for l in lists], "a calendar made in the client is a list")
    garden.set_properties([caldav.elements.dav.DisplayName("Yard")])
    lists = call("GET", f"/api/{ada['id']}/lists", token=ada["token"])["lists"]
    check("Yard" in [l["name"] for l in lists], "renaming it in the client renames the list")
    garden.delete()
    lists = call("GET", f"/api/{ada['id']}/lists", token=ada["token"])["lists"]
    check("Yard" not in [l["name"] for l in lists], "deleting it in the client deletes the list")

    wrong = caldav.DAVClient(url=f"{BASE}/dav/", username=ada["email"], password="caldav password 1")
    try:
        wrong.principal()
        check(False, "the account password must not sign a calendar app in")
    except caldav.lib.error.AuthorizationError:
        check(True, "the account password does not sign a calendar app in")


def run_on(database_url, data):
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": database_url,
        "DATA_DIR": data,
        "LEPTOS_SITE_ADDR": f"127.0.0.1:{PORT}",
        "LEPTOS_SITE_ROOT": str(ROOT / "target" / "site"),
        "RUST_LOG": "warn",
    })
    log_path = pathlib.Path(data) / "server.log"
    binary = ROOT / os.environ.get("TODO_BIN", "target/release/todo")
    with open(log_path, "w") as log:
        server = subprocess.Popen([str(binary)], env=env, stderr=log)
        try:
            for _ in range(300):
                try:
                    call("GET", "/healthz")
                    break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.1)
            else:
                sys.exit(f"the server did not start; its log: {log_path}")
            scenario()
        except Exception:
            print(f"server log: {log_path}")
            raise
        finally:
            server.terminate()
            server.wait(timeout=30)


def main():
    data = tempfile.mkdtemp(prefix="todo-caldav-")
    print(f"==> the caldav library {caldav.__version__} against the server on SQLite")
    run_on(f"sqlite://{data}/caldav.db", data)
    postgres = os.environ.get("TEST_DATABASE_URL")
    if postgres:
        name = f"todo_caldav_{uuid.uuid4().hex[:12]}"
        subprocess.run(["psql", postgres, "-qc", f"create database {name}"], check=True)
        url = urllib.parse.urlsplit(postgres)._replace(path=f"/{name}").geturl()
        print("==> and on PostgreSQL")
        try:
            run_on(url, tempfile.mkdtemp(prefix="todo-caldav-pg-"))
        finally:
            subprocess.run(["psql", postgres, "-qc", f"drop database {name} with (force)"], check=False)
    print("caldav: every step passed")


if __name__ == "__main__":
    main()
