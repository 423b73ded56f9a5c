//! Builds the application from its settings (port 0 in tests) and serves it.

use crate::clock::{Clock, ShiftedClock, SystemClock};
use crate::config::Settings;
use crate::console::ConsoleServices;
use crate::live::connections::Connections;
use crate::live::hub::LiveHub;
use crate::meta_api::Channels;
use crate::metrics::Metrics;
use crate::outbound::AllowedHosts;
use crate::services::companies::ensure_company;
use crate::services::presence::forget_stale_presence;
use crate::services::sessions::bootstrap_supervisor;
use crate::state::AppState;
use crate::workers::contact_importer::ContactImporter;
use crate::workers::contact_keeper::ContactKeeper;
use crate::workers::delivery::Delivery;
use crate::workers::errands::{Errands, Mailer};
use crate::workers::file_fetcher::FileFetcher;
use crate::workers::follower::follow;
use crate::workers::leader::Leadership;
use crate::workers::router::ChatRouter;
use crate::write::group_commit::GroupCommit;
use crate::write::recent_chats::RecentChats;
use app::assets::Bundle;
use app::ssr::Services;
use app::{
    audit_shell, console_shell, lines_shell, settings_shell, workspace_shell, Audit, Console, Lines as LinesApp,
    Settings, Workspace,
};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, generate_route_list_with_exclusions, AxumRouteListing, LeptosRoutes};
use projections::together::{catch_up_together, UpTo};
use projections::{ProjectionRunner, ReadStore};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::services::{ServeDir, ServeFile};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("the event log could not be opened: {0}")]
    Log(#[from] eventlog::EventLogError),
    #[error("the read store could not be opened: {0}")]
    Store(#[from] sqlx::Error),
    #[error("a projection could not start: {0}")]
    Projection(#[from] projections::ProjectionError),
    #[error("the first supervisor could not be created, or presence left by an earlier run ended: {0}")]
    Bootstrap(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the e-mail settings are not valid: {0}")]
    Mail(String),
    #[error("{0}")]
    Configuration(String),
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    background: Background,
}

/// The tasks that live as long as the application: stopped when it is dropped.
struct Background(Vec<JoinHandle<()>>);

impl Drop for Background {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// The application whose timers follow `clock`.
    /// With `--test-clock`, the clock is instead the machine's, moved forward when a test asks.
    pub async fn build_with_clock(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let (clock, shifted) = if settings.test_clock {
            tracing::warn!("TEST CLOCK ON: anyone who reaches this server can move its clock forward (POST /test/clock); never use --test-clock in production");
            let shifted = ShiftedClock::default();
            (Arc::new(shifted.clone()) as Arc<dyn Clock>, Some(shifted))
        } else {
            (clock, None)
        };
        create_sqlite_folder(&settings.database_url)?;
        let log = eventlog::tailed(eventlog::open(&settings.database_url).await?).await?;
        let store = ReadStore::connect(&settings.database_url).await?;

        let runner = |projection: Arc<dyn projections::Projection>| {
            Arc::new(ProjectionRunner::new(store.clone(), log.clone(), projection))
        };
        let every: Vec<Arc<ProjectionRunner>> = projections::all().into_iter().map(runner).collect();
        let named = |name: &str| {
            every
                .iter()
                .find(|runner| runner.projection().name() == name)
                .cloned()
                .ok_or_else(|| StartupError::Configuration(format!("no read model named {name}")))
        };
        let queue_list = named(projections::queue_list::NAME)?;
        let people = named(projections::people::NAME)?;
        let agent_board = named(projections::agent_board::NAME)?;
        let lines = named(projections::lines::NAME)?;
        let chat_board = named(projections::chat_board::NAME)?;
        let contacts = named(projections::contacts::NAME)?;
        let templates = named(projections::templates::NAME)?;
        let reports = named(projections::reports::NAME)?;
        let internal_chats = named(projections::internal_chats::NAME)?;
        let quick_replies = named(projections::quick_replies::NAME)?;
        let blacklist = named(projections::blacklist::NAME)?;
        crate::services::media::prepare(&store).await?;
        crate::services::widget::prepare(&store).await?;
        crate::services::contacts::imports::prepare(&store).await?;
        let live = LiveHub::default();
        // The live hub tells browsers once these show the change: every read model a live page
        // reads again when told (the agent's dashboard reads `reports`, the colleagues' list
        // `internal_chats`).
        let read_models = vec![
            queue_list.clone(),
            agent_board.clone(),
            chat_board.clone(),
            lines.clone(),
            reports.clone(),
            internal_chats.clone(),
        ];
        let recent_chats = RecentChats::default();
        let mut background = vec![
            tokio::spawn(live.clone().follow(log.clone(), read_models)),
            tokio::spawn(recent_chats.clone().follow(log.clone())),
        ];
        for projection in &every {
            projection.prepare().await?;
        }
        let caught_up: Vec<UpTo> = every.iter().map(|runner| UpTo { runner, until: None }).collect();
        catch_up_together(&caught_up).await?;
        for projection in &every {
            background.push(tokio::spawn(projection.clone().run()));
        }
        let metrics = Arc::new(Metrics::default());
        let leadership = Leadership::new(&settings.database_url, "router");
        let listener = TcpListener::bind(settings.address).await?;
        let address = listener.local_addr()?;
        let chat_router = ChatRouter::new(
            log.clone(),
            store.clone(),
            metrics.clone(),
            leadership,
            clock.clone(),
            address.to_string(),
        );
        background.push(tokio::spawn(follow(chat_router, metrics.clone())));
        let allowed = AllowedHosts::parse(&settings.allowed_private_hosts);
        let channels = Channels::of(&settings);
        let delivery = Delivery::new(
            log.clone(),
            metrics.clone(),
            Leadership::new(&settings.database_url, "delivery"),
            allowed.clone(),
            clock.clone(),
            channels.clone(),
            store.clone(),
        );
        background.push(tokio::spawn(follow(delivery, metrics.clone())));
        let files = FileFetcher::new(
            log.clone(),
            metrics.clone(),
            Leadership::new(&settings.database_url, "files"),
            store.clone(),
            allowed.clone(),
            clock.clone(),
            channels,
        );
        background.push(tokio::spawn(follow(files, metrics.clone())));
        let mailer = Mailer::new(settings.smtp_url.as_deref(), &settings.smtp_from).map_err(StartupError::Mail)?;
        let errands = Errands::new(
            log.clone(),
            metrics.clone(),
            Leadership::new(&settings.database_url, "errands"),
            mailer,
            allowed,
            clock.clone(),
        );
        background.push(tokio::spawn(follow(errands, metrics.clone())));
        let keeper = ContactKeeper::new(
            log.clone(),
            metrics.clone(),
            Leadership::new(&settings.database_url, "contacts"),
            clock.clone(),
        );
        background.push(tokio::spawn(follow(keeper, metrics.clone())));

        let inbound = GroupCommit::start(log.clone(), metrics.clone());
        let directory = live.directory();
        background.push(tokio::spawn(crate::workers::nodes::beat(store.clone(), address.to_string())));
        if let Some(key) = &settings.secrets_key {
            let key = crate::seals::SealKey::of(key);
            let sealing = crate::workers::sealer::seal(log.clone(), key, clock.clone(), settings.seal_every);
            background.push(tokio::spawn(sealing));
        }
        // Each app's shell names its own bundle; the console's is the default (error pages).
        let leptos_options = LeptosOptions::builder()
            .output_name(Bundle::Console.name())
            .site_root(settings.site_root.to_string_lossy().to_string())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        let guards = Arc::new(crate::limits::Guards::new(&settings.limits));
        let state = AppState {
            settings: Arc::new(settings),
            log,
            store,
            metrics,
            live,
            projections: Arc::new(every.clone()),
            agent_board,
            lines,
            chat_board,
            contacts,
            node: address.to_string(),
            connections: Connections::default(),
            queue_list,
            people,
            leptos_options: leptos_options.clone(),
            clock: clock.clone(),
            inbound,
            directory,
            recent_chats,
            guards,
            audit_running: Default::default(),
            pasts: Default::default(),
            channel_health: Default::default(),
            templates,
            quick_replies,
            internal_chats,
            blacklist,
        };
        let first_company = domain::ids::CompanyId::from_uuid(state.settings.company_id);
        ensure_company(&state, first_company, "My company")
            .await
            .map_err(|e| StartupError::Bootstrap(e.to_string()))?;
        if let Some((email, password)) = state.settings.admin.clone() {
            if bootstrap_supervisor(&state, &email, &password)
                .await
                .map_err(|e| StartupError::Bootstrap(e.to_string()))?
            {
                tracing::info!(%email, "created the first supervisor; sign in at /login/supervisor");
            }
        }
        forget_stale_presence(&state).await.map_err(|e| StartupError::Bootstrap(e.to_string()))?;
        let importer = ContactImporter::new(state.clone(), Leadership::new(&state.settings.database_url, "imports"));
        background.push(tokio::spawn(follow(importer, state.metrics.clone())));
        let services: Arc<dyn Services> = Arc::new(ConsoleServices { state: state.clone() });
        let site_root = state.settings.site_root.clone();
        let router = crate::http::router()
            .merge(shifted.map(crate::http::test_clock::router).unwrap_or_default())
            .leptos_routes_with_context(&state, generate_route_list(Console), page_context(services.clone()), {
                let options = leptos_options.clone();
                move || console_shell(options.clone())
            })
            // Both apps' calls register every server function; the second leaves them out (axum
            // refuses a route twice).
            .leptos_routes_with_context(&state, workspace_routes(), page_context(services.clone()), {
                let options = leptos_options.clone();
                move || workspace_shell(options.clone())
            })
            .leptos_routes_with_context(&state, settings_routes(), page_context(services.clone()), {
                let options = leptos_options.clone();
                move || settings_shell(options.clone())
            })
            .leptos_routes_with_context(&state, lines_routes(), page_context(services.clone()), {
                let options = leptos_options.clone();
                move || lines_shell(options.clone())
            })
            .leptos_routes_with_context(&state, audit_routes(), page_context(services.clone()), {
                let options = leptos_options.clone();
                move || audit_shell(options.clone())
            })
            // The bundle and scripts are sent as the site build compressed them, to browsers that
            // accept it.
            .nest_service("/pkg", ServeDir::new(site_root.join("pkg")).precompressed_br().precompressed_gzip())
            .route_service("/widget.js", compressed_file(site_root.join("widget.js")))
            .route_service("/widget-room.js", compressed_file(site_root.join("widget-room.js")))
            .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
                page_context(services),
                console_shell,
            ))
            .layer(axum::middleware::from_fn_with_state(state.clone(), crate::http::common::count_requests))
            .layer(axum::middleware::from_fn(crate::http::common::page_policy))
            .layer(axum::middleware::from_fn(crate::http::common::same_origin))
            .layer(axum::middleware::from_fn(crate::http::common::request_limits))
            .layer(axum::middleware::from_fn(crate::http::common::warn_slow_requests))
            .layer(tower_http::trace::TraceLayer::new_for_http())
            .with_state(state);
        Ok(Self { listener, router, background: Background(background) })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until Ctrl-C; the background tasks stop with it, or when this future is dropped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let _background = self.background;
        let router = self.router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(self.listener, router).with_graceful_shutdown(shutdown_signal()).await
    }
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

/// What every page's server functions and rendering read: the services, and the nonce the
/// page's Content-Security-Policy names, so that the scripts Leptos writes carry it.
fn page_context(services: Arc<dyn Services>) -> impl Fn() + Clone + Send + 'static {
    move || {
        provide_context(services.clone());
        let nonce = use_context::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<crate::http::common::ScriptNonce>().cloned());
        if let Some(nonce) = nonce {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
    }
}

fn compressed_file(path: std::path::PathBuf) -> ServeFile {
    ServeFile::new(path).precompressed_br().precompressed_gzip()
}

/// SQLite creates the file but not its folder: `./data/` is made on first start.
fn create_sqlite_folder(url: &str) -> std::io::Result<()> {
    let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) else {
        return Ok(());
    };
    let path = path.split('?').next().unwrap_or(path);
    match std::path::Path::new(path).parent() {
        Some(folder) if !folder.as_os_str().is_empty() => std::fs::create_dir_all(folder),
        _ => Ok(()),
    }
}

