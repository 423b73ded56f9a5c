use server::config::{Settings, SettingsError, USAGE};
use server::startup::Application;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut arguments: Vec<String> = std::env::args().skip(1).collect();
    let auditing = arguments.first().is_some_and(|first| first == "audit");
    if auditing {
        arguments.remove(0);
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
    if auditing {
        return audit(&settings).await;
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
