//! Appending decisions to the log.
//!
//! - [`command`]: load a stream, decide a command, append what was decided, retried on conflict.
//! - [`group_commit`]: concurrent requests' decisions appended together, one commit per batch.
//! - [`recent_chats`]: the states of chats written to lately, to decide the next message on.

pub mod command;
pub mod group_commit;
pub mod recent_chats;
