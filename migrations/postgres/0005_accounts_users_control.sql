-- accounts a user controls: a time zone, a password an operator reset (to be changed at the
-- next login), ending every token at once, and a registry of browser sessions per user.

alter table users add column time_zone text not null default 'UTC';

-- true after `todo reset-password`: every route but a few answers 403 until a new password.
alter table users add column must_change_password boolean not null default false;

-- tokens issued (`iat`, unix seconds) before this are refused: "sign out everywhere" and a
-- password change end every token at once, on every instance, with no list of tokens.
alter table users add column tokens_not_before bigint not null default 0;

-- the one token a password change was made with: it keeps working (null: none).
alter table users add column surviving_jti uuid;

-- the browser sessions of each user, so they can be listed and ended. a session is valid
-- only while its row is here; the session record itself lives in `sessions`.
create table user_sessions (
    session_id   text primary key,
    -- what the account page names the session by: never the session id (the cookie's secret).
    handle       uuid not null unique,
    user_id      uuid not null references users (id) on delete cascade,
    user_agent   text not null,
    created_at   timestamptz not null,
    last_seen_at timestamptz not null
);

create index user_sessions_owner on user_sessions (user_id, last_seen_at desc);
