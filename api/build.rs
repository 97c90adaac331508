//! Builds the web app (`frontend/`) so the binary can embed `frontend/dist`.
//!
//! `cargo build` / `cargo run` on a fresh clone runs `npm ci` (once) and `npm run build`;
//! afterwards the app is rebuilt only when its sources change. Without npm, or with
//! `SKIP_CLUBGRID_WEB_BUILD=1`, a placeholder page is embedded instead and a warning printed,
//! so the API still builds for those who do not touch the front end.

use std::{
    fs,
    path::{Path, PathBuf},
    process::Command,
    time::SystemTime,
};

const WATCHED: &[&str] = &[
    "frontend/src",
    "frontend/index.html",
    "frontend/graphiql.html",
    "frontend/book.html",
    "frontend/public",
    "frontend/vite.config.ts",
    "frontend/tsconfig.json",
    "frontend/package.json",
    "clients/ts/src",
    "package-lock.json",
];

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let root = manifest.parent().map(Path::to_path_buf).unwrap_or(manifest);
    let dist = root.join("frontend/dist");
    println!("cargo:rerun-if-env-changed=SKIP_CLUBGRID_WEB_BUILD");
    println!(
        "cargo:rerun-if-changed={}",
        dist.join("index.html").display()
    );
    for path in WATCHED {
        println!("cargo:rerun-if-changed={}", root.join(path).display());
    }

    let skip = std::env::var("SKIP_CLUBGRID_WEB_BUILD").is_ok_and(|v| v == "1" || v == "true");
    let built_at = modified(&dist.join("index.html"));
    let sources_at = WATCHED.iter().filter_map(|p| newest(&root.join(p))).max();
    let stale = match (built_at, sources_at) {
        (None, _) => true,
        (Some(built), Some(sources)) => sources > built,
        (Some(_), None) => false,
    };
    if stale
        && !skip
        && let Err(why) = build(&root)
    {
        println!("cargo:warning=the web app was not built ({why}); serving a placeholder at /");
    }
    if !dist.join("index.html").exists() {
        placeholder(&dist);
    }
}

fn build(root: &Path) -> Result<(), String> {
    if !root.join("node_modules/.package-lock.json").exists() {
        run(root, &["ci", "--no-audit", "--no-fund"])?;
    }
    run(root, &["run", "build"])
}

fn run(root: &Path, args: &[&str]) -> Result<(), String> {
    let status = Command::new("npm")
        .args(args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("npm {}: {e}", args.join(" ")))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("npm {} exited with {status}", args.join(" ")))
    }
}

fn placeholder(dist: &Path) {
    let html = "<!doctype html><meta charset=utf-8><title>clubgrid</title>\
        <p>The web app was not built: install Node.js 20 and npm, then run <code>cargo build</code> again \
        (or <code>npm ci &amp;&amp; npm run build</code>). The API is at <code>/graphql</code>.</p>";
    let _ = fs::create_dir_all(dist);
    let _ = fs::write(dist.join("index.html"), html);
    let _ = fs::write(dist.join("graphiql.html"), html);
    let _ = fs::write(dist.join("book.html"), html);
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of a file, or of any file under a folder.
fn newest(path: &Path) -> Option<SystemTime> {
    let meta = fs::metadata(path).ok()?;
    if !meta.is_dir() {
        return meta.modified().ok();
    }
    fs::read_dir(path)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| newest(&entry.path()))
        .max()
}
