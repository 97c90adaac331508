//! Typed configuration: defaults, then an optional TOML file, then `CLUBGRID_*` variables.

use std::{fmt, net::SocketAddr, path::Path};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

/// A value that must never reach a log or an error message.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Everything the server reads at start-up. Field names are the keys of the TOML file and,
/// upper-cased with a `CLUBGRID_` prefix, the environment variables.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server binds.
    pub listen: SocketAddr,
    /// `sqlite://file.db?mode=rwc` (embedded) or `postgres://…` (scale-out).
    pub database_url: String,
    /// PostgreSQL schema to use instead of `public`.
    pub database_schema: Option<String>,
    pub database_max_connections: u32,
    /// Run pending migrations when `serve` starts.
    pub auto_migrate: bool,
    /// Redis for the event bus; without it events stay inside the process.
    pub redis_url: Option<String>,
    /// Prefix of every Redis key and channel, so several deployments can share one Redis.
    pub redis_prefix: String,
    /// HS256 key of access tokens: at least 32 bytes. Required outside `--demo`.
    pub jwt_secret: Option<Secret>,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub access_token_minutes: i64,
    pub refresh_token_days: i64,
    /// Serve GraphiQL at `/graphiql`.
    pub graphiql: bool,
    /// Answer introspection queries (field suggestions are off when this is off).
    pub introspection: bool,
    /// Largest accepted multipart request (a spreadsheet upload).
    pub body_limit_bytes: usize,
    /// Largest accepted request that is not an upload (a GraphQL request in JSON).
    pub json_body_limit_bytes: usize,
    /// Origins allowed by CORS; empty means same-origin only.
    pub cors_origins: Vec<String>,
    /// How many password hashes may run at once (argon2 uses ~19 MiB each).
    pub password_hash_concurrency: usize,
    /// Failed logins per username within `login_window_minutes` before refusal.
    pub login_max_failures: u32,
    /// Failed logins per client address within the window before refusal.
    pub login_max_failures_per_address: u32,
    pub login_window_minutes: u64,
    /// Leads accepted from one client address per hour.
    pub leads_per_address_per_hour: u32,
    /// Leads accepted for one phone number per hour.
    pub leads_per_phone_per_hour: u32,
    /// Trust `X-Forwarded-For` from a reverse proxy for the client address.
    pub trust_forwarded_for: bool,
    /// `tracing` filter, e.g. `info,clubgrid_api=debug`.
    pub log: String,
    /// How often the club's clock work runs: prepaid sessions that ran out, bookings coming
    /// up, no-shows.
    pub club_tick_seconds: u64,
    /// A prepaid session announces its end this many minutes before.
    pub session_warn_minutes: i64,
    /// Booked PCs show as booked this many minutes before the booking starts.
    pub booking_show_minutes: i64,
    /// A booking nobody came to is cancelled this many minutes after its start.
    pub booking_grace_minutes: i64,
    /// How long a held appointment slot waits for its confirmation.
    pub hold_seconds: u64,
    /// Public booking reads (catalogue, slots) accepted from one client address per hour.
    pub public_reads_per_address_per_hour: u32,
    /// Public booking writes (holds, confirmations, cancellations) from one address per hour.
    pub public_writes_per_address_per_hour: u32,
    /// How long an event may wait unpublished (its process died, or the bus was away) before
    /// any replica's outbox sweep publishes it.
    pub outbox_grace_ms: u64,
    /// How often the outbox sweep looks for such events.
    pub outbox_sweep_ms: u64,
    /// How long published events are kept in the outbox before they are pruned: at least the
    /// 30 days an automation rule's dry run looks back over.
    pub outbox_retention_hours: u64,
    /// The Telegram bot's token: it checks the Mini App's sign-in data, and notifications are
    /// sent with it. Without it the Mini App signs nobody in and Telegram messages are skipped.
    pub telegram_bot_token: Option<Secret>,
    /// How old a Mini App's sign-in data (`initData`) may be.
    pub telegram_init_data_max_age_seconds: u64,
    /// Write clients' one-time sign-in codes to the log (on in `--demo`, where no bot
    /// delivers them). Never in production: the log would hold live codes.
    pub log_sign_in_codes: bool,
    /// One-time sign-in codes one phone number may ask for per hour.
    pub sign_in_codes_per_phone_per_hour: u32,
    /// A fault for tests of the outbox: abort the process right after a commit that raised
    /// events, before they are published. Never set it in production.
    pub fault_abort_after_commit: bool,
    /// `serve` makes a backup every day at `backup_at`.
    pub backup_daily: bool,
    /// When the daily backup runs: `HH:MM` in `backup_timezone`.
    pub backup_at: String,
    /// The IANA time zone of `backup_at`.
    pub backup_timezone: String,
    /// Where daily backups go (and where `clubgrid backup` puts one when no file is given).
    pub backup_dir: String,
    /// Daily backups older than this many days are deleted.
    pub backup_keep_days: u64,
    /// Bearer token that opens `/metrics`; without it `/metrics` is not served.
    pub metrics_token: Option<Secret>,
    /// `text` (default) or `json`: one JSON object per log line.
    pub log_format: String,
    /// `/readyz` fails when more events than this wait in the outbox unpublished.
    pub ready_outbox_backlog_max: u64,
    /// `/readyz` fails when the database's disk has less free space than this, in MiB.
    pub ready_min_free_disk_mb: u64,
    /// Run the notification dispatcher (events and reminders to Telegram and Web Push).
    pub notify_enabled: bool,
    /// The Telegram Bot API base URL (a local fake in tests).
    pub telegram_api_url: String,
    /// The VAPID private key (the P-256 scalar, base64url); without it one is made once and
    /// kept in the database.
    pub vapid_private_key: Option<Secret>,
    /// The VAPID `sub` claim: a `mailto:` or `https:` contact for push services.
    pub vapid_subject: String,
    /// How often the dispatcher looks for new events and due messages (a commit in this
    /// process wakes it at once).
    pub notify_poll_ms: u64,
    /// How often the reminders are computed.
    pub notify_reminder_every_ms: u64,
    /// Tries before a message is dead.
    pub notify_max_attempts: i32,
    /// The first retry's delay; each next one doubles, with jitter, up to the maximum.
    pub notify_retry_base_ms: u64,
    pub notify_retry_max_ms: u64,
    /// How long one send may take.
    pub notify_send_timeout_ms: u64,
    /// How often a message held by quiet hours looks again (at most; it goes at the end).
    pub notify_hold_recheck_ms: u64,
    /// Run the rule engine (automations on events and on clients without a contact).
    pub automations_enabled: bool,
    /// How often the rule engine looks for new events (a commit in this process wakes it).
    pub automation_poll_ms: u64,
    /// How often the no-contact rules look for quiet clients.
    pub automation_scan_every_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://clubgrid.db?mode=rwc".into(),
            database_schema: None,
            database_max_connections: 16,
            auto_migrate: true,
            redis_url: None,
            redis_prefix: "clubgrid".into(),
            jwt_secret: None,
            jwt_issuer: "clubgrid".into(),
            jwt_audience: "clubgrid-api".into(),
            access_token_minutes: 15,
            refresh_token_days: 30,
            graphiql: false,
            introspection: false,
            // Room for a spreadsheet of some 50,000 clients; JSON requests are far smaller.
            body_limit_bytes: 8 * 1024 * 1024,
            json_body_limit_bytes: 1024 * 1024,
            cors_origins: Vec::new(),
            password_hash_concurrency: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            login_max_failures: 10,
            login_max_failures_per_address: 50,
            login_window_minutes: 15,
            leads_per_address_per_hour: 20,
            leads_per_phone_per_hour: 3,
            trust_forwarded_for: false,
            log: "info".into(),
            club_tick_seconds: 15,
            session_warn_minutes: 5,
            booking_show_minutes: 30,
            booking_grace_minutes: 15,
            hold_seconds: 120,
            public_reads_per_address_per_hour: 1200,
            public_writes_per_address_per_hour: 60,
            outbox_grace_ms: 2000,
            outbox_sweep_ms: 1000,
            outbox_retention_hours: 31 * 24,
            telegram_bot_token: None,
            telegram_init_data_max_age_seconds: 24 * 60 * 60,
            log_sign_in_codes: false,
            sign_in_codes_per_phone_per_hour: 5,
            fault_abort_after_commit: false,
            backup_daily: false,
            backup_at: "02:00".into(),
            backup_timezone: "UTC".into(),
            backup_dir: "backups".into(),
            backup_keep_days: 30,
            metrics_token: None,
            log_format: "text".into(),
            ready_outbox_backlog_max: 1000,
            ready_min_free_disk_mb: 256,
            notify_enabled: true,
            telegram_api_url: "https://api.telegram.org".into(),
            vapid_private_key: None,
            vapid_subject: "mailto:admin@clubgrid.invalid".into(),
            notify_poll_ms: 1000,
            notify_reminder_every_ms: 60_000,
            notify_max_attempts: 5,
            notify_retry_base_ms: 30_000,
            notify_retry_max_ms: 3_600_000,
            notify_send_timeout_ms: 10_000,
            notify_hold_recheck_ms: 60_000,
            automations_enabled: true,
            automation_poll_ms: 1000,
            automation_scan_every_ms: 60_000,
        }
    }
}

