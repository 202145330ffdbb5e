-- live updates and safe retries.
--
-- task_events: every change to a user's tasks, written in the same transaction as the change,
-- so a stream neither misses a committed change nor reports one that rolled back. `seq` counts
-- per user and never goes back (event_seqs keeps the last one handed out, even once the
-- events themselves are pruned an hour later), so it is the stream's `id:`. taking the next
-- seq locks the user's event_seqs row until commit, so one user's events commit in seq order
-- and a reader that has seen seq n has seen everything before it. the commit also notifies
-- channel task_events (payload: the user id), which every instance listens to.
create table event_seqs (
    user_id uuid primary key references users (id) on delete cascade,
    last    bigint not null check (last >= 0)
);

create table task_events (
    user_id    uuid not null references users (id) on delete cascade,
    seq        bigint not null,
    -- task.created, task.updated or task.deleted
    kind       text not null,
    -- the task as the api returns it ({"id": ...} for a deletion)
    data       text not null,
    created_at timestamptz not null,
    primary key (user_id, seq)
);

-- serves the pruning.
create index task_events_by_age on task_events (created_at);

-- idempotency-key: the first response to a key, per user, for 24 hours. status and body are
-- null while the first request is still running.
create table idempotency_keys (
    user_id      uuid not null references users (id) on delete cascade,
    key          text not null,
    -- sha-256 of the request (method, path, query and body): the same key with another
    -- request is refused.
    fingerprint  bytea not null,
    status       integer,
    body         bytea,
    -- the response's content-type, location and etag, as a json array of [name, value]
    headers      text,
    created_at   timestamptz not null,
    primary key (user_id, key)
);

create index idempotency_keys_by_age on idempotency_keys (created_at);
