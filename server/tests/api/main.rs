//! The server's tests through HTTP and WebSocket, on both backends, as one test binary: one crate
//! to compile and link in release instead of one per file (`make test` spent most of its Rust
//! build time linking eight copies of the server).

mod support;

mod accounts;
mod audit;
mod authorization;
mod blacklist;
mod chats;
mod companies;
mod contact_keeper;
mod contacts;
mod contract;
mod crash;
mod errands;
mod history;
mod internal_chats;
mod limits;
mod monitor;
mod outbound;
mod quick_replies;
mod reports;
mod time_travel;
mod walking_skeleton;
mod whatsapp_cloud;
mod widget;
