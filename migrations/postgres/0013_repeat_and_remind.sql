-- repeating tasks and reminders.
--
-- `repeat` is the task's recurrence rule as the api writes it (`FREQ=WEEKLY;BYDAY=MO,TH`),
-- `repeat_anchor` the due date the series started from (it keeps a monthly series on the
-- 31st when a shorter month moved the due date to the 30th), `last_completed_at` when a
-- repeating task was last completed. `remind_at` is the reminder the user set; `reminder_due`
-- the same instant while it is still to be sent, and null once sent (or set in the past):
-- the scheduler claims what is due through the partial index below, so it reads nothing
-- while nothing is.
alter table tasks add column repeat text;
alter table tasks add column repeat_anchor date;
alter table tasks add column last_completed_at timestamptz;
alter table tasks add column remind_at timestamptz;
alter table tasks add column reminder_due timestamptz;
create index tasks_reminders_due on tasks (reminder_due) where reminder_due is not null;

-- an undone deletion puts these back too.
alter table deleted_tasks add column repeat text;
alter table deleted_tasks add column repeat_anchor date;
alter table deleted_tasks add column last_completed_at timestamptz;
alter table deleted_tasks add column remind_at timestamptz;
alter table deleted_tasks add column reminder_due timestamptz;

-- an undone "mark all done" puts a repeating task's dates back as they were.
alter table marked_tasks add column due_date date;
alter table marked_tasks add column repeat_anchor date;
alter table marked_tasks add column last_completed_at timestamptz;
alter table marked_tasks add column remind_at timestamptz;
alter table marked_tasks add column reminder_due timestamptz;
