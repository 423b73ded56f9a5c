//! The live stream (server-sent events) and the live WebSocket that keeps an agent online.

use crate::caller::Caller;
use crate::http::common::{small_messages, ErrorBody};
use crate::live::hub::Audience;
use crate::services::presence;
use crate::state::AppState;
use axum::extract::ws::{WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures::Stream;
use std::convert::Infallible;
use tokio_stream::StreamExt;

/// Whether the caller's session ended: `change` ended it (a sign-out, a deactivation, a
/// password change elsewhere), or it expired by the business clock.
fn session_ended(state: &AppState, caller: &Caller, change: Option<&crate::live::hub::LiveChange>) -> bool {
    change.is_some_and(|change| change.ended_session == Some(caller.session_id))
        || state.clock.now() >= caller.session_ends
}

/// Server-sent events: one event per change of a topic the caller's pages show.
#[utoipa::path(get, path = "/api/v1/live", tag = "live", summary = "Server-sent events: a topic each time a page's data changed", responses((status = 200, description = "an event stream", content_type = "text/event-stream"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn live(
    State(state): State<AppState>,
    caller: Caller,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let listener = state.live.listen(Audience::Person(caller.clone()));
    let changes = futures::stream::unfold(listener, |mut listener| async move {
        listener.recv().await.map(|change| (change, listener))
    })
    .take_while(move |change| !session_ended(&state, &caller, Some(change)))
    .map(|change| Ok(Event::default().event(change.topic).data("changed")));
    Sse::new(changes).keep_alive(KeepAlive::default())
}

/// The live connection: pushes `{"topic": …}` for every change that concerns the caller, and keeps
/// an agent online while it is open.
#[utoipa::path(get, path = "/api/v1/ws", tag = "live", summary = "The live WebSocket; an agent is online while it is open", responses((status = 101, description = "switching to the WebSocket protocol"), (status = "4XX", description = "refused; `error` says why", body = ErrorBody)), security(("session" = [])))]
pub(crate) async fn websocket(State(state): State<AppState>, caller: Caller, upgrade: WebSocketUpgrade) -> Response {
    small_messages(upgrade).on_upgrade(move |socket| follow_live(state, caller, socket))
}

pub(crate) async fn follow_live(state: AppState, caller: Caller, mut socket: WebSocket) {
    let mut changes = state.live.listen(Audience::Person(caller.clone()));
    if let Err(error) = presence::connected(&state, &caller).await {
        tracing::warn!(%error, "presence could not be recorded");
    }
    crate::live::hub::push_changes(
        &mut changes,
        &mut socket,
        |change| change.topic,
        |change| session_ended(&state, &caller, change),
    )
    .await;
    if let Err(error) = presence::disconnected(&state, &caller).await {
        tracing::warn!(%error, "presence could not be recorded");
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/live", get(live)).route("/api/v1/ws", get(websocket))
}
