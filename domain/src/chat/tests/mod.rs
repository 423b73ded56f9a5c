//! The chat's rules, given / when / then, grouped by the chat's starting state: no chat yet,
//! with the menu bot, waiting in a queue, assigned to an agent, resolved.

mod assigned;
mod channels;
mod new_chat;
mod own_messages;
mod resolved;
mod waiting;
mod with_the_bot;

use super::bot::bot_message_id;
use super::*;
use crate::contact::{Channel, NameSource};
use crate::decider::given;
use crate::errand::Answers;
use crate::ids::{ChatId, CompanyId, ConversationId, LineId, QueueId, UserId};
use crate::menu::{Choice, Menu, MenuPlace};
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[test]
fn the_stored_names_are_the_events_own() {
    crate::event::check_names::<ChatEvent>(ChatEvent::NAMES);
}

fn at() -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap()
}
fn company() -> CompanyId {
    CompanyId::from_uuid(Uuid::from_u128(1))
}
fn line() -> LineId {
    LineId::from_uuid(Uuid::from_u128(2))
}
fn queue() -> QueueId {
    QueueId::from_uuid(Uuid::from_u128(3))
}
fn ana() -> UserId {
    UserId::from_uuid(Uuid::from_u128(4))
}
fn chat() -> ChatId {
    chat_of(line(), "+5491100000000")
}
fn conversation(n: u128) -> ConversationId {
    ConversationId::from_uuid(Uuid::from_u128(100 + n))
}
fn receive(message_id: &str, text: &str, n: u128) -> ChatCommand {
    ChatCommand::Receive {
        chat_id: chat(),
        inbound: Inbound {
            channel: Channel::Whatsapp,
            company_id: company(),
            line_id: line(),
            contact_id: "+5491100000000".into(),
            contact_name: " Rosa  Díaz ".into(),
            name_source: NameSource::Profile,
            message_id: message_id.into(),
            text: text.into(),
            media: None,
            sticker: false,
            content: Default::default(),
            queue: queue(),
            menu: None,
            consent_on_record: false,
        },
        conversation_id: conversation(n),
        at: at(),
    }
}
fn receive_with_menu(message_id: &str, text: &str, n: u128) -> ChatCommand {
    match receive(message_id, text, n) {
        ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
            inbound.menu = Some(Box::new(crate::menu::tests::three_levels()));
            ChatCommand::Receive { chat_id, inbound, conversation_id, at }
        }
        other => other,
    }
}
/// Decides each message in turn on the history so far; answers the whole history.
fn talk(history: Vec<ChatEvent>, messages: &[(&str, &str)]) -> Vec<ChatEvent> {
    let mut history = history;
    for (n, (id, text)) in messages.iter().enumerate() {
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        history.extend(Chat::decide(&state, &receive_with_menu(id, text, n as u128)).unwrap());
    }
    history
}
fn bot_lines(history: &[ChatEvent]) -> Vec<String> {
    history
        .iter()
        .filter_map(|e| match e {
            ChatEvent::MenuShown { text, .. } | ChatEvent::BotSaid { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

/// A menu of forms, a web query and files, from its JSON as supervisors write it.
fn errands_menu() -> Menu {
    serde_json::from_value(serde_json::json!({
        "header": "Hi",
        "agent_queue": Uuid::from_u128(7),
        "options": [
            { "label": "Leave your details", "action": { "kind": "form",
                "questions": [
                    { "name": "name", "text": "Your name?" },
                    { "name": "email", "text": "Your e-mail?", "check": { "kind": "email" },
                      "error": "That is not an e-mail." },
                    { "name": "size", "text": "Which size?", "check": { "kind": "one_of", "options": ["Small", "Large"] } }
                ],
                "email": { "to": "sales@shop.example", "subject": "New lead" },
                "done": "Thanks!" } },
            { "label": "Quote", "action": { "kind": "form",
                "questions": [{ "name": "amount", "text": "How much?", "check": { "kind": "number", "min": 1 } }],
                "max_attempts": 2,
                "on_give_up": { "then": "queue", "queue": Uuid::from_u128(8) },
                "routes": [{ "question": "amount", "at_least": 1000, "queue": Uuid::from_u128(9),
                             "message": "A senior seller will help you" }],
                "query": { "url": "https://prices.example/quote?amount={{amount}}",
                           "answer": "Your price: {{price}}", "error": "Prices are down" } } },
            { "label": "Order status", "action": { "kind": "query", "method": "POST",
                "url": "https://shop.example/status", "body": "{}",
                "answer": "Your order is {{status}}", "error": "We cannot check now" } },
            { "label": "Catalogue", "action": { "kind": "files", "text": "Our catalogue",
                "files": ["https://shop.example/c.pdf", "/media/abc.png"] } }
        ]
    }))
    .unwrap()
}
fn talk_to(menu: &Menu, history: Vec<ChatEvent>, messages: &[(&str, &str)]) -> Vec<ChatEvent> {
    let mut history = history;
    for (n, (id, text)) in messages.iter().enumerate() {
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        let command = match receive(id, text, n as u128) {
            ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
                inbound.menu = Some(Box::new(menu.clone()));
                ChatCommand::Receive { chat_id, inbound, conversation_id, at }
            }
            other => other,
        };
        history.extend(Chat::decide(&state, &command).unwrap());
    }
    history
}
fn said_by_bot(history: &[ChatEvent]) -> Vec<String> {
    history
        .iter()
        .filter_map(|e| match e {
            ChatEvent::MenuShown { text, .. }
            | ChatEvent::BotSaid { text, .. }
            | ChatEvent::InputRequested { text, .. }
            | ChatEvent::ConsentAsked { text, .. }
            | ChatEvent::BotSentFile { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect()
}
fn kinds(events: &[ChatEvent]) -> Vec<String> {
    events.iter().map(|e| crate::event::encode(e).unwrap().0).collect()
}

/// A first message on a line without a menu.
fn first_message() -> Vec<ChatEvent> {
    Chat::decide(&ChatState::default(), &receive("m1", "hola", 1)).unwrap()
}
/// Routing gives the waiting chat to Ana.
fn ana_takes_it() -> ChatEvent {
    ChatEvent::Assigned { chat_id: chat(), conversation_id: conversation(1), agent: ana(), queue: queue(), at: at() }
}

// The starting states the tests are grouped by, each as the history that leads to it.

/// Waiting in the line's queue for an agent.
fn waiting() -> Vec<ChatEvent> {
    first_message()
}

/// Ana has the chat.
fn assigned() -> Vec<ChatEvent> {
    let mut history = waiting();
    history.push(ana_takes_it());
    history
}

/// Ana resolved the chat's conversation.
fn resolved() -> Vec<ChatEvent> {
    let mut history = assigned();
    history.push(ChatEvent::Resolved {
        chat_id: chat(),
        conversation_id: conversation(1),
        by: Resolver::Agent(ana()),
        at: at(),
    });
    history
}
