//! Backups: an online copy of the database, its restore, and the daily schedule of `serve`.
//!
//! SQLite is copied with `VACUUM INTO`, which reads one consistent snapshot while the server
//! keeps writing. PostgreSQL is dumped with `pg_dump` (custom format) and restored with
//! `pg_restore`; without them on the `PATH` the command says what to run instead.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use entity::{client, location, payment, user};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait, Statement,
};

use crate::{config::Settings, db, state::wall_clock};

/// Which kind of database a URL names.
fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// The file of a `sqlite://path?…` URL.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

/// The name of a backup made at `at`: `clubgrid-20261201-020000.db` (or `.dump`).
pub fn file_name(settings: &Settings, at: DateTime<Utc>) -> String {
    let ext = if is_sqlite(&settings.database_url) {
        "db"
    } else {
        "dump"
    };
    format!("clubgrid-{}.{ext}", at.format("%Y%m%d-%H%M%S"))
}

/// Copies the database to `file` (which must not exist yet) through `conn`, safely while the
/// server is writing.
pub async fn backup(
    settings: &Settings,
    conn: &DatabaseConnection,
    file: &Path,
) -> Result<(), String> {
    if file.exists() {
        return Err(format!(
            "{} already exists; give another file name",
            file.display()
        ));
    }
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    match conn.get_database_backend() {
        DatabaseBackend::Sqlite => {
            let target = file.to_string_lossy().replace('\'', "''");
            conn.execute_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                format!("VACUUM INTO '{target}'"),
            ))
            .await
            .map_err(|e| format!("VACUUM INTO {}: {e}", file.display()))?;
            Ok(())
        }
        _ => pg_dump(settings, file).await,
    }
}

async fn pg_dump(settings: &Settings, file: &Path) -> Result<(), String> {
    let mut cmd = tokio::process::Command::new("pg_dump");
    cmd.arg("--format=custom")
        .arg("--no-owner")
        .arg(format!("--file={}", file.display()));
    if let Some(schema) = &settings.database_schema {
        cmd.arg(format!("--schema={schema}"));
    }
    cmd.arg(format!("--dbname={}", settings.database_url));
    run(cmd, "pg_dump", || {
        format!(
            "install the PostgreSQL client tools (Debian: apt install postgresql-client), or run \
             `pg_dump --format=custom --file={} \"$CLUBGRID_DATABASE_URL\"` yourself",
            file.display()
        )
    })
    .await
}

async fn run(
    mut cmd: tokio::process::Command,
    tool: &str,
    instead: impl Fn() -> String,
) -> Result<(), String> {
    let out = match cmd.output().await {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(format!("{tool} is not on the PATH: {}", instead()));
        }
        Err(e) => return Err(format!("cannot run {tool}: {e}")),
    };
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{tool} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Rows in the tables a venue fills: zero means a fresh (or unmigrated) database.
pub async fn rows_in_use(conn: &DatabaseConnection) -> u64 {
    // A table that is missing (an unmigrated database) counts as empty.
    location::Entity::find().count(conn).await.unwrap_or(0)
        + client::Entity::find().count(conn).await.unwrap_or(0)
        + user::Entity::find().count(conn).await.unwrap_or(0)
        + payment::Entity::find().count(conn).await.unwrap_or(0)
}

/// Puts a backup back. Refuses a database that holds data unless `force`; the server must not
/// be running against the database meanwhile.
pub async fn restore(settings: &Settings, file: &Path, force: bool) -> Result<(), String> {
    if !file.is_file() {
        return Err(format!("{} is not a file", file.display()));
    }
    let (conn, _) = db::connect(settings)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let used = rows_in_use(&conn).await;
    if used > 0 && !force {
        return Err(format!(
            "the database is not empty ({used} rows of locations, clients, users and payments); \
             restoring would replace them: stop the server and run again with --force"
        ));
    }
    if is_sqlite(&settings.database_url) {
        let target = sqlite_path(&settings.database_url)
            .ok_or("restore needs a SQLite database in a file")?;
        conn.close().await.map_err(|e| e.to_string())?;
        // Check the backup is a SQLite database before anything is replaced.
        let mut head = [0u8; 16];
        use std::io::Read;
        std::fs::File::open(file)
            .and_then(|mut f| f.read_exact(&mut head))
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        if &head != b"SQLite format 3\0" {
            return Err(format!("{} is not a SQLite database", file.display()));
        }
        let staged = target.with_extension("restoring");
        std::fs::copy(file, &staged).map_err(|e| format!("cannot copy the backup: {e}"))?;
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
        }
        std::fs::rename(&staged, &target)
            .map_err(|e| format!("cannot put {} in place: {e}", target.display()))?;
        return Ok(());
    }
    drop(conn);
    let mut cmd = tokio::process::Command::new("pg_restore");
    cmd.arg("--clean")
        .arg("--if-exists")
        .arg("--no-owner")
        .arg("--single-transaction")
        .arg(format!("--dbname={}", settings.database_url))
        .arg(file);
    run(cmd, "pg_restore", || {
        format!(
            "install the PostgreSQL client tools, or run `pg_restore --clean --if-exists \
             --no-owner --dbname=\"$CLUBGRID_DATABASE_URL\" {}` yourself",
            file.display()
        )
    })
    .await
}

