-- which tasks one "mark all done" (or "not done") from the task page changed, kept for a few
-- minutes so that "undo" can put each back as it was. one action is one batch; the
-- application prunes batches older than its undo window whenever a new one is written.
create table marked_tasks (
    batch     blob not null,
    task_id   blob not null references tasks (id) on delete cascade,
    user_id   blob not null references users (id) on delete cascade,
    -- what the action set; undo sets the opposite on tasks still in this state.
    completed integer not null check (completed in (0, 1)),
    marked_at text not null,
    primary key (batch, task_id)
) strict;

-- serves the pruning.
create index marked_tasks_by_age on marked_tasks (marked_at);
-- an account's deletion cascades here by user_id, a task's by task_id.
create index marked_tasks_by_owner on marked_tasks (user_id);
create index marked_tasks_by_task on marked_tasks (task_id);
