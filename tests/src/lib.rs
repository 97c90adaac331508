//! The test harness: a real server per test, on SQLite or on PostgreSQL + Redis.
//!
//! [`TestApp::spawn`] gives each test a fresh database (a temporary SQLite file, or a fresh
//! PostgreSQL schema with its own Redis prefix), binds port 0 and talks to the server through
//! the generated client. [`both_backends!`] turns one async test function into a test per
//! backend.

// Test support: a failed set-up step should stop the test at once, with its message.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::{net::SocketAddr, path::PathBuf, process::Stdio, time::Duration};

use clubgrid_api::{
    AppState, Settings,
    auth::{actor::Caller, users},
    config::Secret,
    db,
    venue::organisation,
};
use clubgrid_client::{Client, ops};
use entity::enums::Role;
use sea_orm::{ConnectionTrait, Database};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    sync::OnceCell,
    task::JoinHandle,
};

pub use clubgrid_client;

pub mod sdl;
pub mod telegram;
pub mod webpush;

/// A client made through the API with just a name and a phone; answers its id.
pub async fn create_client(
    staff: &Client,
    last_name: &str,
    first_name: &str,
    phone: &str,
) -> String {
    staff
        .run::<ops::CreateClient>(ops::create_client::Variables {
            input: ops::create_client::CreateClientInput {
                last_name: Some(last_name.into()),
                first_name: Some(first_name.into()),
                patronymic: None,
                phone: Some(phone.into()),
                phone2: None,
                email: None,
                telegram_id: None,
                telegram_username: None,
                birth_date: None,
                source_id: None,
                notes: None,
                discount_percent: None,
                tags: None,
            },
        })
        .await
        .expect("the client is created")
        .create_client
        .id
}

/// A client filter with every condition off; set the ones a test needs with `..`.
/// The least of `costs`, one request's statement counts at a growing number of rows (1, 10
/// and more), after checking they do not grow with the rows. A read per row would add a
/// statement for every added row, nine and more here. A busy host can split one batch in two
/// now and then, when a sibling's rows reach the batcher after it has gone quiet: a spread of
/// at most two is that, and is printed.
pub fn flat_statements(what: &str, costs: &[u64]) -> u64 {
    let least = costs.iter().copied().min().unwrap_or_default();
    let most = costs.iter().copied().max().unwrap_or_default();
    assert!(
        most - least <= 2,
        "{what}: the statements grow with the rows: {costs:?}"
    );
    if most != least {
        println!("{what}: a batch split in two on a busy host: {costs:?}");
    }
    println!("{what}: {least} statements");
    least
}

pub fn client_filter() -> ops::clients::ClientFilter {
    ops::clients::ClientFilter {
        search: None,
        tag: None,
        source_id: None,
        stage_id: None,
        birthday_month: None,
        last_visit_before: None,
        last_visit_after: None,
        created_from: None,
        created_to: None,
        include_inactive: None,
        has_debt: None,
    }
}

/// An audit-log filter with every condition off.
pub fn audit_filter() -> ops::audit_log::AuditFilter {
    ops::audit_log::AuditFilter {
        actor_user_id: None,
        action: None,
        entity: None,
        entity_id: None,
        from: None,
        to: None,
    }
}

/// The password every test user gets.
pub const PASSWORD: &str = "test-pass-123";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs one async test body against both backends: `both_backends!(my_test);` makes
/// `my_test::sqlite` and `my_test::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::Backend::Postgres).await;
            }
        }
    )+};
}

pub fn postgres_url() -> String {
    std::env::var("CLUBGRID_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/clubgrid_test".into())
}

