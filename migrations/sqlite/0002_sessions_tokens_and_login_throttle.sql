-- what accounts need beyond the users table: browser sessions, revoked access tokens and
-- failed logins, all in the database so every instance behind a load balancer agrees.

-- browser sessions, in the layout tower-sessions-sqlx-store reads and writes. not strict:
-- the store writes expiry_date as rfc 3339 text into this integer-declared column.
create table sessions (
    id          text primary key not null,
    data        blob not null,
    expiry_date integer not null
);

create index sessions_expiry on sessions (expiry_date);

-- access tokens ended by logout before they expire; kept until they would have expired.
create table revoked_tokens (
    jti        blob primary key not null,
    expires_at text not null
) strict;

create index revoked_tokens_expiry on revoked_tokens (expires_at);

-- one row per failed login, per subject: 'account:<email>' and 'address:<ip>'.
create table login_failures (
    subject   text not null,
    failed_at text not null
) strict;

create index login_failures_by_subject on login_failures (subject, failed_at);
create index login_failures_expiry on login_failures (failed_at);
