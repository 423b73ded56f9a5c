//! What is kept live in memory on this node.
//!
//! - [`hub`]: pushes read-model changes to the browsers they concern.
//! - [`directory`]: lines and API keys kept in memory for the inbound path.
//! - [`connections`]: open live connections per agent on this node.

pub mod connections;
pub mod directory;
pub mod hub;
