-- lists: every task belongs to one list; every account has an inbox, made with the account
-- (by the trigger below, whatever path creates it) and for existing accounts here, which
-- takes their tasks. a list's members hold roles; its owner is a member too (role 'owner',
-- made with the list), so "may this user read or write this list" is one lookup in
-- `list_members`, in the same statement as the read or write it guards.

create table lists (
    id         blob primary key not null,
    owner_id   blob not null references users (id) on delete cascade,
    name       text not null,
    -- the name as compared for uniqueness: lower-cased by the application (unicode-aware).
    name_key   text not null,
    is_inbox   integer not null default 0 check (is_inbox in (0, 1)),
    -- how many tasks the list holds, and how many are done: kept by the triggers below in
    -- the same transaction as every change to tasks.
    total      integer not null default 0 check (total >= 0),
    completed  integer not null default 0 check (completed between 0 and total),
    created_at text not null,
    updated_at text not null
) strict;

create unique index lists_owner_name on lists (owner_id, name_key);
create unique index lists_one_inbox on lists (owner_id) where is_inbox = 1;

create table list_members (
    list_id  blob not null references lists (id) on delete cascade,
    user_id  blob not null references users (id) on delete cascade,
    role     text not null check (role in ('owner', 'editor', 'viewer')),
    added_at text not null,
    primary key (list_id, user_id)
) strict, without rowid;

-- "the lists this user is a member of", the lookup of every access check.
create index list_members_by_user on list_members (user_id, list_id, role);

create trigger lists_owner_is_member after insert on lists
begin
    insert into list_members (list_id, user_id, role, added_at)
    values (new.id, new.owner_id, 'owner', new.created_at);
end;

create trigger users_get_an_inbox after insert on users
begin
    insert into lists (id, owner_id, name, name_key, is_inbox, created_at, updated_at)
    values (randomblob(16), new.id, 'Inbox', 'inbox', 1, new.created_at, new.created_at);
end;

insert into lists (id, owner_id, name, name_key, is_inbox, created_at, updated_at)
select randomblob(16), id, 'Inbox', 'inbox', 1, created_at, created_at from users;

-- the list a task is in (never null: the triggers below refuse it, as sqlite cannot add a
-- not-null column without a default), and the account that created it (the api's
-- `user_id`). `user_id` stays the owner of the task's list: every index and count is keyed
-- by it, so one account's lists are read as one range.
alter table tasks add column list_id blob references lists (id) on delete cascade;
alter table tasks add column created_by blob;

update tasks set
    list_id = (select lists.id from lists where lists.owner_id = tasks.user_id and lists.is_inbox = 1),
    created_by = user_id;

create index tasks_by_list on tasks (list_id, created_at desc, id desc);

create trigger tasks_need_a_list before insert on tasks
when new.list_id is null or new.created_by is null
begin
    select raise(abort, 'a task needs a list and a creator');
end;

create trigger tasks_keep_a_list before update of list_id on tasks
when new.list_id is null
begin
    select raise(abort, 'a task needs a list');
end;

update lists set
    total = (select count(*) from tasks where tasks.list_id = lists.id),
    completed = (select coalesce(sum(is_completed), 0) from tasks where tasks.list_id = lists.id);

create trigger list_counts_after_insert after insert on tasks
begin
    update lists set total = total + 1, completed = completed + new.is_completed
    where id = new.list_id;
end;

-- an update, which finds no row when the list itself is being deleted.
create trigger list_counts_after_delete after delete on tasks
begin
    update lists set total = total - 1, completed = completed - old.is_completed
    where id = old.list_id;
end;

create trigger list_counts_after_change after update of is_completed, list_id on tasks
when old.is_completed <> new.is_completed or old.list_id <> new.list_id
begin
    update lists set total = total - 1, completed = completed - old.is_completed
    where id = old.list_id;
    update lists set total = total + 1, completed = completed + new.is_completed
    where id = new.list_id;
end;

-- a move between lists changes what a filtered count of the owner's tasks gives.
create trigger task_counts_version_after_move after update of list_id on tasks
when old.list_id <> new.list_id
begin
    update task_counts set version = version + 1 where user_id = new.user_id;
end;

-- undo puts a deleted task back in its list (or, if that list is gone, in the inbox).
alter table deleted_tasks add column list_id blob;
alter table deleted_tasks add column created_by blob;

-- a task moves to a list of another owner when it goes into a list shared with its mover:
-- the owners' counts, versions and tag rows follow it. (a move never changes the completion
-- in the same statement: the completion trigger reads the new owner.)
drop trigger tasks_keep_their_owner;

create trigger task_counts_after_owner_change after update of user_id on tasks
when old.user_id <> new.user_id
begin
    update task_counts
    set total = total - 1, completed = completed - old.is_completed, version = version + 1
    where user_id = old.user_id;
    insert into task_counts (user_id, total, completed, version)
    values (new.user_id, 1, new.is_completed, 1)
    on conflict (user_id) do update
        set total = total + 1, completed = completed + excluded.completed, version = version + 1;
    update task_tags set user_id = new.user_id where task_id = new.id;
end;
