-- organising tasks: a due date, a priority and tags on each task, every sort the list offers
-- served by an index, and full-text search over titles and descriptions.

-- a calendar date, 'yyyy-mm-dd' (so text order is date order), or null.
alter table tasks add column due_date text
    check (due_date is null or (length(due_date) = 10 and date(due_date) = due_date));

-- 0 none, 1 low, 2 medium, 3 high: sorting by priority is sorting by this number.
alter table tasks add column priority integer not null default 0 check (priority between 0 and 3);

-- the tags as the api returns them: a json array of lower-case strings, in the order given.
-- `task_tags` below holds the same tags a row each, for filtering and counting.
alter table tasks add column tags text not null default '[]' check (json_valid(tags));

-- the title without accents and lower-cased (by the application, unicode-aware), what sorting
-- by title compares. rows from before this migration get sqlite's ascii lower-casing until
-- their next edit.
alter table tasks add column title_key text not null default '';
update tasks set title_key = lower(title);

-- each sort walks an index in its own order, ties newest first; the created order has
-- `tasks_owner_newest_first` already.
create index tasks_owner_by_updated on tasks (user_id, updated_at desc, id desc);
create index tasks_owner_by_due_asc on tasks (user_id, due_date asc, created_at desc, id desc);
create index tasks_owner_by_due_desc on tasks (user_id, due_date desc, created_at desc, id desc);
create index tasks_owner_by_priority_desc on tasks (user_id, priority desc, created_at desc, id desc);
create index tasks_owner_by_priority_asc on tasks (user_id, priority asc, created_at desc, id desc);
create index tasks_owner_by_title on tasks (user_id, title_key asc, created_at desc, id desc);

create table task_tags (
    task_id blob not null references tasks (id) on delete cascade,
    user_id blob not null,
    tag     text not null,
    primary key (task_id, tag)
) strict, without rowid;

-- "which of this user's tasks carry tag x" and the per-user tag counts.
create index task_tags_by_owner on task_tags (user_id, tag);

insert into task_tags (task_id, user_id, tag)
select tasks.id, tasks.user_id, tag.value from tasks, json_each(tasks.tags) as tag;

-- kept in step in the same transaction as every write to tasks.
create trigger task_tags_after_insert after insert on tasks
begin
    insert or ignore into task_tags (task_id, user_id, tag)
    select new.id, new.user_id, value from json_each(new.tags);
end;

create trigger task_tags_after_update after update of tags on tasks
when old.tags <> new.tags
begin
    delete from task_tags where task_id = old.id;
    insert or ignore into task_tags (task_id, user_id, tag)
    select new.id, new.user_id, value from json_each(new.tags);
end;

-- full-text search: an fts5 index over the tasks table's own text (external content, keyed
-- by the tasks table's rowid). the tasks table has no integer primary key, so a VACUUM could
-- renumber its rowids: after one, run `insert into tasks_search (tasks_search) values
-- ('rebuild')`. the application never vacuums.
create virtual table tasks_search using fts5 (
    title, description,
    content = 'tasks', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 0'
);
insert into tasks_search (tasks_search) values ('rebuild');

create trigger tasks_search_after_insert after insert on tasks
begin
    insert into tasks_search (rowid, title, description)
    values (new.rowid, new.title, new.description);
end;

create trigger tasks_search_after_delete after delete on tasks
begin
    insert into tasks_search (tasks_search, rowid, title, description)
    values ('delete', old.rowid, old.title, old.description);
end;

create trigger tasks_search_after_update after update of title, description on tasks
begin
    insert into tasks_search (tasks_search, rowid, title, description)
    values ('delete', old.rowid, old.title, old.description);
    insert into tasks_search (rowid, title, description)
    values (new.rowid, new.title, new.description);
end;

-- every change to a user's tasks moves their `version`, so a count of a filtered list taken
-- at one version can be reused until the next change (on every instance: it is read with
-- the counts). an upsert, since sqlite does not promise which of two insert triggers runs
-- first: whichever creates the counts row, both add up.
alter table task_counts add column version integer not null default 0;

create trigger task_counts_version_after_insert after insert on tasks
begin
    insert into task_counts (user_id, total, completed, version)
    values (new.user_id, 0, 0, 1)
    on conflict (user_id) do update set version = version + 1;
end;

create trigger task_counts_version_after_delete after delete on tasks
begin
    update task_counts set version = version + 1 where user_id = old.user_id;
end;

create trigger task_counts_version_after_update
after update of title, description, is_completed, due_date, priority, tags on tasks
begin
    update task_counts set version = version + 1 where user_id = new.user_id;
end;
