//! The language of the business, pure: no IO, no async, no clock.
//!
//! - [`decider`]: the `decide` / `evolve` shape every aggregate follows, and its given-when-then helper.
//! - [`ids`]: typed identifiers of companies and aggregates.
//! - [`actor`]: who caused an event.
//! - [`event`]: how domain events are named, versioned and turned into stored data.
//! - [`pause`]: pause reasons; [`agent`]: each agent's pauses, capacity, presence and chats.
//! - [`queue`]: attention queues (R2) and the reservation of their names.
//! - [`reservation`]: unique names, claimed in a stream of their own.
//! - [`user`]: supervisors, agents and auditors, and their sessions.
//! - [`line`]: lines, the ways in for customers, and where their chats go (R6, G17).
//! - [`apikey`]: a company's API keys.
//! - [`company`]: companies (tenants), their limits (A2) and brand (W5).
//! - [`blacklist`]: accounts that must never be written to, and their dropped messages (G19).
//! - [`contact`]: contacts, their accounts, owner, consent, merges (K1–K13); [`business`]: their
//!   organisations (K10); [`contact_search`]: the terms contacts are found by (K11);
//!   [`contact_import`]: files of contacts imported in the background (K8, K14).
//! - [`chat`]: chats and their conversations (C2); [`message`]: what a message can carry, whatever
//!   its channel, and how far one of ours got.
//! - [`menu`]: the menu bot's menus and where answers take customers; [`hours`]: opening hours;
//!   [`calendar`]: days in a time zone.
//! - [`form`]: questions a menu asks customers, their checks and the routes of their answers.
//! - [`errand`]: web queries and e-mails the bot sends, from templates.
//! - [`phone`]: phone numbers in E.164; [`email`]: e-mail addresses, one rule for all.
//! - [`routing`]: round-robin assignment of waiting chats to available agents (R4, G2, G21).
//! - [`seal`]: the seals that make an edit of the log made past its guards evident.
//! - [`internal_chat`]: colleagues' one-to-one conversations, apart from customers (G8).
//! - [`template`]: message templates submitted to a channel's provider, and its decisions (W12, W13).

pub mod actor;
pub mod agent;
pub mod apikey;
pub mod blacklist;
pub mod business;
pub mod calendar;
pub mod chat;
pub mod company;
pub mod contact;
pub mod contact_import;
pub mod contact_search;
pub mod decider;
pub mod email;
pub mod errand;
pub mod event;
pub mod form;
pub mod hours;
pub mod ids;
pub mod internal_chat;
pub mod line;
pub mod media;
pub mod menu;
pub mod message;
pub mod pause;
pub mod phone;
pub mod queue;
pub mod quick_reply;
pub mod reservation;
pub mod routing;
pub mod seal;
pub mod template;
pub mod text;
pub mod user;
