-- a deletion or a "mark all" from the task page may take tasks of lists shared with the
-- user: who did it (and so may undo it) is kept apart from whose the tasks are. marked_tasks
-- already keeps its user_id as who marked.
alter table deleted_tasks add column deleted_by blob references users (id) on delete cascade;

-- undo finds a batch by its deleter.
create index deleted_tasks_by_deleter on deleted_tasks (deleted_by);
