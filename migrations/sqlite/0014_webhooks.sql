-- webhooks: a user's endpoints that receive their events, signed, at least once, in order.
--
-- a webhook follows its user's event log (task_events) from `cursor`, the last seq it has
-- delivered or skipped (made at creation from the user's last seq: only later events go out).
-- the event after it is retried on the contract's schedule (`attempt`, `next_attempt_at`)
-- until a 2xx, so later events wait behind it; three days of failures (`failing_since`) turn
-- it off. an instance takes a webhook by setting `lease_until` (a conditional update: one
-- instance at a time), so each attempt is made once. `secret` signs the deliveries (it has to
-- be kept to sign with; it is shown once, at creation).
create table webhooks (
    id              blob primary key not null,
    user_id         blob not null references users (id) on delete cascade,
    url             text not null,
    -- a json array of event names, or ["*"]
    events          text not null,
    secret          text not null,
    active          integer not null,
    created_at      text not null,
    updated_at      text not null,
    cursor          integer not null,
    attempt         integer not null default 0,
    next_attempt_at text,
    failing_since   text,
    lease_until     text,
    -- a test delivery asked for and not made yet
    ping_at         text
) strict;

create index webhooks_by_user on webhooks (user_id);
-- the worker's look for what is due.
create index webhooks_active on webhooks (next_attempt_at) where active;

-- the attempts made, the last 100 of each webhook kept.
create table webhook_deliveries (
    id          blob primary key not null,
    webhook_id  blob not null references webhooks (id) on delete cascade,
    event_id    text not null,
    event_type  text not null,
    status_code integer,
    error       text,
    duration_ms integer not null,
    at          text not null
) strict;

create index webhook_deliveries_by_webhook on webhook_deliveries (webhook_id, at desc);
