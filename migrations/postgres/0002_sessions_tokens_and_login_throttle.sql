-- what accounts need beyond the users table: browser sessions, revoked access tokens and
-- failed logins, all in the database so every instance behind a load balancer agrees.

-- browser sessions, in the layout tower-sessions-sqlx-store reads and writes.
create table sessions (
    id          text primary key not null,
    data        bytea not null,
    expiry_date timestamptz not null
);

create index sessions_expiry on sessions (expiry_date);

-- access tokens ended by logout before they expire; kept until they would have expired.
create table revoked_tokens (
    jti        uuid primary key,
    expires_at timestamptz not null
);

create index revoked_tokens_expiry on revoked_tokens (expires_at);

-- one row per failed login, per subject: 'account:<email>' and 'address:<ip>'.
create table login_failures (
    subject   text not null,
    failed_at timestamptz not null
);

create index login_failures_by_subject on login_failures (subject, failed_at);
create index login_failures_expiry on login_failures (failed_at);
