-- tasks deleted from the task page, kept for a few minutes so that "undo" can put them back
-- exactly as they were: the same ids, fields and timestamps. one deletion is one batch (a
-- task, or every completed task at once); the application prunes batches older than its
-- undo window whenever a new one is written. the json api's delete is final and skips this.
create table deleted_tasks (
    batch        uuid not null,
    deleted_at   timestamptz not null,
    id           uuid not null,
    user_id      uuid not null references users (id) on delete cascade,
    title        text not null,
    description  text,
    is_completed boolean not null,
    due_date     date,
    priority     integer not null,
    tags         text not null,
    title_key    text collate "C" not null,
    created_at   timestamptz not null,
    updated_at   timestamptz not null,
    primary key (batch, id)
);

-- serves the pruning.
create index deleted_tasks_by_age on deleted_tasks (deleted_at);
-- an account's deletion cascades here by user_id.
create index deleted_tasks_by_owner on deleted_tasks (user_id);
