-- which tasks one "mark all done" (or "not done") from the task page changed, kept for a few
-- minutes so that "undo" can put each back as it was. one action is one batch; the
-- application prunes batches older than its undo window whenever a new one is written.
create table marked_tasks (
    batch     uuid not null,
    task_id   uuid not null references tasks (id) on delete cascade,
    user_id   uuid not null references users (id) on delete cascade,
    -- what the action set; undo sets the opposite on tasks still in this state.
    completed boolean not null,
    marked_at timestamptz not null,
    primary key (batch, task_id)
);

-- serves the pruning.
create index marked_tasks_by_age on marked_tasks (marked_at);
-- an account's deletion cascades here by user_id, a task's by task_id.
create index marked_tasks_by_owner on marked_tasks (user_id);
create index marked_tasks_by_task on marked_tasks (task_id);
