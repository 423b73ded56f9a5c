//! Builds the application from its settings (port 0 in tests) and serves it.

use crate::config::Settings;
use crate::live::LiveHub;
use crate::metrics::Metrics;
use crate::queues::{create_queue, list_queues};
use crate::routes;
use app::error::UiError;
use app::pages::queues::QueueView;
use app::ssr::Services;
use app::{shell, App};
use async_trait::async_trait;
use axum::extract::FromRef;
use axum::Router;
use domain::ids::CompanyId;
use eventlog::EventLog;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use projections::queue_list::QueueList;
use projections::{ProjectionRunner, ReadStore};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub log: Arc<dyn EventLog>,
    pub store: ReadStore,
    pub metrics: Arc<Metrics>,
    pub live: LiveHub,
    pub projections: Arc<Vec<Arc<ProjectionRunner>>>,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the event log could not be opened: {0}")]
    Log(#[from] eventlog::EventLogError),
    #[error("the read store could not be opened: {0}")]
    Store(#[from] sqlx::Error),
    #[error("a projection could not start: {0}")]
    Projection(#[from] projections::ProjectionError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    background: Vec<JoinHandle<()>>,
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        create_sqlite_folder(&settings.database_url)?;
        let log = eventlog::open(&settings.database_url).await?;
        let store = ReadStore::connect(&settings.database_url).await?;

        let queue_list = Arc::new(ProjectionRunner::new(
            store.clone(),
            log.clone(),
            Arc::new(QueueList::new()),
        ));
        queue_list.prepare().await?;
        queue_list.catch_up().await?;
        let live = LiveHub::default();
        let background = vec![
            tokio::spawn(live.clone().forward(queue_list.updates())),
            tokio::spawn(queue_list.clone().run()),
        ];

        let listener = TcpListener::bind(settings.address).await?;
        let address = listener.local_addr()?;
        let leptos_options = LeptosOptions::builder()
            .output_name("ikono-chat")
            .site_root(settings.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        let state = AppState {
            settings: Arc::new(settings),
            log,
            store,
            metrics: Arc::new(Metrics::default()),
            live,
            projections: Arc::new(vec![queue_list]),
            leptos_options: leptos_options.clone(),
        };
        let services: Arc<dyn Services> = Arc::new(ConsoleServices {
            state: state.clone(),
        });
        let router = routes::router()
            .leptos_routes_with_context(
                &state,
                generate_route_list(App),
                move || provide_context(services.clone()),
                move || shell(leptos_options.clone()),
            )
            .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                routes::count_requests,
            ))
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(state);
        Ok(Self {
            listener,
            router,
            background,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let outcome = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await;
        for task in self.background {
            task.abort();
        }
        outcome
    }
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// SQLite creates the file but not its folder: `./data/` is made on first start.
fn create_sqlite_folder(url: &str) -> std::io::Result<()> {
    let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Ok(());
    };
    let path = path.split('?').next().unwrap_or(path);
    match std::path::Path::new(path).parent() {
        Some(folder) if !folder.as_os_str().is_empty() => std::fs::create_dir_all(folder),
        _ => Ok(()),
    }
}

/// The app's server functions, served for the console's company.
struct ConsoleServices {
    state: AppState,
}

#[async_trait]
impl Services for ConsoleServices {
    async fn queues(&self) -> Result<Vec<QueueView>, UiError> {
        let company = CompanyId::from_uuid(self.state.settings.company_id);
        let rows = list_queues(&self.state, company)
            .await
            .map_err(UiError::from)?;
        Ok(rows
            .into_iter()
            .map(|row| QueueView {
                id: row.queue_id,
                name: row.name,
            })
            .collect())
    }

    async fn create_queue(&self, name: String) -> Result<QueueView, UiError> {
        let context = self.state.console_context();
        let created = create_queue(&self.state, &context, &name)
            .await
            .map_err(UiError::from)?;
        Ok(QueueView {
            id: created.id.to_string(),
            name: created.name.to_string(),
        })
    }
}
