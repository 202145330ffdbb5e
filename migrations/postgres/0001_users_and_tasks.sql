-- accounts and their tasks.
--
-- timestamps are written by the application in utc with microsecond precision, so both
-- backends return the same values.

create table users (
    id            uuid primary key,
    -- stored lower-cased, so this unique constraint is case-insensitive by construction.
    email         text not null unique,
    name          text not null,
    -- an argon2id phc string; never the password itself.
    password_hash text not null,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);

create table tasks (
    id           uuid primary key,
    user_id      uuid not null references users (id) on delete cascade,
    title        text not null,
    description  text,
    is_completed boolean not null default false,
    created_at   timestamptz not null,
    updated_at   timestamptz not null
);

-- serves "this user's tasks, newest first" (and counting them) without a sort.
create index tasks_owner_newest_first on tasks (user_id, created_at desc, id desc);
