-- accounts and their tasks.
--
-- ids are uuids (16-byte blobs here, native uuid on postgres); timestamps are written by the
-- application in utc with microsecond precision (rfc 3339 text here), so both backends
-- return the same values. strict tables make sqlite refuse values of the wrong type.

create table users (
    id            blob primary key not null,
    -- stored lower-cased, so this unique constraint is case-insensitive by construction.
    email         text not null unique,
    name          text not null,
    -- an argon2id phc string; never the password itself.
    password_hash text not null,
    created_at    text not null,
    updated_at    text not null
) strict;

create table tasks (
    id           blob primary key not null,
    user_id      blob not null references users (id) on delete cascade,
    title        text not null,
    description  text,
    is_completed integer not null default 0 check (is_completed in (0, 1)),
    created_at   text not null,
    updated_at   text not null
) strict;

-- serves "this user's tasks, newest first" (and counting them) without a sort.
create index tasks_owner_newest_first on tasks (user_id, created_at desc, id desc);
