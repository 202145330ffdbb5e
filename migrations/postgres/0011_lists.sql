-- lists: every task belongs to one list; every account has an inbox, made with the account
-- (by the trigger below, whatever path creates it) and for existing accounts here, which
-- takes their tasks. a list's members hold roles; its owner is a member too (role 'owner',
-- made with the list), so "may this user read or write this list" is one lookup in
-- `list_members`, in the same statement as the read or write it guards.

create table lists (
    id         uuid primary key,
    owner_id   uuid not null references users (id) on delete cascade,
    name       text not null,
    -- the name as compared for uniqueness: lower-cased by the application (unicode-aware).
    name_key   text collate "C" not null,
    is_inbox   boolean not null default false,
    -- how many tasks the list holds, and how many are done: kept by the trigger below in the
    -- same transaction as every change to tasks.
    total      bigint not null default 0 check (total >= 0),
    completed  bigint not null default 0 check (completed between 0 and total),
    created_at timestamptz not null,
    updated_at timestamptz not null
);

create unique index lists_owner_name on lists (owner_id, name_key);
create unique index lists_one_inbox on lists (owner_id) where is_inbox;

create table list_members (
    list_id  uuid not null references lists (id) on delete cascade,
    user_id  uuid not null references users (id) on delete cascade,
    role     text not null check (role in ('owner', 'editor', 'viewer')),
    added_at timestamptz not null,
    primary key (list_id, user_id)
);

-- "the lists this user is a member of", the lookup of every access check.
create index list_members_by_user on list_members (user_id, list_id, role);

create function lists_owner_is_member() returns trigger language plpgsql as $$
begin
    insert into list_members (list_id, user_id, role, added_at)
    values (new.id, new.owner_id, 'owner', new.created_at);
    return new;
end;
$$;

create trigger lists_owner_is_member after insert on lists
for each row execute function lists_owner_is_member();

create function users_get_an_inbox() returns trigger language plpgsql as $$
begin
    insert into lists (id, owner_id, name, name_key, is_inbox, created_at, updated_at)
    values (gen_random_uuid(), new.id, 'Inbox', 'inbox', true, new.created_at, new.created_at);
    return new;
end;
$$;

create trigger users_get_an_inbox after insert on users
for each row execute function users_get_an_inbox();

insert into lists (id, owner_id, name, name_key, is_inbox, created_at, updated_at)
select gen_random_uuid(), id, 'Inbox', 'inbox', true, created_at, created_at from users;

-- the list a task is in, and the account that created it (the api's `user_id`). `user_id`
-- stays the owner of the task's list: every index and count is keyed by it, so one
-- account's lists are read as one range.
alter table tasks add column list_id uuid references lists (id) on delete cascade;
alter table tasks add column created_by uuid;

update tasks set
    list_id = (select lists.id from lists where lists.owner_id = tasks.user_id and lists.is_inbox),
    created_by = user_id;

alter table tasks alter column list_id set not null;
alter table tasks alter column created_by set not null;

create index tasks_by_list on tasks (list_id, created_at desc, id desc);

update lists set
    total = (select count(*) from tasks where tasks.list_id = lists.id),
    completed = (select count(*) from tasks where tasks.list_id = lists.id and is_completed);

create function list_counts_follow() returns trigger language plpgsql as $$
begin
    if tg_op in ('DELETE', 'UPDATE') then
        -- an update, which finds no row when the list itself is being deleted.
        update lists set total = total - 1, completed = completed - old.is_completed::int
        where id = old.list_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        update lists set total = total + 1, completed = completed + new.is_completed::int
        where id = new.list_id;
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    return new;
end;
$$;

-- named to fire after `task_counts_follow` (postgresql fires a table's triggers in the order
-- of their names): every write locks the owner's counts row before a list's row, as a create
-- does (it reads the counts first, for the quota), so two writes never wait on each other
-- in a circle.
create trigger task_list_counts_follow after insert or delete on tasks
for each row execute function list_counts_follow();
create trigger task_list_counts_follow_update after update of is_completed, list_id on tasks
for each row
when (old.is_completed is distinct from new.is_completed or old.list_id is distinct from new.list_id)
execute function list_counts_follow();

-- a move between lists changes what a filtered count of the owner's tasks gives.
drop trigger task_counts_version on tasks;
create trigger task_counts_version after insert or delete
    or update of title, description, is_completed, due_date, priority, tags, list_id on tasks
for each row execute function task_counts_version();

-- undo puts a deleted task back in its list (or, if that list is gone, in the inbox).
alter table deleted_tasks add column list_id uuid;
alter table deleted_tasks add column created_by uuid;

-- a task moves to a list of another owner when it goes into a list shared with its mover:
-- the owners' counts, versions and tag rows follow it.
create or replace function task_counts_follow() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into task_counts (user_id, total, completed)
        values (new.user_id, 1, new.is_completed::int)
        on conflict (user_id) do update
            set total = task_counts.total + 1,
                completed = task_counts.completed + excluded.completed;
        return new;
    elsif tg_op = 'DELETE' then
        -- an update, never an insert: when a user is deleted, the cascade may remove their
        -- counts row before their tasks.
        update task_counts
            set total = total - 1, completed = completed - old.is_completed::int
            where user_id = old.user_id;
        return old;
    elsif new.user_id <> old.user_id then
        update task_counts
            set total = total - 1, completed = completed - old.is_completed::int,
                version = version + 1
            where user_id = old.user_id;
        insert into task_counts (user_id, total, completed, version)
        values (new.user_id, 1, new.is_completed::int, 1)
        on conflict (user_id) do update
            set total = task_counts.total + 1,
                completed = task_counts.completed + excluded.completed,
                version = task_counts.version + 1;
        update task_tags set user_id = new.user_id where task_id = new.id;
        return new;
    else
        if new.is_completed <> old.is_completed then
            update task_counts
                set completed = completed + new.is_completed::int - old.is_completed::int
                where user_id = new.user_id;
        end if;
        return new;
    end if;
end;
$$;
