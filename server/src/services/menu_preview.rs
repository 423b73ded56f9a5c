//! What a customer would see of a menu, before it is saved: the bot itself decides each answer
//! on a conversation kept in memory (nothing is stored), so the preview is exactly what customers
//! will get.

use crate::error::AppError;
use chrono::{DateTime, Utc};
use domain::chat::{chat_of, Chat, ChatCommand, ChatEvent, ChatState, Inbound};
use domain::contact::{Channel, NameSource};
use domain::decider::Decider;
use domain::ids::{CompanyId, ConversationId, LineId, QueueId};
use domain::menu::{Choice, Menu};
use uuid::Uuid;

/// One line of the preview: who says it (`customer`, `bot` or `system` for what happens), the
/// words, and the buttons offered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewLine {
    pub from: &'static str,
    pub text: String,
    pub choices: Vec<Choice>,
}

/// A menu as supervisors write it (JSON), checked as saving would check it, queues aside.
pub fn read_menu(json: &str) -> Result<Menu, MenuProblem> {
    let menu: Menu = serde_json::from_str(json)
        .map_err(|e| MenuProblem { reason: format!("the menu is not valid JSON for a menu: {e}"), option: None })?;
    menu.check().map_err(|e| MenuProblem {
        reason: format!("the menu cannot be used: {e}"),
        option: e.option().map(<[usize]>::to_vec),
    })?;
    Ok(menu)
}

/// Why a menu cannot be used, and the option it is about when it is one (the options leading
/// to it from the first level), so that the editor shows it there.
#[derive(Debug)]
pub struct MenuProblem {
    pub reason: String,
    pub option: Option<Vec<usize>>,
}

impl std::fmt::Display for MenuProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.reason)
    }
}

impl From<MenuProblem> for AppError {
    fn from(problem: MenuProblem) -> Self {
        AppError::Invalid(problem.reason)
    }
}

/// The conversation a customer who says "hello" and then `answers` would have with `menu`;
/// at `now` (opening hours count); `queue_name` names queues for the lines that say where the chat goes.
pub fn preview(
    menu: &Menu,
    answers: &[String],
    now: DateTime<Utc>,
    queue_name: impl Fn(QueueId) -> String,
) -> Vec<PreviewLine> {
    let line = LineId::from_uuid(Uuid::nil());
    let chat_id = chat_of(line, "preview");
    let mut state = ChatState::default();
    let mut lines = Vec::new();
    let hello = "hello".to_string();
    for (n, said) in std::iter::once(&hello).chain(answers).enumerate() {
        let inbound = Inbound {
            company_id: CompanyId::from_uuid(Uuid::nil()),
            line_id: line,
            channel: Channel::Api,
            contact_id: "preview".into(),
            contact_name: "Preview".into(),
            name_source: NameSource::Profile,
            message_id: format!("preview-{n}"),
            text: said.clone(),
            media: None,
            sticker: false,
            content: Default::default(),
            queue: QueueId::from_uuid(Uuid::nil()),
            menu: Some(Box::new(menu.clone())),
            consent_on_record: false,
        };
        let conversation_id = ConversationId::from_uuid(Uuid::from_u128(n as u128 + 1));
        let command = ChatCommand::Receive { chat_id, inbound, conversation_id, at: now };
        let Ok(events) = Chat::decide(&state, &command) else { break };
        for event in &events {
            lines.extend(line_of(event, &queue_name));
        }
        state = events.iter().fold(state, Chat::evolve);
    }
    lines
}

fn line_of(event: &ChatEvent, queue_name: &impl Fn(QueueId) -> String) -> Option<PreviewLine> {
    let line = |from: &'static str, text: String, choices: Vec<Choice>| Some(PreviewLine { from, text, choices });
    match event {
        ChatEvent::CustomerMessageReceived { text, .. } => line("customer", text.clone(), vec![]),
        ChatEvent::MenuShown { text, choices, .. }
        | ChatEvent::InputRequested { text, choices, .. }
        | ChatEvent::ConsentAsked { text, choices, .. } => line("bot", text.clone(), choices.clone()),
        ChatEvent::BotSaid { text, .. } | ChatEvent::MenuReminderSent { text, .. } => line("bot", text.clone(), vec![]),
        ChatEvent::BotSentFile { text, media, .. } => {
            line("bot", format!("{text} [{media}]").trim().to_string(), vec![])
        }
        ChatEvent::Queued { queue, .. } => {
            line("system", format!("The chat waits for an agent of {}", queue_name(*queue)), vec![])
        }
        ChatEvent::Resolved { .. } => line("system", "The conversation ends".into(), vec![]),
        ChatEvent::WebQueryRequested { request, .. } => {
            line("system", format!("The bot asks {} {} and says what it answers", request.method, request.url), vec![])
        }
        ChatEvent::AnswersEmailRequested { to, .. } => {
            line("system", format!("The answers are e-mailed to {to}"), vec![])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_is_the_bots_own_conversation() {
        let menu = read_menu(
            r#"{ "header": "Hi", "options": [
                { "label": "Hours", "action": { "kind": "text", "text": "9 to 18" } },
                { "label": "Sales", "action": { "kind": "queue", "queue": "00000000-0000-0000-0000-000000000009" } } ] }"#,
        )
        .unwrap();
        let seen =
            preview(&menu, &["1".into(), "1".into(), "2".into()], "2026-12-02T10:00:00Z".parse().unwrap(), |_| {
                "Sales".into()
            });
        let text: Vec<(&str, &str)> = seen.iter().map(|l| (l.from, l.text.as_str())).collect();
        assert_eq!(
            text,
            [
                ("customer", "hello"),
                ("bot", "Hi\n1. Hours\n2. Sales"),
                ("customer", "1"),
                ("bot", "9 to 18"),
                ("bot", "Anything else?\n1. Show the menu again\n2. That's all, thanks"),
                ("customer", "1"),
                ("bot", "Hi\n1. Hours\n2. Sales"),
                ("customer", "2"),
                ("system", "The chat waits for an agent of Sales"),
            ]
        );
        assert_eq!(seen[1].choices.len(), 2);
        assert!(read_menu("{").unwrap_err().to_string().starts_with("the menu is not valid JSON"));
        let empty = read_menu(r#"{ "header": "Hi", "options": [] }"#).unwrap_err().to_string();
        assert_eq!(empty, "the menu cannot be used: the first level: a level has 1 to 9 options");
    }
}
