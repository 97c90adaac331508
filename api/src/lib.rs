//! clubgrid: the front desk of a small venue as one GraphQL API.
//!
//! [`build_app`] gives the axum router, [`build_api`] the GraphQL schema as the edges run it;
//! both take an [`AppState`] made by [`AppState::init`] from [`Settings`].

pub mod academy;
pub mod analytics;
pub mod audit;
pub mod auth;
pub mod automations;
pub mod backup;
pub mod batch;
pub mod billing;
pub mod booking;
pub mod cabinet;
pub mod cli;
pub mod clients;
pub mod club;
pub mod coaching;
pub mod config;
pub mod context;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod events;
pub mod holds;
pub mod http;
pub mod inputs;
pub mod metrics;
pub mod notify;
pub mod pagination;
pub mod pipeline;
pub mod plain;
pub mod rate_limit;
pub mod schema;
pub mod state;
pub mod telegram;
pub mod venue;
pub mod web;
pub mod write;

pub use config::Settings;
pub use error::{AppError, ErrorCode};
pub use http::build_app;
pub use schema::{Api, AppSchema, build_api, export_sdl};
pub use state::AppState;
