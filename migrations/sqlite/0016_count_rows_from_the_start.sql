-- every account has its count row from the start, as on postgresql (where a create locks the
-- owner's row in the statement that inserts the task, so it must exist before the first).
insert into task_counts (user_id, total, completed, version)
select id, 0, 0, 0 from users
where not exists (select 1 from task_counts c where c.user_id = users.id);

create trigger users_get_a_count_row after insert on users
begin
    insert or ignore into task_counts (user_id, total, completed, version)
    values (new.id, 0, 0, 0);
end;
