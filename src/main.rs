//! The `cit-api` binary: `serve` (default), `migrate`, `openapi`, `import-calls`, `seed-demo`,
//! and the break-glass `unlock-user` and `reset-password`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use cit_api::auth::password::Hasher;
use cit_api::clock::Clock;
use cit_api::config::Settings;
use cit_api::db::migrations::redact_url;
use cit_api::startup::{Application, StartupError, check_schema_current, prepare_database};
use cit_api::users::bootstrap::FirstAdmin;
use cit_api::users::break_glass;
use cit_api::{openapi, telemetry};

/// The system of record for a city's Crisis Intervention Team program.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve {
        /// Seed the demo city first when the database is empty (as `seed-demo` does).
        #[arg(long)]
        demo: bool,
    },
    /// Create the database if missing and apply pending migrations, then exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Break glass: unlock a user (e.g. the only admin, locked by failed logins). Audited.
    UnlockUser {
        /// The username.
        name: String,
    },
    /// Break glass: give a user a new random password, printed once; also unlocks the user and
    /// ends its sessions. Audited.
    ResetPassword {
        /// The username.
        name: String,
    },
    /// Import calls from a CSV export through the same checks and ingest as the API
    /// (idempotent: a re-run changes nothing). Audited as `call.batch` by `cli`.
    ImportCalls {
        /// The CSV file (a header row, then one call a row).
        file: std::path::PathBuf,
        /// The mapping (TOML): which column feeds which field, constants, codes, time zone. See
        /// `mappings/`.
        #[arg(long)]
        mapping: std::path::PathBuf,
        /// Rows stored per transaction.
        #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u16).range(1..=5000))]
        chunk: u16,
        /// Chunks stored at once, each on a database connection of its own.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=8))]
        connections: u8,
    },
    /// Fill an empty database with a synthetic mid-sized city: staff and their CIT training
    /// since 2016, calls since 2020, partners, referrals and follow-ups. Deterministic for a
    /// seed. Audited as `demo.seed` by `cli`.
    SeedDemo {
        /// The same seed makes the same city.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// 1 is about 180 officers and 25,000 calls a year; 10 and up for benchmarks.
        #[arg(long, default_value_t = 1.0, value_parser = parse_scale)]
        scale: f64,
        /// Seed even when the database holds data already.
        #[arg(long)]
        force: bool,
    },
}

fn parse_scale(raw: &str) -> Result<f64, String> {
    match raw.parse::<f64>() {
        Ok(scale) if scale > 0.0 && scale <= 100.0 => Ok(scale),
        _ => Err("must be a number above 0 and at most 100".to_owned()),
    }
}

/// mimalloc rather than glibc's malloc: a request allocates and frees many small buffers on two
/// worker threads, where glibc's arenas cost 6–13% of the CPU (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(error) => return fail(&format!("configuration: {error}")),
    };
    match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Openapi => print_openapi(),
        Command::Migrate => {
            telemetry::init(settings.log_format);
            match prepare_database(settings.migration_url()).await {
                Ok(applied) => {
                    tracing::info!(applied, "migrations are up to date");
                    ExitCode::SUCCESS
                }
                Err(error) => fail(&database_hint(&settings, &StartupError::Database(error))),
            }
        }
        Command::Serve { demo } => {
            telemetry::init(settings.log_format);
            if demo {
                let options = cit_api::demo::Options {
                    seed: 1,
                    scale: 1.0,
                    force: false,
                };
                if let Err(code) = seed_demo(&settings, options, true).await {
                    return code;
                }
            }
            serve(settings).await
        }
        Command::SeedDemo { seed, scale, force } => {
            let options = cit_api::demo::Options { seed, scale, force };
            match seed_demo(&settings, options, false).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(code) => code,
            }
        }
        Command::UnlockUser { name } => break_glass(&settings, name, false).await,
        Command::ResetPassword { name } => break_glass(&settings, name, true).await,
        Command::ImportCalls {
            file,
            mapping,
            chunk,
            connections,
        } => {
            import_calls(
                &settings,
                &file,
                &mapping,
                usize::from(chunk),
                usize::from(connections),
            )
            .await
        }
    }
}

