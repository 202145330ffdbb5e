-- tasks deleted from the task page, kept for a few minutes so that "undo" can put them back
-- exactly as they were: the same ids, fields and timestamps. one deletion is one batch (a
-- task, or every completed task at once); the application prunes batches older than its
-- undo window whenever a new one is written. the json api's delete is final and skips this.
create table deleted_tasks (
    batch        blob not null,
    deleted_at   text not null,
    id           blob not null,
    user_id      blob not null references users (id) on delete cascade,
    title        text not null,
    description  text,
    is_completed integer not null check (is_completed in (0, 1)),
    due_date     text,
    priority     integer not null,
    tags         text not null,
    title_key    text not null,
    created_at   text not null,
    updated_at   text not null,
    primary key (batch, id)
) strict;

-- serves the pruning.
create index deleted_tasks_by_age on deleted_tasks (deleted_at);
-- an account's deletion cascades here by user_id.
create index deleted_tasks_by_owner on deleted_tasks (user_id);
