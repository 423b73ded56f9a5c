//! The read side: projections fold the event log into tables of the same database, and the queries
//! the app reads them with.
//!
//! - [`store`]: the read-side database handle, portable SQL over SQLite and PostgreSQL.
//! - [`tables`]: how a projection names itself and its tables (`<projection>_<table>_v<version>`).
//! - [`runner`]: applies batches of events and moves a projection's checkpoint in one transaction.
//! - [`together`]: brings several projections up to date from one read of the log.
//! - [`blacklist`]: each company's blacklisted accounts and their dropped messages (G19).
//! - [`agent_board`]: pause reasons and each agent's capacity and pause.
//! - [`queue_list`]: the queues of each company (R2).
//! - [`people`]: users and their open sessions, for sign-in.
//! - [`lines`]: lines and API keys.
//! - [`contacts`]: the contact directory and its search (K1, K10–K13).
//! - [`chat_board`]: chats, their state and their messages.
//! - [`reports`]: conversations, assignments and answers as the reports and the agent's dashboard
//!   count them (W8, P1–P11).
//! - [`internal_chats`]: colleagues' conversations, their messages and what each has not read.

pub mod agent_board;
pub mod blacklist;
pub mod chat_board;
pub mod contacts;
pub mod internal_chats;
pub mod lines;
pub mod people;
pub mod queue_list;
pub mod quick_replies;
pub mod reports;
pub mod rows;
pub mod runner;
pub mod store;
pub mod tables;
pub mod templates;
pub mod together;

pub use runner::{Projection, ProjectionError, ProjectionRunner};

/// Every read model the server keeps: what it runs, and what an audit rebuilds beside it.
pub fn all() -> Vec<std::sync::Arc<dyn Projection>> {
    vec![
        std::sync::Arc::new(queue_list::QueueList::new()),
        std::sync::Arc::new(people::People),
        std::sync::Arc::new(agent_board::AgentBoard),
        std::sync::Arc::new(lines::Lines),
        std::sync::Arc::new(chat_board::ChatBoard),
        std::sync::Arc::new(contacts::Contacts),
        std::sync::Arc::new(templates::Templates),
        std::sync::Arc::new(quick_replies::QuickReplies),
        std::sync::Arc::new(internal_chats::InternalChats),
        std::sync::Arc::new(reports::Reports),
        std::sync::Arc::new(blacklist::Blacklists),
    ]
}
pub use store::{Dialect, ReadStore};
