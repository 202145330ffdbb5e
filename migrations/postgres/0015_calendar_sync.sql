-- calendar sync (caldav): app passwords, the resource names and unmapped properties of tasks
-- written through caldav, and each list's change counter with its last change per task.

-- an app password authenticates caldav clients (http basic, with the account's e-mail). the
-- password is a random secret of 124 bits, shown once; only its sha-256 is kept (a secret of
-- that strength needs no slow hash: nobody can search its space).
create table app_passwords (
    id           uuid primary key,
    user_id      uuid not null references users (id) on delete cascade,
    name         text not null,
    hash         bytea not null unique,
    created_at   timestamptz not null,
    last_used_at timestamptz
);

create index app_passwords_by_user on app_passwords (user_id, created_at);

-- the name a caldav client put the task at (null: the task's id and ".ics"), the uid it gave
-- (null: the task's id), and the vtodo's properties and components the server does not map,
-- as content lines, returned as they came.
alter table tasks add column dav_name text;
alter table tasks add column ical_uid text;
alter table tasks add column ical_extra text;

create index tasks_by_dav_name on tasks (list_id, dav_name) where dav_name is not null;

-- a list's change counter (its caldav sync-token and ctag): moved by every change to a task
-- in it, by the trigger below, in the same transaction.
alter table lists add column sync_seq bigint not null default 0;

-- the last change of each task in each list: `seq` is the list's counter then, `gone` says it
-- was deleted or moved out (`name` keeps its resource name for the deletion's href). gone
-- rows more than 10,000 changes old are pruned; a sync-token that old is refused and the
-- client reads the whole list again.
create table dav_changes (
    list_id uuid not null references lists (id) on delete cascade,
    task_id uuid not null,
    seq     bigint not null,
    name    text,
    gone    boolean not null,
    primary key (list_id, task_id)
);

create index dav_changes_by_seq on dav_changes (list_id, seq);

create function dav_change(list uuid, task uuid, name text, gone boolean) returns void
language plpgsql as $$
declare
    next bigint;
begin
    update lists set sync_seq = sync_seq + 1 where id = list returning sync_seq into next;
    if found then
        insert into dav_changes (list_id, task_id, seq, name, gone)
        values (list, task, next, name, gone)
        on conflict (list_id, task_id) do update
            set seq = excluded.seq, name = excluded.name, gone = excluded.gone;
        if gone then
            delete from dav_changes
            where dav_changes.list_id = list and dav_changes.gone
              and dav_changes.seq < next - 10000;
        end if;
    end if;
end;
$$;

create function dav_changes_of_tasks() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        perform dav_change(old.list_id, old.id, old.dav_name, true);
        return old;
    end if;
    perform dav_change(new.list_id, new.id, new.dav_name, false);
    if tg_op = 'UPDATE' and old.list_id <> new.list_id then
        perform dav_change(old.list_id, old.id, old.dav_name, true);
    end if;
    return new;
end;
$$;

-- named to fire after the count triggers (postgresql fires a table's triggers in the order
-- of their names): every write locks the owner's task_counts row before its list's row, and
-- this one, firing first, locked the list before the counts, so a create and an import or a
-- deletion in the same list deadlocked.
create trigger tasks_dav_changes after insert or update or delete on tasks
for each row execute function dav_changes_of_tasks();
