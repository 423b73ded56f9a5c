use server::config::{Settings, SettingsError, USAGE};
use server::startup::Application;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut arguments: Vec<String> = std::env::args().skip(1).collect();
    let command = match arguments.first().map(String::as_str) {
        Some(command @ ("audit" | "replay")) => Some(command.to_string()),
        _ => None,
    };
    if command.is_some() {
        arguments.remove(0);
    }
    // `server replay --until <moment>`: the moment is the replay's, not a setting.
    let mut until = None;
    if let Some(at) = arguments.iter().position(|argument| argument == "--until") {
        let moment = arguments.get(at + 1).map(|text| text.parse::<chrono::DateTime<chrono::Utc>>());
        match (command.as_deref(), moment) {
            (Some("replay"), Some(Ok(moment))) => until = Some(moment),
            _ => {
                eprintln!("--until takes a moment such as 2026-12-05T09:30:00Z, and only with `server replay`");
                return ExitCode::from(2);
            }
        }
        arguments.drain(at..at + 2);
    }
    let settings = match Settings::load(|name| std::env::var(name).ok(), &arguments) {
        Ok(settings) => settings,
        Err(SettingsError::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    match (command.as_deref(), until) {
        (Some("audit"), _) => return audit(&settings).await,
        (Some(_), Some(until)) => return replay(&settings, until).await,
        (Some(_), None) => {
            eprintln!("`server replay` needs --until <moment>, such as 2026-12-05T09:30:00Z");
            return ExitCode::from(2);
        }
        (None, _) => {}
    }
    server::telemetry::init(&settings.log_format);
    // The database's password stays out of the logs.
    let database = server::config::without_password(&settings.database_url);
    let application = match Application::build(settings).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(%error, "could not start");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(port = application.port(), %database, "serving on http://127.0.0.1:{}", application.port());
    match application.run_until_stopped().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped");
            ExitCode::FAILURE
        }
    }
}

/// `server audit`: prints what the audit found; exits 0 when nothing differs, 1 when something
/// does, 2 when the audit could not run.
async fn audit(settings: &Settings) -> ExitCode {
    match server::audit::audit(&settings.database_url, settings.secrets_key.as_ref()).await {
        Ok(report) => {
            print!("{report}");
            eprintln!("{}", report.took);
            if report.clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(error) => {
            eprintln!("the audit could not run: {error}");
            ExitCode::from(2)
        }
    }
}

/// `server replay --until <moment>`: the read models as they stood then, kept where it says.
async fn replay(settings: &Settings, until: chrono::DateTime<chrono::Utc>) -> ExitCode {
    match server::time_travel::replay(&settings.database_url, until).await {
        Ok(told) => {
            print!("{told}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("the replay could not run: {error}");
            ExitCode::from(2)
        }
    }
}
