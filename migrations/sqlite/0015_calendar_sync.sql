-- calendar sync (caldav): app passwords, the resource names and unmapped properties of tasks
-- written through caldav, and each list's change counter with its last change per task.

-- an app password authenticates caldav clients (http basic, with the account's e-mail). the
-- password is a random secret of 124 bits, shown once; only its sha-256 is kept (a secret of
-- that strength needs no slow hash: nobody can search its space).
create table app_passwords (
    id           blob primary key not null,
    user_id      blob not null references users (id) on delete cascade,
    name         text not null,
    hash         blob not null unique,
    created_at   text not null,
    last_used_at text
) strict;

create index app_passwords_by_user on app_passwords (user_id, created_at);

-- the name a caldav client put the task at (null: the task's id and ".ics"), the uid it gave
-- (null: the task's id), and the vtodo's properties and components the server does not map,
-- as content lines, returned as they came.
alter table tasks add column dav_name text;
alter table tasks add column ical_uid text;
alter table tasks add column ical_extra text;

create index tasks_by_dav_name on tasks (list_id, dav_name) where dav_name is not null;

-- a list's change counter (its caldav sync-token and ctag): moved by every change to a task
-- in it, by the triggers below, in the same transaction.
alter table lists add column sync_seq integer not null default 0;

-- the last change of each task in each list: `seq` is the list's counter then, `gone` says it
-- was deleted or moved out (`name` keeps its resource name for the deletion's href). gone
-- rows more than 10,000 changes old are pruned; a sync-token that old is refused and the
-- client reads the whole list again.
create table dav_changes (
    list_id blob not null references lists (id) on delete cascade,
    task_id blob not null,
    seq     integer not null,
    name    text,
    gone    integer not null check (gone in (0, 1)),
    primary key (list_id, task_id)
) strict, without rowid;

create index dav_changes_by_seq on dav_changes (list_id, seq);

create trigger dav_changes_after_insert after insert on tasks
begin
    update lists set sync_seq = sync_seq + 1 where id = new.list_id;
    insert into dav_changes (list_id, task_id, seq, name, gone)
    select id, new.id, sync_seq, new.dav_name, 0 from lists where id = new.list_id
    on conflict (list_id, task_id) do update
        set seq = excluded.seq, name = excluded.name, gone = 0;
end;

create trigger dav_changes_after_update after update on tasks
begin
    update lists set sync_seq = sync_seq + 1 where id = new.list_id;
    insert into dav_changes (list_id, task_id, seq, name, gone)
    select id, new.id, sync_seq, new.dav_name, 0 from lists where id = new.list_id
    on conflict (list_id, task_id) do update
        set seq = excluded.seq, name = excluded.name, gone = 0;
    update lists set sync_seq = sync_seq + 1
    where id = old.list_id and old.list_id <> new.list_id;
    insert into dav_changes (list_id, task_id, seq, name, gone)
    select id, old.id, sync_seq, old.dav_name, 1 from lists
    where id = old.list_id and old.list_id <> new.list_id
    on conflict (list_id, task_id) do update
        set seq = excluded.seq, name = excluded.name, gone = 1;
end;

-- finds no list row when the list itself is being deleted (its changes go with it).
create trigger dav_changes_after_delete after delete on tasks
begin
    update lists set sync_seq = sync_seq + 1 where id = old.list_id;
    insert into dav_changes (list_id, task_id, seq, name, gone)
    select id, old.id, sync_seq, old.dav_name, 1 from lists where id = old.list_id
    on conflict (list_id, task_id) do update
        set seq = excluded.seq, name = excluded.name, gone = 1;
    delete from dav_changes
    where list_id = old.list_id and gone = 1
      and seq < (select sync_seq from lists where id = old.list_id) - 10000;
end;
