-- every account has its count row from the start: a create reads the owner's row (and locks
-- it, on postgresql) in the very statement that inserts the task, to keep the quota, so the
-- row must exist before the account's first task (a missing row could not be locked).
insert into task_counts (user_id, total, completed, version)
select id, 0, 0, 0 from users
where not exists (select 1 from task_counts c where c.user_id = users.id);

create function users_get_a_count_row() returns trigger language plpgsql as $$
begin
    insert into task_counts (user_id, total, completed, version)
    values (new.id, 0, 0, 0)
    on conflict (user_id) do nothing;
    return new;
end;
$$;

create trigger users_get_a_count_row after insert on users
for each row execute function users_get_a_count_row();
