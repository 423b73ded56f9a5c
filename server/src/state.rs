//! The application state every operation reads: the log, the read store and its projections, the live hub and the clock.

use crate::clock::Clock;
use crate::config::Settings;
use crate::error::AppError;
use crate::limits::Guards;
use crate::live::connections::Connections;
use crate::live::directory::Directory;
use crate::live::hub::LiveHub;
use crate::metrics::Metrics;
use crate::write::command::{decide_and_append, CommandContext};
use crate::write::group_commit::GroupCommit;
use crate::write::recent_chats::RecentChats;
use axum::extract::FromRef;
use domain::decider::Decider;
use domain::event::DomainEvent;
use eventlog::EventLog;
use leptos::prelude::LeptosOptions;
use projections::{ProjectionRunner, ReadStore};
use std::sync::Arc;

/// Decides one command on one stream, appends what it decided (deciding again after a conflict)
/// and waits until `projection` shows it, so the caller's next read sees the change.
pub async fn execute<D>(
    state: &AppState,
    context: &CommandContext,
    stream: &str,
    command: &D::Command,
    projection: &ProjectionRunner,
) -> Result<(), AppError>
where
    D: Decider,
    D::Event: DomainEvent,
    AppError: From<D::Rejection>,
{
    let position = decide_and_append::<D>(state.log.as_ref(), &state.metrics, context, stream, command).await?;
    state.caught_up(projection, position).await
}

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub log: Arc<dyn EventLog>,
    pub store: ReadStore,
    pub metrics: Arc<Metrics>,
    pub live: LiveHub,
    pub projections: Arc<Vec<Arc<ProjectionRunner>>>,
    pub queue_list: Arc<ProjectionRunner>,
    /// The contact directory (K1, K10–K13).
    pub contacts: Arc<ProjectionRunner>,
    pub people: Arc<ProjectionRunner>,
    pub agent_board: Arc<ProjectionRunner>,
    pub lines: Arc<ProjectionRunner>,
    pub chat_board: Arc<ProjectionRunner>,
    /// This node's name in presence events: its listening address.
    pub node: String,
    pub connections: Connections,
    pub leptos_options: LeptosOptions,
    /// The business clock: when customers and agents acted, for every rule that counts time.
    pub clock: Arc<dyn Clock>,
    /// Where customers' messages are appended, many per commit.
    pub inbound: GroupCommit,
    /// Lines and API keys kept in memory for the inbound path.
    pub directory: Directory,
    pub recent_chats: RecentChats,
    /// How much each client has done lately, against the installation's limits.
    pub guards: Arc<Guards>,
    /// Held while an audit runs on this node: one at a time (each rebuilds every read model).
    pub audit_running: Arc<tokio::sync::Mutex<()>>,
    /// The past moments this node keeps rebuilt for time travel.
    pub pasts: Arc<crate::shadow::Pasts>,
    /// How each channel line's callback fares on this node.
    pub channel_health: crate::live::channel_health::ChannelHealth,
    /// Message templates and the provider's decisions (W12, W13).
    pub templates: Arc<ProjectionRunner>,
    /// The company's quick replies (G4, G5).
    pub quick_replies: Arc<ProjectionRunner>,
    pub internal_chats: Arc<ProjectionRunner>,
    pub blacklist: Arc<ProjectionRunner>,
}

impl AppState {
    /// The address of the client a request comes from: its connection's peer, or what a proxy
    /// the operator listed says (see [`crate::limits::client_address`]).
    pub fn client_of(&self, peer: std::net::SocketAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
        let forwarded_for = headers.get("x-forwarded-for").and_then(|value| value.to_str().ok());
        crate::limits::client_address(peer.ip(), forwarded_for, &self.settings.trusted_proxies)
    }

    /// Waits until `projection` shows the events up to `position` (read your writes).
    pub async fn caught_up(
        &self,
        projection: &ProjectionRunner,
        position: Option<eventlog::Position>,
    ) -> Result<(), AppError> {
        match position {
            Some(position) => Ok(projection.wait_for(position, std::time::Duration::from_secs(10)).await?),
            None => Ok(()),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
