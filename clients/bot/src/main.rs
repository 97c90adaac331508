//! `clubgrid-bot`: runs the Telegram bot with the configuration of `CLUBGRID_BOT_*` variables
//! (see the README).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CLUBGRID_BOT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let config = match clubgrid_bot::Config::from_env() {
        Ok(config) => config,
        Err(why) => {
            eprintln!("clubgrid-bot: {why}");
            return std::process::ExitCode::from(2);
        }
    };
    tokio::select! {
        result = clubgrid_bot::run(config) => match result {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("clubgrid-bot: {err}");
                std::process::ExitCode::FAILURE
            }
        },
        _ = tokio::signal::ctrl_c() => std::process::ExitCode::SUCCESS,
    }
}
