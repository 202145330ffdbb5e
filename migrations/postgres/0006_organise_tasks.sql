-- organising tasks: a due date, a priority and tags on each task, every sort the list offers
-- served by an index, and full-text search over titles and descriptions.

alter table tasks add column due_date date;

-- 0 none, 1 low, 2 medium, 3 high: sorting by priority is sorting by this number.
alter table tasks add column priority integer not null default 0 check (priority between 0 and 3);

-- the tags as the api returns them: a json array of lower-case strings, in the order given.
-- `task_tags` below holds the same tags a row each, for filtering and counting.
alter table tasks add column tags text not null default '[]';

-- the title without accents and lower-cased (by the application, unicode-aware), what sorting
-- by title compares, byte by byte as sqlite does (collation "C"). rows from before this
-- migration get postgresql's lower-casing (accents kept) until their next edit.
alter table tasks add column title_key text collate "C" not null default '';
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
    task_id uuid not null references tasks (id) on delete cascade,
    user_id uuid not null,
    tag     text collate "C" not null,
    primary key (task_id, tag)
);

-- "which of this user's tasks carry tag x" and the per-user tag counts.
create index task_tags_by_owner on task_tags (user_id, tag);

insert into task_tags (task_id, user_id, tag)
select id, user_id, tag from tasks, jsonb_array_elements_text(tags::jsonb) as tag
on conflict do nothing;

-- kept in step in the same transaction as every write to tasks.
create function task_tags_follow() returns trigger language plpgsql as $$
begin
    if tg_op = 'UPDATE' then
        if new.tags = old.tags then
            return new;
        end if;
        delete from task_tags where task_id = old.id;
    end if;
    insert into task_tags (task_id, user_id, tag)
    select new.id, new.user_id, tag from jsonb_array_elements_text(new.tags::jsonb) as tag
    on conflict do nothing;
    return new;
end;
$$;

create trigger task_tags_follow after insert or update of tags on tasks
for each row execute function task_tags_follow();

-- full-text search: the words of title and description ('simple': lower-cased, no stemming,
-- as sqlite's fts5 reads them), kept by postgresql itself, and a gin index over them.
alter table tasks add column search tsvector generated always as
    (to_tsvector('simple', title || ' ' || coalesce(description, ''))) stored;
create index tasks_search on tasks using gin (search);

-- every change to a user's tasks moves their `version`, so a count of a filtered list taken
-- at one version can be reused until the next change (on every instance: it is read with
-- the counts). an upsert, so it adds up with `task_counts_follow` in either order.
alter table task_counts add column version bigint not null default 0;

create function task_counts_version() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into task_counts (user_id, total, completed, version)
        values (new.user_id, 0, 0, 1)
        on conflict (user_id) do update set version = task_counts.version + 1;
        return new;
    elsif tg_op = 'DELETE' then
        update task_counts set version = version + 1 where user_id = old.user_id;
        return old;
    else
        update task_counts set version = version + 1 where user_id = new.user_id;
        return new;
    end if;
end;
$$;

create trigger task_counts_version after insert or delete
    or update of title, description, is_completed, due_date, priority, tags on tasks
for each row execute function task_counts_version();
