//! The `clubgrid` command line.

use std::{io::Read, net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use entity::enums::Role;
use tracing_subscriber::EnvFilter;

use crate::{
    auth::{actor::Caller, users},
    backup,
    config::Settings,
    db, demo,
    schema::export_sdl,
    state::{AppState, redact_url},
    venue::organisation,
};

#[derive(Parser, Debug)]
#[command(
    name = "clubgrid",
    version,
    about = "The front desk of a small venue, as one GraphQL API"
)]
struct Cli {
    /// A TOML file of settings (environment variables CLUBGRID_* override it).
    #[arg(long, global = true, env = "CLUBGRID_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve GraphQL (and GraphiQL with --demo).
    Serve {
        /// Demo mode: demo data and users, GraphiQL and introspection on, a made-up JWT secret
        /// if none is set.
        #[arg(long)]
        demo: bool,
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Load data into the database.
    Seed {
        /// The demo venues and a user per role (password demo12345).
        #[arg(long, required = true)]
        demo: bool,
    },
    /// Print the GraphQL schema (SDL).
    ExportSchema,
    /// Copy the database to FILE, safely while the server runs: SQLite by `VACUUM INTO`,
    /// PostgreSQL by `pg_dump`. Without FILE, into `backup_dir` with the time in its name.
    Backup { file: Option<PathBuf> },
    /// Put a backup back. Stop the server first; a database with data is replaced only with
    /// --force.
    Restore {
        file: PathBuf,
        /// Replace a database that holds data.
        #[arg(long)]
        force: bool,
    },
    /// Import clients from an .xlsx or .csv file and print a row-by-row report.
    ImportClients {
        /// The spreadsheet (Russian or English headers).
        file: PathBuf,
        /// Check the file and report, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Create a staff user. The password is read from standard input, or from
    /// CLUBGRID_NEW_USER_PASSWORD.
    CreateUser {
        #[arg(long)]
        username: String,
        /// owner, admin, manager, operator, tech, trainer, read_only, client
        #[arg(long)]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::ExportSchema = cli.command {
        print!("{}", export_sdl());
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_tracing(settings: &Settings) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.log));
    // A second initialisation (tests) is harmless. JSON lines carry the fields of the
    // request's span (request id, operation) with each event.
    if settings.log_format.eq_ignore_ascii_case("json") {
        let _ = tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .with_target(false)
            .with_current_span(true)
            .with_span_list(false)
            .try_init();
    } else {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_target(false)
            .try_init();
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let settings = Settings::load(cli.config.as_deref()).map_err(|e| e.to_string())?;
    init_tracing(&settings);
    match cli.command {
        Command::Serve { demo, listen } => {
            let mut settings = settings.prepare(demo).map_err(|e| e.to_string())?;
            if let Some(listen) = listen {
                settings.listen = listen;
            }
            serve(settings, demo).await
        }
        Command::Backup { file } => {
            let (conn, _) = db::connect(&settings)
                .await
                .map_err(|e| format!("database {}: {e}", redact_url(&settings.database_url)))?;
            let file = file.unwrap_or_else(|| {
                PathBuf::from(&settings.backup_dir)
                    .join(backup::file_name(&settings, crate::state::wall_clock()))
            });
            let started = std::time::Instant::now();
            backup::backup(&settings, &conn, &file).await?;
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            println!(
                "backup written to {} ({} KiB in {:.1} s)",
                file.display(),
                size / 1024,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { file, force } => {
            backup::restore(&settings, &file, force).await?;
            println!(
                "restored {} into {}",
                file.display(),
                redact_url(&settings.database_url)
            );
            Ok(())
        }
        Command::Migrate => {
            let state = tool_state(settings).await?;
            println!(
                "migrations applied to {}",
                redact_url(&state.settings.database_url)
            );
            Ok(())
        }
        Command::Seed { .. } => {
            let state = tool_state(settings).await?;
            let started = std::time::Instant::now();
            demo::seed(&state).await.map_err(|e| e.to_string())?;
            println!(
                "demo data loaded in {:.1} s; demo users have the password {}",
                started.elapsed().as_secs_f64(),
                demo::DEMO_PASSWORD
            );
            Ok(())
        }
        Command::CreateUser {
            username,
            role,
            display_name,
        } => {
            let role = Role::parse(role.trim()).ok_or_else(|| {
                format!("unknown role `{role}`; use one of owner, admin, manager, operator, tech, trainer, read_only, client")
            })?;
            let password = read_new_password()?;
            let state = tool_state(settings).await?;
            let new = users::NewUser {
                username,
                display_name,
                password,
                role,
            };
            let user = users::create(&state, &Caller::system(), new)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "created user {} (id {}, role {})",
                user.username,
                user.id,
                user.role.as_str()
            );
            Ok(())
        }
        Command::ImportClients { file, dry_run } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("clients.xlsx")
                .to_owned();
            let state = tool_state(settings).await?;
            let report =
                crate::clients::importer::import(&state, &Caller::system(), &bytes, &name, dry_run)
                    .await
                    .map_err(|e| e.to_string())?;
            for row in report.rows.iter().filter(|r| r.message.is_some()) {
                let column = row
                    .column
                    .as_deref()
                    .map(|c| format!(" [{c}]"))
                    .unwrap_or_default();
                println!(
                    "row {}: {:?}{column} {}",
                    row.row,
                    row.outcome,
                    row.message.as_deref().unwrap_or("")
                );
            }
            println!(
                "{}{} rows: created {}, updated {}, skipped {}, errors {}",
                if dry_run {
                    "dry run, nothing written; "
                } else {
                    ""
                },
                report.total,
                report.created,
                report.updated,
                report.skipped,
                report.failed
            );
            Ok(())
        }
        Command::ExportSchema => Ok(()),
    }
}

fn read_new_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("CLUBGRID_NEW_USER_PASSWORD") {
        return Ok(password);
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
    let password = input.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err("give the password on standard input or in CLUBGRID_NEW_USER_PASSWORD".into());
    }
    Ok(password)
}

/// Migrates the database (or, with `migrate` false, checks that nothing is pending) before the
/// state exists: the state's background work (outbox relay, notifications) starts with it and
/// must find its tables.
async fn prepare_database(settings: &Settings, migrate: bool) -> Result<(), String> {
    let (conn, _) = db::connect(settings)
        .await
        .map_err(|e| format!("database {}: {e}", redact_url(&settings.database_url)))?;
    if migrate {
        db::migrate(&conn)
            .await
            .map_err(|e| format!("migration failed: {e}"))?;
    } else {
        db::check_migrated(&conn).await?;
    }
    let _ = conn.close().await;
    Ok(())
}

/// State for one-shot commands: migrated, with a throwaway JWT secret if none is set.
async fn tool_state(settings: Settings) -> Result<AppState, String> {
    let settings = settings.for_tools();
    prepare_database(&settings, true).await?;
    let state = AppState::init(settings).await.map_err(|e| e.to_string())?;
    organisation::get(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(state)
}

async fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    prepare_database(&settings, settings.auto_migrate || demo).await?;
    let state = AppState::init(settings).await.map_err(|e| e.to_string())?;
    let _backups = backup::spawn_daily(state.settings.clone(), state.db.clone())?;
    organisation::get(&state.db)
        .await
        .map_err(|e| e.to_string())?;
    if demo {
        demo::seed(&state)
            .await
            .map_err(|e| format!("demo data: {e}"))?;
    }
    // Prepaid sessions that ran out while the server was down stop on the first tick.
    let _ticker = crate::club::ticker::spawn(state.clone());
    let _sweeper = crate::booking::hold::spawn_sweeper(state.clone());
    let _renewals = crate::academy::renewals::spawn(state.clone());
    let database = redact_url(&state.settings.database_url);
    let bus = state.bus.engine();
    let graphiql = state.settings.graphiql;
    crate::http::serve(state, |addr| {
        println!("clubgrid listening on http://{addr}");
        println!("  database: {database}; event bus: {bus}");
        println!("  GraphQL:  http://{addr}/graphql (WebSocket subscriptions on the same path)");
        if graphiql {
            println!("  GraphiQL: http://{addr}/graphiql");
        }
        if demo {
            let names: Vec<_> = demo::DEMO_USERS.iter().map(|(u, _, _)| *u).collect();
            println!(
                "  demo logins: {} (password {})",
                names.join(", "),
                demo::DEMO_PASSWORD
            );
        }
    })
    .await
    .map_err(|e| format!("server: {e}"))
}