#[allow(clippy::print_stdout)]
async fn break_glass(settings: &Settings, name: String, reset: bool) -> ExitCode {
    let url = settings.migration_url();
    // An emergency is no time to change the schema: refuse a database this binary would migrate.
    if let Err(error) = check_schema_current(url).await {
        return fail(&database_hint(settings, &StartupError::Database(error)));
    }
    if reset {
        match break_glass::reset_password(url, &name, &Hasher::for_cores()).await {
            Ok(password) => {
                println!(
                    "New password for `{}` (shown only this once; the user is unlocked and its sessions ended):\n\n    {password}\n",
                    name.trim().to_lowercase()
                );
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error.to_string()),
        }
    } else {
        let clock = Clock::system(settings.time_zone);
        match break_glass::unlock_user(url, &name, &clock).await {
            Ok(was_locked) => {
                println!(
                    "`{}` is unlocked{}.",
                    name.trim().to_lowercase(),
                    if was_locked {
                        ""
                    } else {
                        " (it was not locked)"
                    }
                );
                ExitCode::SUCCESS
            }
            Err(error) => fail(&error.to_string()),
        }
    }
}

#[allow(clippy::print_stdout)]
async fn import_calls(
    settings: &Settings,
    file: &std::path::Path,
    mapping: &std::path::Path,
    chunk: usize,
    connections: usize,
) -> ExitCode {
    use std::io::IsTerminal;

    use cit_api::calls::import::{self, Mapping};
    use diesel_async::{AsyncConnection, AsyncPgConnection};

    let text = match std::fs::read_to_string(mapping) {
        Ok(text) => text,
        Err(error) => return fail(&format!("cannot read {}: {error}", mapping.display())),
    };
    let mapping = match Mapping::parse(&text) {
        Ok(mapping) => mapping,
        Err(error) => return fail(&error.to_string()),
    };
    let url = settings.migration_url();
    if let Err(error) = check_schema_current(url).await {
        return fail(&database_hint(settings, &StartupError::Database(error)));
    }
    let mut conns = Vec::with_capacity(connections);
    for _ in 0..connections {
        match AsyncPgConnection::establish(url).await {
            Ok(conn) => conns.push(conn),
            Err(error) => {
                return fail(&format!("cannot connect to {}: {error}", redact_url(url)));
            }
        }
    }
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let terminal = std::io::stderr().is_terminal();
    let bar = if terminal {
        let bar = indicatif::ProgressBar::new(size);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {msg} ({elapsed}, {eta} left)",
        ) {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let outcome = import::import(
        conns,
        file,
        &mapping,
        cit_api::calls::ingest::Rules::of(settings),
        chunk,
        |summary, read| {
            let line = format!(
                "{} rows: {} created, {} updated, {} unchanged, {} rejected",
                summary.rows,
                summary.created,
                summary.updated,
                summary.unchanged,
                summary.rejected_count
            );
            if terminal {
                bar.set_position(read);
                bar.set_message(line);
            } else {
                println!("{line}");
            }
        },
    )
    .await;
    bar.finish_and_clear();
    let summary = match outcome {
        Ok(summary) => summary,
        Err(error) => return fail(&error.to_string()),
    };
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    #[allow(clippy::cast_precision_loss)]
    let rate = summary.rows as f64 / seconds;
    println!(
        "Imported {}: {} rows in {seconds:.1} s ({rate:.0} rows/s): {} created, {} updated, {} unchanged, {} rejected.",
        file.display(),
        summary.rows,
        summary.created,
        summary.updated,
        summary.unchanged,
        summary.rejected_count
    );
    const SHOWN: usize = 50;
    for (line, errors) in summary.rejected.iter().take(SHOWN) {
        let reasons: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        println!("  line {line}: {}", reasons.join("; "));
    }
    if summary.rejected.len() > SHOWN {
        println!(
            "  … and {} more rejected lines",
            summary.rejected.len() - SHOWN
        );
    }
    ExitCode::SUCCESS
}

/// Seeds the demo city with a progress bar. With `only_if_empty` (`serve --demo`), a database
/// that holds data is left alone.
#[allow(clippy::print_stdout)]
async fn seed_demo(
    settings: &Settings,
    options: cit_api::demo::Options,
    only_if_empty: bool,
) -> Result<(), ExitCode> {
    use std::io::IsTerminal;

    use cit_api::demo::{self, Progress, SeedError};
    use diesel_async::{AsyncConnection, AsyncPgConnection};

    let url = settings.migration_url();
    if let Err(error) = prepare_database(url).await {
        return Err(fail(&database_hint(
            settings,
            &StartupError::Database(error),
        )));
    }
    let mut conns = Vec::with_capacity(2);
    for _ in 0..2 {
        match AsyncPgConnection::establish(url).await {
            Ok(conn) => conns.push(conn),
            Err(error) => {
                return Err(fail(&format!(
                    "cannot connect to {}: {error}",
                    redact_url(url)
                )));
            }
        }
    }
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(100);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg} ({elapsed})")
        {
            bar.set_style(style);
        }
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let clock = Clock::system(settings.time_zone);
    let started = std::time::Instant::now();
    let outcome = demo::seed(
        conns,
        options,
        cit_api::calls::ingest::Rules::of(settings),
        clock.city_today().date,
        clock.now(),
        |step| match step {
            Progress::Generating => bar.set_message("making up the city"),
            Progress::Staff => {
                bar.set_position(10);
                bar.set_message("staff, training and partners written; storing calls");
            }
            Progress::Calls(done, total) => {
                bar.set_position(10 + (85 * done / total.max(1)) as u64);
                bar.set_message(format!("{done} of {total} calls stored"));
            }
            Progress::Aftermath => bar.set_message("referrals and follow-ups"),
        },
    )
    .await;
    bar.finish_and_clear();
    match outcome {
        Ok(summary) => {
            println!(
                "Seeded the demo city (seed {}, scale {}) in {:.1} s: {} personnel, {} certifications, {} calls ({} mental-health, {} people in crisis), {} referrals, {} follow-ups worked.",
                options.seed,
                options.scale,
                started.elapsed().as_secs_f64(),
                summary.personnel,
                summary.certifications,
                summary.calls,
                summary.mental_health_calls,
                summary.subjects,
                summary.referrals,
                summary.follow_ups_worked
            );
            Ok(())
        }
        Err(SeedError::NotEmpty(_)) if only_if_empty => {
            tracing::info!("the database holds data; no demo seeding");
            Ok(())
        }
        Err(error) => Err(fail(&error.to_string())),
    }
}