/// The shortest JWT secret accepted, in bytes.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error(
        "CLUBGRID_JWT_SECRET is not set: set it to a random string of at least {MIN_JWT_SECRET_BYTES} bytes \
         (for example `openssl rand -hex 32`), or run with --demo"
    )]
    MissingJwtSecret,
    #[error(
        "CLUBGRID_JWT_SECRET is too weak: it has {0} bytes, at least {MIN_JWT_SECRET_BYTES} are required"
    )]
    WeakJwtSecret(usize),
    #[error("configuration: {0}")]
    Invalid(String),
}

/// `CLUBGRID_*` variables that are not settings but are read elsewhere: the config file's
/// path, `create-user`'s password, and the test suite's databases.
pub const OTHER_VARIABLES: &[&str] = &[
    "CLUBGRID_CONFIG",
    "CLUBGRID_NEW_USER_PASSWORD",
    "CLUBGRID_TEST_DATABASE_URL",
    "CLUBGRID_TEST_REDIS_URL",
];

const ENV_PREFIX: &str = "CLUBGRID_";

impl Settings {
    /// The keys of every setting (`listen`, `jwt_secret`, …), in declaration order.
    pub fn keys() -> Vec<String> {
        match serde_json::to_value(Settings::default()) {
            Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// `CLUBGRID_*` variables of the environment that name no setting and nothing else the
    /// program reads: a typo, or a variable of another version. They are warned about and
    /// otherwise ignored.
    pub fn unknown_variables(vars: impl Iterator<Item = String>) -> Vec<String> {
        let keys = Settings::keys();
        vars.filter(|name| {
            name.strip_prefix(ENV_PREFIX).is_some_and(|key| {
                !keys.contains(&key.to_lowercase()) && !OTHER_VARIABLES.contains(&name.as_str())
            })
        })
        .collect()
    }

    /// Reads defaults, then `file` (when given), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        for name in Settings::unknown_variables(std::env::vars().map(|(k, _)| k)) {
            // Logging starts only once the settings are known; say it on standard error.
            eprintln!("warning: {name} is not a clubgrid setting and is ignored");
        }
        let mut figment = Figment::new();
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            figment = figment.merge(Toml::file(path));
        }
        let keys = Settings::keys();
        // Only settings come from the environment; the secrets are taken as it is written,
        // never parsed as a number or a list.
        figment = figment.merge(Env::prefixed(ENV_PREFIX).filter(move |key| {
            let key = key.as_str();
            !key.eq_ignore_ascii_case("jwt_secret")
                && !key.eq_ignore_ascii_case("telegram_bot_token")
                && keys.iter().any(|k| k.eq_ignore_ascii_case(key))
        }));
        if let Ok(secret) = std::env::var("CLUBGRID_JWT_SECRET") {
            figment = figment.merge(Serialized::default("jwt_secret", secret));
        }
        if let Ok(token) = std::env::var("CLUBGRID_TELEGRAM_BOT_TOKEN") {
            figment = figment.merge(Serialized::default("telegram_bot_token", token));
        }
        let settings: Settings = figment.extract().map_err(Box::new)?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.access_token_minutes < 1 || self.refresh_token_days < 1 {
            return Err(ConfigError::Invalid(
                "access_token_minutes and refresh_token_days must be positive".into(),
            ));
        }
        if self.password_hash_concurrency == 0 || self.database_max_connections == 0 {
            return Err(ConfigError::Invalid(
                "password_hash_concurrency and database_max_connections must be positive".into(),
            ));
        }
        Ok(())
    }

    /// Outside demo mode the JWT secret must be set and strong; demo mode makes up a
    /// random one (tokens then die with the process) and opens GraphiQL and introspection.
    pub fn prepare(mut self, demo: bool) -> Result<Settings, ConfigError> {
        match &self.jwt_secret {
            Some(secret) if secret.expose().len() >= MIN_JWT_SECRET_BYTES => {}
            Some(secret) if !demo => return Err(ConfigError::WeakJwtSecret(secret.expose().len())),
            None if !demo => return Err(ConfigError::MissingJwtSecret),
            _ => self.jwt_secret = Some(Secret::new(crate::auth::tokens::random_token())),
        }
        if demo {
            self.graphiql = true;
            self.introspection = true;
            self.log_sign_in_codes = true;
        }
        Ok(self)
    }

    /// For one-shot commands that sign no tokens: a throwaway secret when none is set.
    pub fn for_tools(mut self) -> Settings {
        if self.jwt_secret.is_none() {
            self.jwt_secret = Some(Secret::new(crate::auth::tokens::random_token()));
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_secret_is_refused_outside_demo() {
        let err = Settings::default().prepare(false).unwrap_err();
        assert!(matches!(err, ConfigError::MissingJwtSecret));
        assert!(err.to_string().contains("CLUBGRID_JWT_SECRET"));
    }

    #[test]
    fn weak_secret_is_refused_outside_demo() {
        let settings = Settings {
            jwt_secret: Some(Secret::new("short")),
            ..Settings::default()
        };
        assert!(matches!(
            settings.prepare(false),
            Err(ConfigError::WeakJwtSecret(5))
        ));
    }

    #[test]
    fn demo_makes_up_a_secret_and_opens_graphiql() {
        let settings = Settings::default().prepare(true).unwrap();
        assert!(settings.jwt_secret.unwrap().expose().len() >= MIN_JWT_SECRET_BYTES);
        assert!(settings.graphiql && settings.introspection);
    }

    #[test]
    fn unknown_variables_are_named_and_documented_ones_are_not() {
        let vars = [
            "CLUBGRID_JWT_SECRET",
            "CLUBGRID_HOLD_SECONDS",
            "CLUBGRID_CONFIG",
            "CLUBGRID_NEW_USER_PASSWORD",
            "CLUBGRID_TEST_DATABASE_URL",
            "CLUBGRID_LISTN",
            "PATH",
        ]
        .map(String::from);
        assert_eq!(
            Settings::unknown_variables(vars.into_iter()),
            vec!["CLUBGRID_LISTN".to_owned()]
        );
    }

    /// Every setting is in the README's configuration table, and every row of the table is
    /// a setting (or one of the few other variables the program reads).
    #[test]
    fn readme_configuration_table_matches_the_settings() {
        let readme = include_str!("../../README.md");
        let section = readme
            .split("## Configuration")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap();
        let mut documented: Vec<String> = Vec::new();
        for line in section.lines().filter(|l| l.starts_with("| `CLUBGRID_")) {
            let cell = line.split('|').nth(1).unwrap();
            documented.extend(
                cell.split('/')
                    .map(|v| v.trim().trim_matches('`').to_owned())
                    .filter(|v| v.starts_with(ENV_PREFIX)),
            );
        }
        let settings: Vec<String> = Settings::keys()
            .iter()
            .map(|k| format!("{ENV_PREFIX}{}", k.to_uppercase()))
            .collect();
        let missing: Vec<_> = settings
            .iter()
            .filter(|s| !documented.contains(s))
            .collect();
        assert!(
            missing.is_empty(),
            "settings missing from the README: {missing:?}"
        );
        let stale: Vec<_> = documented
            .iter()
            .filter(|d| !settings.contains(d) && !OTHER_VARIABLES.contains(&d.as_str()))
            .collect();
        assert!(
            stale.is_empty(),
            "README rows that are no setting: {stale:?}"
        );
    }

    /// Every documented variable works, an unknown one is no failure, and a secret of
    /// digits stays the text it was.
    #[test]
    #[allow(clippy::result_large_err)]
    fn environment_variables_are_read_as_documented() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("CLUBGRID_JWT_SECRET", "012345678901234567890123456789012");
            jail.set_env("CLUBGRID_NEW_USER_PASSWORD", "secret-pass");
            jail.set_env("CLUBGRID_CONFIG", "clubgrid.toml");
            jail.set_env("CLUBGRID_TEST_DATABASE_URL", "postgres://x/y");
            jail.set_env("CLUBGRID_NO_SUCH_SETTING", "1");
            jail.set_env("CLUBGRID_HOLD_SECONDS", "300");
            jail.set_env("CLUBGRID_PUBLIC_WRITES_PER_ADDRESS_PER_HOUR", "7");
            jail.set_env("CLUBGRID_CORS_ORIGINS", "[\"https://crm.example.kz\"]");
            let settings = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(
                settings.jwt_secret.as_ref().map(Secret::expose),
                Some("012345678901234567890123456789012")
            );
            assert_eq!(settings.hold_seconds, 300);
            assert_eq!(settings.public_writes_per_address_per_hour, 7);
            assert_eq!(
                settings.cors_origins,
                vec!["https://crm.example.kz".to_owned()]
            );
            Ok(())
        });
    }

    #[test]
    fn secrets_are_not_printed() {
        let settings = Settings {
            jwt_secret: Some(Secret::new("a".repeat(40))),
            ..Settings::default()
        };
        assert!(!format!("{settings:?}").contains("aaaa"));
    }
}
