//! One module per screen.

pub mod agents;
pub mod home;
pub mod login;
pub mod queues;
