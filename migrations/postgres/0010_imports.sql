-- an import runs in many short transactions (each holds sqlite's one write turn for a few
-- milliseconds), so that other users' writes never wait long behind a large one. it stays all
-- or nothing: a running import has a row here, and its tasks carry its id; the row goes when
-- the last task is in. an import that failed, or whose instance stopped, takes its tasks back
-- out (the application does this at once, and again for rows older than a few minutes).
create table imports (
    id         uuid primary key not null,
    user_id    uuid not null references users (id) on delete cascade,
    started_at timestamptz not null
);

-- serves the housekeeping of imports that never finished.
create index imports_by_age on imports (started_at);
create index imports_by_owner on imports (user_id);

-- the import a task came in with; kept after it finished (harmless, and an update of every
-- row would undo the point of the short transactions).
alter table tasks add column import_batch uuid;
create index tasks_by_import on tasks (import_batch) where import_batch is not null;
