//! The operations the API and the pages call, one module per area; each checks who asks, decides
//! through the domain and appends through [`crate::write`].
//!
//! - [`seats`]: agents' seats against the company's limits (A2).
//! - [`sheets`]: tables written as spreadsheet files (CSV), formulas kept as text.
//! - [`users`]: registering people: e-mail claimed, password hashed, seat taken.
//! - [`sessions`]: sign-in, sessions and the first supervisor.
//! - [`companies`]: tenants, their first supervisor and their limits.
//! - [`branding`]: a company's name and logo (W5).
//! - [`blacklist`]: accounts never written to, whose messages are dropped (G19).
//! - [`agents`]: agent administration.
//! - [`queues`]: queues, members and settings.
//! - [`pauses`]: pause reasons, pausing and resuming, capacity.
//! - [`presence`]: agents online while a live connection of theirs is open.
//! - [`contacts`]: the contact directory, its files, consents and imports.
//! - [`lines`]: API keys, lines, and the messages and consents customers send through them.
//! - [`channels`]: lines linked to providers' accounts (WhatsApp Cloud), their sealed credentials.
//! - [`chats`]: chats as agents and supervisors read, answer and resolve them.
//! - [`dashboard`]: the agent's own figures (P11).
//! - [`history`]: histories of chats, contacts, agents, queues and lines as the log holds them.
//! - [`reports`]: the reports over days in the company's zone: categories, agents, menu options,
//!   charts' tallies, their files (W8, P1–P10).
//! - [`widget`]: the web chat widget's visitors and their chats.
//! - [`media`]: files customers send, kept in the database by content hash.
//! - [`menu_preview`]: what a customer would see of a menu, decided by the bot in memory.
//! - [`templates`]: message templates submitted to Meta for review, and its decisions (W12, W13).
//! - [`internal_chats`]: colleagues write to each other one to one (G8).
//! - [`quick_replies`]: phrases agents send often, found by shortcut, title or text (G4, G5).
//! - [`whats_new`]: the product's features and changelog as a page (P8).

pub mod agents;
pub mod blacklist;
pub mod branding;
pub mod channels;
pub mod chats;
pub mod companies;
pub mod contacts;
pub mod dashboard;
pub mod history;
pub mod internal_chats;
pub mod lines;
pub mod media;
pub mod menu_preview;
pub mod pauses;
pub mod presence;
pub mod queues;
pub mod quick_replies;
pub mod reports;
pub mod seats;
pub mod sessions;
pub mod sheets;
pub mod templates;
pub mod users;
pub mod whats_new;
pub mod widget;
