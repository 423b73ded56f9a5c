//! One module per screen.

pub mod account;
pub mod agent;
pub mod agents;
pub mod api_keys;
pub mod chats;
pub mod colleagues;
pub mod consent_file;
pub mod contact_card;
pub mod contact_owner;
pub mod contact_words;
pub mod contacts;
pub mod conversation;
pub mod dashboard;
pub mod home;
pub mod line_settings;
pub mod lines;
pub mod login;
pub mod monitor;
pub mod own_message;
pub mod pauses;
pub mod queues;
pub mod reply_box;
pub mod start;
pub mod whats_new;
pub mod widget;
pub mod workspace;
