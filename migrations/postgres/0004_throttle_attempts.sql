-- login and signup throttling count attempts, not only failures: an attempt is recorded
-- before the password is checked or the account made, in the same atomic step that checks
-- the ceilings, and withdrawn if it succeeded (a login) or made nothing (a signup).
drop table login_failures;

-- one row per attempt and subject: 'login:<ip> <email>', 'login-account:<email>',
-- 'login-address:<ip>', 'signup:<ip>'.
create table throttle_events (
    attempt     uuid not null,
    subject     text not null,
    happened_at timestamptz not null
);

create index throttle_events_by_subject on throttle_events (subject, happened_at);
create index throttle_events_by_attempt on throttle_events (attempt);
create index throttle_events_expiry on throttle_events (happened_at);
