//! The server binary: reads the configuration and runs the application.

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: faster under many threads, and it hands freed memory
/// back, where glibc kept each thread's 19 MiB Argon2 blocks (peak RSS 743 MiB under load).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        print!("{}", todo::config::help_text());
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A build step, before any configuration is read.
    if args.first().map(String::as_str) == Some("precompress") {
        return precompress(&args[1..]);
    }
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            eprintln!("todo: the .env file could not be read: {e}");
            return ExitCode::from(2);
        }
    }
    let config = match todo::config::Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("todo: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    todo::telemetry::init(&config.log_filter);

    match args.first().map(String::as_str) {
        None => {}
        Some("reset-password") => return reset_password(&config, &args[1..]).await,
        Some(other) => {
            eprintln!("todo: unknown command {other:?} (try --help)");
            return ExitCode::from(2);
        }
    }

    match todo::startup::Application::build(config).await {
        Ok(app) => match app
            .run_until_stopped(todo::startup::shutdown_signal())
            .await
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!("server stopped with an error: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("todo: could not start: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `todo precompress DIR`: brotli and gzip copies of the static files under DIR (`make
/// build` runs it on the built site), made again only for files changed since.
fn precompress(args: &[String]) -> ExitCode {
    let [dir] = args else {
        eprintln!("usage: todo precompress DIR");
        return ExitCode::from(2);
    };
    match todo::precompress::precompress(std::path::Path::new(dir)) {
        Ok(done) => {
            println!(
                "todo: {} files compressed ({} KiB; {} KiB as brotli), {} already up to date",
                done.compressed,
                done.bytes / 1024,
                done.brotli_bytes / 1024,
                done.unchanged
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("todo: the files under {dir} could not be compressed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `todo reset-password EMAIL`: prints a one-time password the account must change at its
/// next login; every session and token of that user ends.
async fn reset_password(config: &todo::config::Config, args: &[String]) -> ExitCode {
    let [email] = args else {
        eprintln!("usage: todo reset-password EMAIL");
        return ExitCode::from(2);
    };
    match todo::startup::reset_password(config, email).await {
        Ok(Some(one_time)) => {
            println!("{one_time}");
            eprintln!(
                "todo: the password of {email} was reset; every session and token of it ended. \
                 Give the one-time password above to its owner: it must be changed at the next login."
            );
            ExitCode::SUCCESS
        }
        Ok(None) => {
            eprintln!("todo: no account has the email address {email:?}");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("todo: the password could not be reset: {e}");
            ExitCode::FAILURE
        }
    }
}