pub fn redis_url() -> String {
    std::env::var("CLUBGRID_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Creates the test database once per process if it is missing.
async fn ensure_postgres_database() -> Result<(), String> {
    static READY: OnceCell<()> = OnceCell::const_new();
    READY
        .get_or_try_init(|| async {
            let url = postgres_url();
            let (server, name) = url
                .rsplit_once('/')
                .ok_or("bad CLUBGRID_TEST_DATABASE_URL")?;
            let name = name.split('?').next().unwrap_or(name).to_owned();
            let admin = Database::connect(format!("{server}/postgres"))
                .await
                .map_err(|e| e.to_string())?;
            let exists = admin
                .query_one_raw(sea_orm::Statement::from_string(
                    admin.get_database_backend(),
                    format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
                ))
                .await
                .map_err(|e| e.to_string())?;
            if exists.is_none() {
                // A concurrent test process may win the race; that is fine.
                let _ = admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await;
            }
            // Extensions are per database; test processes racing to create one may see a
            // duplicate error, after which it exists all the same.
            let test_db = Database::connect(&url).await.map_err(|e| e.to_string())?;
            for extension in ["pg_trgm", "btree_gist"] {
                let sql = format!("CREATE EXTENSION IF NOT EXISTS {extension} SCHEMA public");
                for _ in 0..3 {
                    if test_db.execute_unprepared(&sql).await.is_ok() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            Ok(())
        })
        .await
        .map(|_| ())
}

/// A database made for one test, removed by [`TestDb::remove`].
pub struct TestDb {
    pub backend: Backend,
    pub name: String,
    sqlite_file: Option<PathBuf>,
}

impl TestDb {
    /// A fresh, migrated database and the settings that reach it.
    pub async fn create(backend: Backend) -> (TestDb, Settings) {
        let name = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut settings = Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            jwt_secret: Some(Secret::new(format!(
                "test-secret-{}",
                uuid::Uuid::new_v4().simple()
            ))),
            database_max_connections: 5,
            log: "warn".into(),
            ..Settings::default()
        };
        let db = match backend {
            Backend::Sqlite => {
                let file = std::env::temp_dir().join(format!("clubgrid-{name}.db"));
                settings.database_url = format!("sqlite://{}?mode=rwc", file.display());
                TestDb {
                    backend,
                    name,
                    sqlite_file: Some(file),
                }
            }
            Backend::Postgres => {
                if let Err(err) = ensure_postgres_database().await {
                    panic!("PostgreSQL at {} is not usable: {err}", postgres_url());
                }
                let conn = Database::connect(postgres_url())
                    .await
                    .expect("connect to PostgreSQL");
                conn.execute_unprepared(&format!("CREATE SCHEMA \"{name}\""))
                    .await
                    .expect("create test schema");
                settings.database_url = postgres_url();
                settings.database_schema = Some(name.clone());
                settings.redis_url = Some(redis_url());
                settings.redis_prefix = name.clone();
                TestDb {
                    backend,
                    name,
                    sqlite_file: None,
                }
            }
        };
        let (conn, _) = db::connect(&settings)
            .await
            .expect("connect to the test database");
        db::migrate(&conn).await.expect("migrate the test database");
        (db, settings)
    }

    pub async fn remove(self) {
        match self.backend {
            Backend::Sqlite => {
                if let Some(file) = self.sqlite_file {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
                    }
                }
            }
            Backend::Postgres => {
                if let Ok(conn) = Database::connect(postgres_url()).await {
                    let _ = conn
                        .execute_unprepared(&format!(
                            "DROP SCHEMA IF EXISTS \"{}\" CASCADE",
                            self.name
                        ))
                        .await;
                }
            }
        }
    }
}

/// A running server on a fresh database.
pub struct TestApp {
    pub url: String,
    pub state: AppState,
    pub db: TestDb,
    server: JoinHandle<()>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    /// Spawns with adjusted settings.
    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let (db, mut settings) = TestDb::create(backend).await;
        adjust(&mut settings);
        let (url, state, server) = serve(settings).await;
        TestApp {
            url,
            state,
            db,
            server,
        }
    }

    /// Stops this server and starts a fresh one on the same database, as a process restart
    /// does: what lived only in memory (in-process holds, the bus) is gone.
    pub async fn restart(self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    /// [`TestApp::restart`] with adjusted settings (a process started with other flags).
    pub async fn restart_with(self, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let mut settings = self.state.settings.clone();
        adjust(&mut settings);
        self.server.abort();
        drop(self.state);
        let (url, state, server) = serve(settings).await;
        TestApp {
            url,
            state,
            db: self.db,
            server,
        }
    }

    /// Another server on the same database and the same Redis: a second replica.
    pub async fn replica(&self) -> Replica {
        let (url, state, server) = serve(self.state.settings.clone()).await;
        Replica { url, state, server }
    }

    /// A signed-out client.
    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    /// Creates a user directly (as the system) with [`PASSWORD`].
    pub async fn create_user(&self, username: &str, role: Role) -> i64 {
        let new = users::NewUser {
            username: username.into(),
            display_name: None,
            password: PASSWORD.into(),
            role,
        };
        users::create(&self.state, &Caller::system(), new)
            .await
            .expect("create user")
            .id
    }

    /// Signs in through the API and returns a client carrying the access token.
    pub async fn login(&self, username: &str, password: &str) -> Client {
        let vars = ops::login::Variables {
            username: username.into(),
            password: password.into(),
        };
        let payload = self.client().run::<ops::Login>(vars).await.expect("login");
        let client = self.client().with_token(payload.login.access_token);
        // One request checks the new token, as any first request does: statement counts of a
        // test then measure its own query, not the token's first check.
        client.run::<ops::Me>(ops::me::Variables).await.expect("me");
        client
    }

    /// A signed-in client of a new user with `role`.
    pub async fn as_role(&self, role: Role) -> Client {
        let username = format!(
            "{}-{}",
            role.as_str().replace('_', "-"),
            &uuid::Uuid::new_v4().simple().to_string()[..6]
        );
        self.create_user(&username, role).await;
        self.login(&username, PASSWORD).await
    }

    /// SQL statements run so far by the server's connection.
    pub fn statements(&self) -> u64 {
        self.state.statements.get()
    }

    pub async fn stop(self) {
        self.server.abort();
        drop(self.state);
        self.db.remove().await;
    }
}

/// A second server of a [`TestApp`]; stopped with [`Replica::stop`] or with the test.
pub struct Replica {
    pub url: String,
    pub state: AppState,
    server: JoinHandle<()>,
}

impl Replica {
    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    pub fn stop(self) {
        self.server.abort();
    }
}

/// Starts a server on `settings` at a free port.
async fn serve(settings: Settings) -> (String, AppState, JoinHandle<()>) {
    let state = AppState::init(settings).await.expect("init app state");
    organisation::get(&state.db)
        .await
        .expect("organisation row");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind port 0");
    let addr = listener.local_addr().expect("local addr");
    let app = clubgrid_api::build_app(state.clone());
    let server = tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    (format!("http://{addr}"), state, server)
}

/// The `clubgrid` binary of this workspace, built if needed.
pub async fn clubgrid_binary() -> PathBuf {
    // A bench may compare two builds of the server: `CLUBGRID_SERVER_BIN` names the other.
    if let Some(path) = std::env::var_os("CLUBGRID_SERVER_BIN") {
        return PathBuf::from(path);
    }
    static BUILT: OnceCell<PathBuf> = OnceCell::const_new();
    BUILT
        .get_or_init(|| workspace_binary("clubgrid-api", "clubgrid"))
        .await
        .clone()
}

/// The `clubgrid-bot` binary of this workspace, built if needed.
pub async fn bot_binary() -> PathBuf {
    static BUILT: OnceCell<PathBuf> = OnceCell::const_new();
    BUILT
        .get_or_init(|| workspace_binary("clubgrid-bot", "clubgrid-bot"))
        .await
        .clone()
}

/// Builds `bin` of `package` in the target directory of this test and gives its path.
async fn workspace_binary(package: &str, bin: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // The test runs with the variables Cargo gives a test (CARGO_PKG_NAME,
    // CARGO_MANIFEST_DIR …). A build script that reads them (ring's) would see a change
    // from the build that made this test and rebuild half the tree: build without them,
    // as that build did.
    let mut command = tokio::process::Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || [
                "CARGO_MANIFEST_DIR",
                "CARGO_MANIFEST_PATH",
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
            ]
            .contains(&name.as_ref())
        {
            command.env_remove(name.as_ref());
        }
    }
    command.args(["build", "--quiet", "-p", package, "--bin", bin]);
    // A release bench drives the release binary, which lives beside it.
    if !cfg!(debug_assertions) {
        command.arg("--release");
    }
    let status = command.status().await.expect("run cargo build");
    assert!(status.success(), "cargo build of the {bin} binary failed");
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/<test> → target/<profile>/<bin>
    exe.parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join(bin))
        .expect("target directory")
}

