//! What is kept live in memory on this node.
//!
//! - [`hub`]: pushes read-model changes to the browsers they concern.
//! - [`directory`]: lines and API keys kept in memory for the inbound path.
//! - [`connections`]: open live connections per agent on this node.
//! - [`channel_health`]: when each channel line's provider last reached it, and the last refusal.

pub mod channel_health;
pub mod connections;
pub mod directory;
pub mod hub;
