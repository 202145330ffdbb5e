-- live updates and safe retries.
--
-- task_events: every change to a user's tasks, written in the same transaction as the change,
-- so a stream neither misses a committed change nor reports one that rolled back. `seq` counts
-- per user and never goes back (event_seqs keeps the last one handed out, even once the
-- events themselves are pruned an hour later), so it is the stream's `id:`.
create table event_seqs (
    user_id blob primary key not null references users (id) on delete cascade,
    last    integer not null check (last >= 0)
) strict;

create table task_events (
    user_id    blob not null references users (id) on delete cascade,
    seq        integer not null,
    -- task.created, task.updated or task.deleted
    kind       text not null,
    -- the task as the api returns it ({"id": ...} for a deletion)
    data       text not null,
    created_at text not null,
    primary key (user_id, seq)
) strict, without rowid;

-- serves the pruning.
create index task_events_by_age on task_events (created_at);

-- idempotency-key: the first response to a key, per user, for 24 hours. status and body are
-- null while the first request is still running.
create table idempotency_keys (
    user_id     blob not null references users (id) on delete cascade,
    key         text not null,
    -- sha-256 of the request (method, path, query and body): the same key with another
    -- request is refused.
    fingerprint blob not null,
    status      integer,
    body        blob,
    -- the response's content-type, location and etag, as a json array of [name, value]
    headers      text,
    created_at  text not null,
    primary key (user_id, key)
) strict;

create index idempotency_keys_by_age on idempotency_keys (created_at);