#[allow(clippy::print_stdout)]
fn print_openapi() -> ExitCode {
    print!("{}", openapi::document_json());
    ExitCode::SUCCESS
}

#[allow(clippy::print_stdout)]
async fn serve(settings: Settings) -> ExitCode {
    let app = match Application::build(&settings).await {
        Ok(app) => app,
        Err(error) => return fail(&database_hint(&settings, &error)),
    };
    if let FirstAdmin::Created {
        username,
        generated_password,
    } = &app.first_admin
    {
        tracing::info!(username = %username, "created the first admin");
        if let Some(password) = generated_password {
            println!(
                "\nFirst start: created admin user `{username}` with password\n\n    {password}\n\nIt is shown only this once. Log in at POST /api/v1/auth/login and change it at POST /api/v1/me/password.\n"
            );
        }
    }
    tracing::info!(
        address = %settings.bind,
        port = app.port(),
        "listening; Swagger UI at /swagger-ui/"
    );
    match app.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(&format!("server: {error}")),
    }
}

/// One line, with what to do about it when the database is the problem.
fn database_hint(settings: &Settings, error: &StartupError) -> String {
    match error {
        StartupError::Database(cit_api::db::migrations::SetupError::Connect { reason, .. })
            if reason.contains("does not exist") =>
        {
            format!("{error}. Create and migrate it with `cit-api migrate`.")
        }
        StartupError::Database(cit_api::db::migrations::SetupError::Connect { .. }) => format!(
            "{error}. Start PostgreSQL (e.g. `pg_ctlcluster 15 main start`, or `docker compose up -d db`) or point DATABASE_URL at one (now {}).",
            redact_url(settings.migration_url())
        ),
        other => other.to_string(),
    }
}

#[allow(clippy::print_stderr)]
fn fail(message: &str) -> ExitCode {
    eprintln!("cit-api: error: {message}");
    ExitCode::FAILURE
}