/// A `clubgrid-bot` child process (the real binary, configured by its `CLUBGRID_BOT_*`
/// variables); killed on drop.
pub struct BotProcess {
    child: tokio::process::Child,
}

impl BotProcess {
    /// Starts `clubgrid-bot` against `api_url` with `api_key`, polling the Bot API at
    /// `telegram_url`; `env` adds or overrides variables.
    pub async fn start(
        telegram_url: &str,
        api_url: &str,
        api_key: &str,
        env: &[(&str, &str)],
    ) -> BotProcess {
        let mut cmd = tokio::process::Command::new(bot_binary().await);
        cmd.env("CLUBGRID_BOT_TELEGRAM_TOKEN", "123456:TEST")
            .env("CLUBGRID_BOT_TELEGRAM_API_URL", telegram_url)
            .env("CLUBGRID_BOT_API_URL", api_url)
            .env("CLUBGRID_BOT_API_KEY", api_key)
            .env("CLUBGRID_BOT_POLL_SECONDS", "1")
            .env("CLUBGRID_BOT_LOG", "warn")
            .env_remove("CLUBGRID_BOT_WEBAPP_URL")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true);
        BotProcess {
            child: cmd.spawn().expect("spawn clubgrid-bot"),
        }
    }

    /// How the process ended, if it ends within `within`.
    pub async fn exited(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(within, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }

    /// Kills the process (SIGKILL: no chance to tidy up) and waits for it to be gone.
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A `clubgrid serve` child process; killed on drop.
pub struct ServerProcess {
    pub url: String,
    child: tokio::process::Child,
}

impl ServerProcess {
    /// Starts `clubgrid serve` with `settings` passed as `CLUBGRID_*` variables and waits
    /// until it prints its address.
    pub async fn start(settings: &Settings) -> ServerProcess {
        ServerProcess::start_with(settings, &[], true).await
    }

    /// Starts `clubgrid serve <extra args>`; `pass_secret` false leaves the JWT secret unset.
    pub async fn start_with(
        settings: &Settings,
        extra: &[&str],
        pass_secret: bool,
    ) -> ServerProcess {
        ServerProcess::launch(settings, extra, pass_secret, &[]).await
    }

    /// Starts `clubgrid serve` like [`ServerProcess::start`], with more variables
    /// (`("CLUBGRID_OUTBOX_SWEEP_MS", "50")`, say).
    pub async fn start_env(settings: &Settings, env: &[(&str, &str)]) -> ServerProcess {
        ServerProcess::launch(settings, &[], true, env).await
    }

    async fn launch(
        settings: &Settings,
        extra: &[&str],
        pass_secret: bool,
        env: &[(&str, &str)],
    ) -> ServerProcess {
        let mut cmd = tokio::process::Command::new(clubgrid_binary().await);
        cmd.arg("serve")
            .args(extra)
            .env("CLUBGRID_LISTEN", "127.0.0.1:0")
            .env("CLUBGRID_DATABASE_URL", &settings.database_url)
            .env("CLUBGRID_REDIS_PREFIX", &settings.redis_prefix)
            .env("CLUBGRID_LOG", "warn")
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        if let Some(schema) = &settings.database_schema {
            cmd.env("CLUBGRID_DATABASE_SCHEMA", schema);
        }
        match settings.jwt_secret.as_ref().filter(|_| pass_secret) {
            Some(secret) => cmd.env("CLUBGRID_JWT_SECRET", secret.expose()),
            None => cmd.env_remove("CLUBGRID_JWT_SECRET"),
        };
        if let Some(redis) = &settings.redis_url {
            cmd.env("CLUBGRID_REDIS_URL", redis);
        }
        cmd.envs(env.iter().copied());
        let mut child = cmd.spawn().expect("spawn clubgrid serve");
        let stdout = child.stdout.take().expect("child stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("clubgrid listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("clubgrid serve exited before listening");
        })
        .await
        .expect("clubgrid serve did not start in time");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        ServerProcess { url, child }
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    /// The operating system's id of the process (for reading its memory).
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// How the process ended, if it ends within `within`.
    pub async fn exited(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        tokio::time::timeout(within, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok)
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
