//! The `remnabot` binary: parses the command line and configuration, then runs the chosen
//! command. Every failure at start-up ends with one line naming the problem.

use clap::{Parser, Subcommand};

mod app;
mod panels;
mod settings;
mod telegram;

/// remnabot: one process that runs every tenant's Telegram bot for selling VPN
/// subscriptions, with their shared storage and HTTP API.
///
/// Configuration comes from environment variables (see README.md), optionally from a TOML
/// file given with --config; environment variables win over the file.
#[derive(Debug, Parser)]
#[command(name = "remnabot", version, about, long_about)]
struct Cli {
    /// A TOML file with settings (keys are the variable names in lower case,
    /// e.g. `database_url = "postgres://..."`).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply pending database migrations, make sure the master bot exists (from BOT_TOKEN),
    /// and serve HTTP on HTTP_ADDR (`/health`, `/ready`) until SIGINT or SIGTERM.
    Serve,
    /// Apply pending database migrations and exit. `serve` also does this at start-up.
    Migrate,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    app::init_tracing();
    let settings = match settings::Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let result = match cli.command {
        Command::Serve => app::serve(settings).await,
        Command::Migrate => app::migrate(settings).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
