//! HTTP endpoints outside the Leptos pages: one module per area, each with its own `router()`,
//! merged here; the OpenAPI document describes them all.

pub mod blacklist;
pub mod channels;
pub mod chats;
pub mod common;
pub mod companies;
pub mod contacts;
pub mod history;
pub mod internal_chats;
pub mod lines;
pub mod live;
pub mod openapi;
pub mod operations;
pub mod past;
pub mod pauses;
pub mod people;
pub mod queues;
pub mod quick_replies;
pub mod reports;
pub mod sessions;
pub mod test_clock;
pub mod widget;

use crate::state::AppState;
use axum::Router;

/// Every endpoint of the API, health and live streams.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(operations::router())
        .merge(sessions::router())
        .merge(people::router())
        .merge(queues::router())
        .merge(pauses::router())
        .merge(live::router())
        .merge(companies::router())
        .merge(lines::router())
        .merge(channels::router())
        .merge(chats::router())
        .merge(quick_replies::router())
        .merge(reports::router())
        .merge(history::router())
        .merge(past::router())
        .merge(internal_chats::router())
        .merge(widget::router())
        .merge(contacts::router())
        .merge(blacklist::router())
        .merge(openapi::router())
        .route("/api/{*rest}", axum::routing::any(common::no_such_endpoint))
        .layer(axum::middleware::from_fn(common::api_refusals_as_json))
}