/// The workspace's pages, with every server function's path marked as excluded.
fn workspace_routes() -> Vec<AxumRouteListing> {
    generate_route_list_with_exclusions(Workspace, Some(server_function_paths()))
}

fn settings_routes() -> Vec<AxumRouteListing> {
    generate_route_list_with_exclusions(Settings, Some(server_function_paths()))
}

fn lines_routes() -> Vec<AxumRouteListing> {
    generate_route_list_with_exclusions(LinesApp, Some(server_function_paths()))
}

fn audit_routes() -> Vec<AxumRouteListing> {
    generate_route_list_with_exclusions(Audit, Some(server_function_paths()))
}

fn server_function_paths() -> Vec<String> {
    leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use app::assets::Bundle;
    use app::Console;
    use leptos_axum::generate_route_list;

    /// A page served with the wrong bundle would not hydrate, and a link across apps would not
    /// know to load the other one.
    #[tokio::test]
    async fn each_app_serves_only_the_pages_its_bundle_owns() {
        let server_functions: Vec<&str> = leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path).collect();
        for (routes, bundle) in [
            (generate_route_list(Console), Bundle::Console),
            (super::workspace_routes(), Bundle::Workspace),
            (super::settings_routes(), Bundle::Settings),
            (super::lines_routes(), Bundle::Lines),
            (super::audit_routes(), Bundle::Audit),
        ] {
            assert!(!routes.is_empty());
            let pages = routes.into_iter().filter(|route| !server_functions.contains(&route.path()));
            for route in pages {
                assert_eq!(Bundle::owning(route.path()), bundle, "{}", route.path());
            }
        }
    }
}
