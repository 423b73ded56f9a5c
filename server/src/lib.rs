//! The server, from the ground up: each layer uses only the layers listed before it.
//!
//! The ground, which knows nothing of the others:
//! - [`config`]: settings from the environment and the command line.
//! - [`telemetry`]: logs through `tracing`, human-readable or JSON.
//! - [`error`]: the API's error type, what each domain rejection means to a caller, how it answers.
//! - [`clock`]: the one clock every rule that counts time reads; tests move it by hand.
//! - [`metrics`]: Prometheus counters and gauges.
//! - [`outbound`]: requests to addresses tenants wrote, kept to public addresses and capped answers.
//! - [`limits`]: how much one client (an address, an account, a widget) may do, per node.
//! - [`secrets`]: tenants' secrets sealed under the installation's key before they reach the log.
//! - [`seals`]: the log's seals — MACs over its events in order, made and checked.
//! - [`shadow`]: read models rebuilt apart from the live ones (a throwaway file or schema).
//! - [`meta_api`]: the calls to Meta's Graph API for WhatsApp Cloud lines (sends, files, templates).
//!
//! Writing to the log:
//! - [`write`]: load → decide → append, retried on conflict; concurrent decisions committed
//!   together; the states of chats written to lately.
//! - [`caller`]: the signed-in person a request comes from, and the context of their commands.
//!
//! Reading it live:
//! - [`live`]: the hub that tells browsers what changed, the lines and keys kept in memory for the
//!   inbound path, the live connections open on this node.
//!
//! - [`state`]: `AppState`, everything an operation reads, and `execute` (read your writes).
//!
//! The operations, one module per area of the business:
//! - [`services`]: sessions, users and seats, companies, agents, queues, pauses, presence, lines,
//!   chats, the widget, media, the menu preview, contacts.
//!
//! What follows the log:
//! - [`workers`]: the chat router, delivery to lines' webhooks, the bot's errands, the contact
//!   keeper and importer, the sealer, and the leadership and heartbeats they rely on.
//!
//! Checking it, and reading its past:
//! - [`audit`]: every read model rebuilt beside the live one and compared; every seal checked.
//! - [`time_travel`]: every read model as it stood at a chosen moment, read-only; `server replay`.
//!
//! The edges:
//! - [`console`]: the pages' server functions (the app's `Services`).
//! - [`http`]: the REST API, health, metrics, live streams and the OpenAPI document.
//! - [`startup`]: builds all of the above from the settings and serves it.

/// glibc's allocator took a fifth of the CPU in the bot benchmark (`perf`: `_int_malloc`,
/// `malloc_consolidate`, `free` across the runtime's and SQLite's threads); mimalloc's per-thread
/// heaps take a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod clock;
pub mod config;
pub mod error;
pub mod limits;
pub mod meta_api;
pub mod metrics;
pub mod outbound;
pub mod seals;
pub mod secrets;
pub mod shadow;
pub mod telemetry;

pub mod write;

pub mod caller;

pub mod live;

pub mod state;

pub mod services;

pub mod workers;

pub mod audit;
pub mod time_travel;

pub mod console;
pub mod http;
pub mod startup;
