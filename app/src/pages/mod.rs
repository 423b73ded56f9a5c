//! One module per screen.

pub mod agent;
pub mod agents;
pub mod home;
pub mod login;
pub mod queues;
