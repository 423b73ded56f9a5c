//! Processes that follow the log and act on what they read; only the leader node's act.
//!
//! - [`follower`]: how a process follows the whole log from its checkpoint.
//! - [`leader`]: which node's processes act (a PostgreSQL advisory lock).
//! - [`nodes`]: node heartbeats; a silent node's agents are taken offline.
//! - [`router`]: assigns waiting chats to available agents and tells customers their place.
//! - [`delivery`]: sends messages to customers through their line's webhook or channel.
//! - [`errands`]: the bot's web queries and e-mails, their outcomes recorded on the chat.
//! - [`file_fetcher`]: customers' files a channel keeps for us, fetched and kept here.
//! - [`contact_keeper`]: every chat's account joins a contact; menu consents go to the contact.
//! - [`contact_importer`]: files of contacts imported batch by batch, resumed after a restart.
//! - [`sealer`]: seals the log as it grows, on every node (one seal wins each turn).

pub mod contact_importer;
pub mod contact_keeper;
pub mod delivery;
pub mod errands;
pub mod file_fetcher;
pub mod follower;
pub mod leader;
pub mod nodes;
pub mod router;
pub mod sealer;
