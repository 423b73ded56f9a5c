//! The server: wiring of every layer into one process.
//!
//! - [`companies`]: tenants, their first supervisor and their limits (A2).
//! - [`config`]: settings from the environment and the command line.
//! - [`telemetry`]: logs through `tracing`, human-readable or JSON.
//! - [`error`]: the API's error type and how it answers.
//! - [`agents`]: agent administration.
//! - [`clock`]: the time process managers read; tests move it by hand.
//! - [`commands`]: load → decide → append, retried on conflict.
//! - [`pauses`]: pause reasons, pausing and resuming, capacity.
//! - [`people`]: sign-in, sessions and the first supervisor.
//! - [`queues`]: the queue commands and queries the API and the app call.
//! - [`lines`]: API keys, lines and the messages customers send through them.
//! - [`chats`]: chats as agents and supervisors read, answer and resolve them.
//! - [`contacts`]: the contact directory's commands and queries; [`contacts_api`]: its endpoints.
//! - [`consent_files`]: consent in bulk from a file of numbers, previewed before it is stored.
//! - [`contact_files`]: contacts to and from CSV files (ours and Google Contacts') and Excel workbooks.
//! - [`contact_imports`]: files of contacts imported in the background, resumed after a restart.
//! - [`contact_pages`]: the contact pages' views and forms.
//! - [`contact_keeper`]: every chat's account joins a contact; menu consents go to the contact.
//! - [`presence`]: agents online while a live connection of theirs is open.
//! - [`directory`]: lines and API keys kept in memory for the inbound path.
//! - [`delivery`]: sends messages to customers through their line's webhook.
//! - [`errands`]: the bot's web queries and e-mails, their outcomes recorded on the chat.
//! - [`live`]: pushes read-model changes to the browsers they concern.
//! - [`nodes`]: node heartbeats; a silent node's agents are taken offline.
//! - [`openapi`]: the API's OpenAPI document, generated from the handlers, and its page.
//! - [`menu_preview`]: what a customer would see of a menu, decided by the bot in memory.
//! - [`metrics`]: Prometheus counters and gauges.
//! - [`follower`]: how process managers follow the whole log (router, delivery, errands).
//! - [`group_commit`]: concurrent requests' decisions appended together, one commit per batch.
//! - [`leader`]: which node's process managers act (a PostgreSQL advisory lock).
//! - [`recent_chats`]: the states of chats written to lately, to decide the next message on.
//! - [`router`]: assigns waiting chats to available agents and tells customers their place.
//! - [`routes`]: health, metrics, REST API and live endpoints.
//! - [`media`]: files customers send, kept in the database by content hash.
//! - [`widget`]: the web chat widget's visitors and their chats.
//! - [`widget_api`]: the widget's HTTP endpoints and the files' addresses.
//! - [`startup`]: builds the application and serves it.

/// glibc's allocator took a fifth of the CPU in the bot benchmark (`perf`: `_int_malloc`,
/// `malloc_consolidate`, `free` across the runtime's and SQLite's threads); mimalloc's per-thread
/// heaps take a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

pub mod agents;
pub mod chats;
pub mod clock;
pub mod commands;
pub mod companies;
pub mod config;
pub mod consent_files;
pub mod contact_files;
pub mod contact_imports;
pub mod contact_keeper;
pub mod contact_pages;
pub mod contacts;
pub mod contacts_api;
pub mod delivery;
pub mod directory;
pub mod errands;
pub mod error;
pub mod follower;
pub mod group_commit;
pub mod leader;
pub mod lines;
pub mod live;
pub mod media;
pub mod menu_preview;
pub mod metrics;
pub mod nodes;
pub mod openapi;
pub mod pauses;
pub mod people;
pub mod presence;
pub mod queues;
pub mod recent_chats;
pub mod router;
pub mod routes;
pub mod startup;
pub mod telemetry;
pub mod widget;
pub mod widget_api;
