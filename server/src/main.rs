use server::config::{Settings, SettingsError, USAGE};
use server::startup::Application;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
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
