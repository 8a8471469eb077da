//! The `remnabot` binary: parses the command line and configuration, then runs the chosen
//! command. Every failure at start-up ends with one line naming the problem.

use clap::{Parser, Subcommand};

/// mimalloc: the fleet allocates many small, short-lived buffers (JSON, HTTP) on every
/// update from many threads; it measured faster than the system allocator (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

mod admin;
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
    /// Operator API tokens (in addition to OPERATOR_API_TOKEN).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Tenant bots.
    #[command(subcommand)]
    Bot(BotCommand),
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an operator API token and print it once (only its hash is stored).
    Create {
        /// A name to recognise the token by, e.g. who or what uses it.
        #[arg(long, default_value = "operator")]
        name: String,
    },
    /// List operator API tokens (names and dates; tokens are never shown again).
    List,
    /// Revoke an operator API token by id; it stops working at once.
    Revoke {
        /// The token's id, from `token list`.
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
enum BotCommand {
    /// Add a tenant bot and print its id and API token once. A running `serve` starts it
    /// within a second.
    Add {
        /// The bot's display name.
        #[arg(long)]
        name: String,
        /// The token BotFather gave (`123456789:AA...`), or `-` to read it from stdin.
        #[arg(long, value_name = "TOKEN")]
        telegram_token: String,
    },
    /// List every bot.
    List,
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
        Command::Token(TokenCommand::Create { name }) => admin::token_create(settings, &name).await,
        Command::Token(TokenCommand::List) => admin::token_list(settings).await,
        Command::Token(TokenCommand::Revoke { id }) => admin::token_revoke(settings, id).await,
        Command::Bot(BotCommand::Add { name, telegram_token }) => {
            admin::bot_add(settings, &name, &telegram_token).await
        }
        Command::Bot(BotCommand::List) => admin::bot_list(settings).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
