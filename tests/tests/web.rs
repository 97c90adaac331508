//! The web side, run by the same `cargo nextest run --workspace`: the TypeScript client is
//! what graphql-codegen makes of `schema.graphql` and the app's operations; the app's own
//! logic passes its Vitest suite; and the front desk works in a real browser (Debian's
//! Chromium through playwright-core) against the real binary on a fresh SQLite demo.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{path::PathBuf, process::Command};

use clubgrid_tests::clubgrid_binary;

fn repo() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// Runs `npm ARGS` at the repository root (installing the packages first if needed) and
/// fails with its output when it fails.
fn npm(args: &[&str], env: &[(&str, String)]) {
    let root = repo();
    if !root.join("node_modules/.package-lock.json").exists() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&root));
    }
    let mut command = Command::new("npm");
    command.args(args).current_dir(&root);
    for (key, value) in env {
        command.env(key, value);
    }
    run(&mut command);
}

fn run(command: &mut Command) {
    let status = command.status().unwrap_or_else(|e| {
        panic!("{command:?} could not start (are Node.js 20 and npm installed?): {e}")
    });
    assert!(status.success(), "{command:?} failed with {status}");
}

#[test]
fn typescript_client_matches_schema_and_operations() {
    npm(&["run", "codegen:check"], &[]);
}

#[test]
fn app_logic() {
    npm(&["test"], &[]);
}

#[tokio::test]
async fn browser_front_desk() {
    let binary = clubgrid_binary().await;
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "no Chromium at {chromium}: `apt-get install -y chromium` (never a downloaded browser)"
    );
    npm(
        &["run", "e2e"],
        &[
            ("E2E_CLUBGRID_BIN", binary.display().to_string()),
            ("CHROMIUM", chromium),
        ],
    );
}
