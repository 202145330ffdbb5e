-- how many tasks each user has, and how many of them are done, kept by triggers in the same
-- transaction as every change to tasks, so a list's total costs one row read instead of a
-- count over all the user's tasks.

create table task_counts (
    user_id   blob primary key not null references users (id) on delete cascade,
    total     integer not null check (total >= 0),
    completed integer not null check (completed between 0 and total)
) strict;

insert into task_counts (user_id, total, completed)
select user_id, count(*), sum(is_completed) from tasks group by user_id;

create trigger task_counts_after_insert after insert on tasks
begin
    insert into task_counts (user_id, total, completed)
    values (new.user_id, 1, new.is_completed)
    on conflict (user_id) do update
        set total = total + 1, completed = completed + excluded.completed;
end;

-- an update, never an insert: when a user is deleted, the cascade may remove their counts
-- row before their tasks.
create trigger task_counts_after_delete after delete on tasks
begin
    update task_counts set total = total - 1, completed = completed - old.is_completed
    where user_id = old.user_id;
end;

create trigger task_counts_after_completion after update of is_completed on tasks
when old.is_completed <> new.is_completed
begin
    update task_counts set completed = completed + new.is_completed - old.is_completed
    where user_id = new.user_id;
end;

-- tasks never change owner; refusing it keeps the counts right by construction.
create trigger tasks_keep_their_owner before update of user_id on tasks
when old.user_id <> new.user_id
begin
    select raise(abort, 'a task cannot change owner');
end;
