-- how many tasks each user has, and how many of them are done, kept by a trigger in the same
-- transaction as every change to tasks, so a list's total costs one row read instead of a
-- count over all the user's tasks.

create table task_counts (
    user_id   uuid primary key references users (id) on delete cascade,
    total     bigint not null check (total >= 0),
    completed bigint not null check (completed between 0 and total)
);

insert into task_counts (user_id, total, completed)
select user_id, count(*), count(*) filter (where is_completed) from tasks group by user_id;

create function task_counts_follow() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        insert into task_counts (user_id, total, completed)
        values (new.user_id, 1, new.is_completed::int)
        on conflict (user_id) do update
            set total = task_counts.total + 1,
                completed = task_counts.completed + excluded.completed;
        return new;
    elsif tg_op = 'DELETE' then
        -- an update, never an insert: when a user is deleted, the cascade may remove their
        -- counts row before their tasks.
        update task_counts
            set total = total - 1, completed = completed - old.is_completed::int
            where user_id = old.user_id;
        return old;
    else
        if new.user_id <> old.user_id then
            raise exception 'a task cannot change owner';
        end if;
        if new.is_completed <> old.is_completed then
            update task_counts
                set completed = completed + new.is_completed::int - old.is_completed::int
                where user_id = new.user_id;
        end if;
        return new;
    end if;
end;
$$;

create trigger task_counts_follow after insert or delete or update of is_completed, user_id on tasks
for each row execute function task_counts_follow();
