//! The server: wiring of every layer into one process.
//!
//! - [`config`]: settings from the environment and the command line.
//! - [`telemetry`]: logs through `tracing`, human-readable or JSON.
//! - [`error`]: the API's error type and how it answers.
//! - [`agents`]: agent administration.
//! - [`commands`]: load → decide → append, retried on conflict.
//! - [`pauses`]: pause reasons, pausing and resuming, capacity.
//! - [`people`]: sign-in, sessions and the first supervisor.
//! - [`queues`]: the queue commands and queries the API and the app call.
//! - [`live`]: pushes read-model changes to browsers as server-sent events.
//! - [`metrics`]: Prometheus counters and gauges.
//! - [`routes`]: health, metrics, REST API and live endpoints.
//! - [`startup`]: builds the application and serves it.

pub mod agents;
pub mod commands;
pub mod config;
pub mod error;
pub mod live;
pub mod metrics;
pub mod pauses;
pub mod people;
pub mod queues;
pub mod routes;
pub mod startup;
pub mod telemetry;