/// Deletes the backups in `dir` older than `keep_days`; answers how many went.
pub fn prune(dir: &Path, keep_days: u64, now: std::time::SystemTime) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let keep = Duration::from_secs(keep_days.saturating_mul(86_400));
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !name.starts_with("clubgrid-") || !(name.ends_with(".db") || name.ends_with(".dump")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| now.duration_since(at).ok())
            .is_some_and(|age| age > keep);
        if old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// The next moment local `at` comes in `tz` after `now`.
pub fn next_run(now: DateTime<Utc>, at: NaiveTime, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let local = now.with_timezone(&tz).date_naive();
    for day in 0..3 {
        let date = local + chrono::Duration::days(day);
        if let Some(t) = tz.from_local_datetime(&date.and_time(at)).earliest() {
            let t = t.with_timezone(&Utc);
            if t > now {
                return t;
            }
        }
    }
    now + chrono::Duration::days(1)
}

/// The daily backup of `serve`, when `backup_daily` is on: at `backup_at` in `backup_timezone`,
/// into `backup_dir`, keeping `backup_keep_days` days.
pub fn spawn_daily(
    settings: Settings,
    conn: DatabaseConnection,
) -> Result<Option<tokio::task::JoinHandle<()>>, String> {
    if !settings.backup_daily {
        return Ok(None);
    }
    let at = NaiveTime::parse_from_str(&settings.backup_at, "%H:%M")
        .map_err(|_| format!("backup_at `{}` is not HH:MM", settings.backup_at))?;
    let tz: chrono_tz::Tz = settings
        .backup_timezone
        .parse()
        .map_err(|_| format!("backup_timezone `{}` is unknown", settings.backup_timezone))?;
    Ok(Some(tokio::spawn(async move {
        loop {
            let now = wall_clock();
            let next = next_run(now, at, tz);
            let wait = (next - now).to_std().unwrap_or(Duration::from_secs(60));
            tokio::time::sleep(wait).await;
            let dir = PathBuf::from(&settings.backup_dir);
            let file = dir.join(file_name(&settings, wall_clock()));
            match backup(&settings, &conn, &file).await {
                Ok(()) => tracing::info!(file = %file.display(), "daily backup made"),
                Err(e) => tracing::error!(error = %e, "daily backup failed"),
            }
            let removed = prune(
                &dir,
                settings.backup_keep_days,
                std::time::SystemTime::now(),
            );
            if removed > 0 {
                tracing::info!(removed, "old backups removed");
            }
        }
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_run_is_the_coming_occurrence() {
        let tz: chrono_tz::Tz = "Asia/Almaty".parse().unwrap_or(chrono_tz::UTC);
        let two = NaiveTime::from_hms_opt(2, 0, 0).unwrap_or(NaiveTime::MIN);
        let now = Utc.with_ymd_and_hms(2026, 12, 1, 5, 0, 0).single();
        let next = now.map(|now| next_run(now, two, tz));
        // 02:00 in Almaty (UTC+5) is 21:00 UTC the day before: the next is tonight's.
        assert_eq!(next, Utc.with_ymd_and_hms(2026, 12, 1, 21, 0, 0).single());
    }

    /// Seed 002's retention: what is older than the days kept goes, the rest and files that
    /// are not backups stay.
    #[test]
    fn pruning_keeps_the_days_asked_for() -> std::io::Result<()> {
        let dir = std::env::temp_dir().join(format!("clubgrid-prune-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let now = std::time::SystemTime::now();
        let day = Duration::from_secs(86_400);
        let aged = |name: &str, days: u32| -> std::io::Result<()> {
            let path = dir.join(name);
            std::fs::write(&path, b"x")?;
            std::fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(now - day * days)
        };
        aged("clubgrid-20261020-0200.db", 42)?;
        aged("clubgrid-20261031-0200.dump", 31)?;
        aged("clubgrid-20261102-0200.db", 29)?;
        aged("clubgrid-20261201-0200.db", 0)?;
        aged("notes.txt", 90)?;
        aged("clubgrid-20261001-0200.db-journal", 60)?;
        assert_eq!(prune(&dir, 30, now), 2);
        let mut left: Vec<String> = std::fs::read_dir(&dir)?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "clubgrid-20261001-0200.db-journal",
                "clubgrid-20261102-0200.db",
                "clubgrid-20261201-0200.db",
                "notes.txt"
            ]
        );
        // A second pass the same day finds nothing more to remove.
        assert_eq!(prune(&dir, 30, now), 0);
        std::fs::remove_dir_all(&dir)
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://clubgrid.db?mode=rwc"),
            Some(PathBuf::from("clubgrid.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
