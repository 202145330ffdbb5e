//! Every environment variable the server reads, its default and its meaning: the one list
//! that `--help`, docs/operations.md and the parser share.

/// One environment variable the server reads.
pub struct Variable {
    pub name: &'static str,
    pub default: &'static str,
    pub help: &'static str,
}

/// Every variable, its default and what it does.
pub const VARIABLES: &[Variable] = &[
    Variable {
        name: "DATABASE_URL",
        default: "sqlite://data/todo.db",
        help: "sqlite://PATH (file and folder created on first start) or postgres://USER@HOST/DB",
    },
    Variable {
        name: "DATABASE_MAX_CONNECTIONS",
        default: "10",
        help: "size of the database connection pool (1 to 1000); on an SQLite file the readers' \
               pool, as writes take turns on one connection of their own",
    },
    Variable {
        name: "DATABASE_STARTUP_TIMEOUT_SECS",
        default: "60",
        help: "how long start-up keeps trying to reach the database, with backoff, logging \
               each failure's cause (0 to 3600; 0 tries once)",
    },
    Variable {
        name: "DATABASE_ACQUIRE_TIMEOUT_SECS",
        default: "5",
        help: "how long a request waits for a free database connection before its 503 \
               (1 to 300); while the database is known to be down, requests get 503 at once",
    },
    Variable {
        name: "DATABASE_STATEMENT_TIMEOUT_SECS",
        default: "10",
        help: "PostgreSQL: the server cancels a statement running longer than this (1 to 3600)",
    },
    Variable {
        name: "SQLITE_MAX_SIZE_MB",
        default: "0",
        help: "SQLite: the largest the database may grow, in MiB; writes beyond it get 507 \
               (0: no limit but the disk's)",
    },
    Variable {
        name: "SQLITE_WAL_LIMIT_MB",
        default: "64",
        help: "SQLite: the write-ahead log is checkpointed as it grows and truncated back to \
               this size, in MiB, after each checkpoint (1 to 4096)",
    },
    Variable {
        name: "SQLITE_BUSY_TIMEOUT_MS",
        default: "5000",
        help: "SQLite: how long a write waits for the write lock held by another process \
               using the same file before its 503 (0 to 60000); writes of this process queue \
               for their turn instead and never wait here",
    },
    Variable {
        name: "REQUEST_TIMEOUT_SECS",
        default: "30",
        help: "a request not answered within this time gets 503 (1 to 3600)",
    },
    Variable {
        name: "HEADER_READ_TIMEOUT_SECS",
        default: "10",
        help: "a client must send a request's headers within this time of connecting or of \
               its previous response; idle keep-alive connections close after it (1 to 3600)",
    },
    Variable {
        name: "SHUTDOWN_GRACE_SECS",
        default: "10",
        help: "on SIGTERM or Ctrl-C, how long in-flight requests get to finish before the \
               remaining connections are closed (0 to 3600)",
    },
    Variable {
        name: "LEPTOS_SITE_ADDR",
        default: "127.0.0.1:3000",
        help: "address and port to listen on",
    },
    Variable {
        name: "LEPTOS_SITE_ROOT",
        default: "target/site",
        help: "folder holding the compiled site (pkg/, favicon)",
    },
    Variable {
        name: "LEPTOS_SITE_PKG_DIR",
        default: "pkg",
        help: "folder under LEPTOS_SITE_ROOT holding the wasm, JS and CSS",
    },
    Variable {
        name: "LEPTOS_OUTPUT_NAME",
        default: "todo",
        help: "base name of the wasm, JS and CSS files",
    },
    Variable {
        name: "LEPTOS_HASH_FILES",
        default: "(auto)",
        help: "true when the bundle's file names carry their content's hash (then cached for \
               a year); by default true when LEPTOS_HASH_FILE_NAME exists, as `make build` \
               leaves it",
    },
    Variable {
        name: "LEPTOS_HASH_FILE_NAME",
        default: "hash.txt",
        help: "the list of those hashes that cargo-leptos writes, beside the server binary \
               (or an absolute path)",
    },
    Variable {
        name: "LEPTOS_ENV",
        default: "PROD",
        help: "PROD or DEV",
    },
    Variable {
        name: "JWT_SECRET",
        default: "(generated)",
        help: "key for signing access tokens, at least 32 bytes; when unset, one is generated \
               into DATA_DIR/jwt_secret on first start (set it when running several instances)",
    },
    Variable {
        name: "DATA_DIR",
        default: "data",
        help: "folder for files the server keeps (the generated JWT secret)",
    },
    Variable {
        name: "COOKIE_SECURE",
        default: "false",
        help: "true when the site is served over HTTPS: the session cookie gets Secure",
    },
    Variable {
        name: "SESSION_TTL_HOURS",
        default: "168",
        help: "a browser session ends after this many hours without a visit (1 to 8760)",
    },
    Variable {
        name: "CLIENT_IP_SOURCE",
        default: "ConnectInfo",
        help: "where the client address comes from: ConnectInfo (the socket), or behind a \
               proxy RightmostXForwardedFor, XRealIp, CfConnectingIp, ...",
    },
    Variable {
        name: "LOGIN_MAX_FAILURES",
        default: "10",
        help: "failed logins for one account from one address before that pair gets 429 \
               (1 to 100000); a correct password clears the pair",
    },
    Variable {
        name: "LOGIN_MAX_FAILURES_PER_ACCOUNT",
        default: "100",
        help: "failed logins for one account from all addresses together before it gets 429",
    },
    Variable {
        name: "LOGIN_MAX_FAILURES_PER_ADDRESS",
        default: "100",
        help: "failed logins from one address across all accounts before it gets 429",
    },
    Variable {
        name: "LOGIN_FAILURE_WINDOW_SECS",
        default: "60",
        help: "the window login failures are counted in, in seconds (1 to 86400)",
    },
    Variable {
        name: "SIGNUPS_PER_HOUR",
        default: "10",
        help: "accounts one address may create in an hour before signup answers 429",
    },
    Variable {
        name: "PASSWORD_QUEUE",
        default: "64",
        help: "password checks that may wait for a free core (one runs per core); beyond \
               that, signup and login answer 503 with Retry-After instead of queueing",
    },
    Variable {
        name: "PAGE_RENDERS",
        default: "0",
        help: "pages rendered at once (0: four per core); more page requests wait their \
               turn, which bounds the memory a burst of page loads takes",
    },
    Variable {
        name: "EVENT_STREAMS_PER_USER",
        default: "32",
        help: "live event streams (/api/{user_id}/events, and one per open task page) one \
               user may hold open on this instance at once; one more answers 429",
    },
    Variable {
        name: "TASKS_PER_ACCOUNT",
        default: "200000",
        help: "the most tasks one account may hold, imports included (1 to 100000000); a \
               create or import past it answers 403 naming the limit",
    },
    Variable {
        name: "EVENT_KEEP_ALIVE_SECS",
        default: "15",
        help: "how often an idle event stream sends a comment, so proxies keep it open",
    },
    Variable {
        name: "WEBHOOKS_ALLOW_PRIVATE",
        default: "false",
        help: "true lets webhooks point to loopback, private and link-local addresses (tests, \
               a closed network); otherwise they are refused when made and at each delivery",
    },
    Variable {
        name: "CORS_ORIGINS",
        default: "(none)",
        help: "comma-separated origins (https://app.example.com) whose pages may call the JSON \
               API with a bearer token; cookies are never allowed cross-origin",
    },
    Variable {
        name: "RUST_LOG",
        default: "info",
        help: "log filter, e.g. info or todo=debug,tower_http=debug",
    },
];

/// The text `--help` prints: usage and every variable with its default.
pub fn help_text() -> String {
    let mut text = String::from(
        "todo: a self-hosted, multi-user task manager (web pages and a JSON API)\n\n\
         Usage: todo [--help]            serve the app\n\
                todo reset-password EMAIL  print a one-time password for that account,\n\
                                           end its sessions and tokens, and make it\n\
                                           choose a new password at its next login\n\
                todo precompress DIR       write brotli and gzip copies of the static\n\
                                           files under DIR (a build step)\n\n\
         Configuration comes from environment variables, and from a .env file in the\n\
         working directory when present:\n\n",
    );
    for v in VARIABLES {
        text.push_str(&format!(
            "  {:<26} {}\n  {:<26} default: {}\n",
            v.name, v.help, "", v.default
        ));
    }
    text
}

pub(super) fn default_of(name: &str) -> &'static str {
    VARIABLES
        .iter()
        .find(|v| v.name == name)
        .map(|v| v.default)
        .unwrap_or_default()
}
