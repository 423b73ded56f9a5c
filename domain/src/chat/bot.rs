//! The menu bot's turn: what it says and does in answer to one customer message.

use super::commands::Inbound;
use super::events::{ChatEvent, Resolver};
use crate::errand::{answers_text, Answers, WebQuery};
use crate::form::{Form, GiveUp};
use crate::ids::{ChatId, ConversationId, QueueId};
use crate::menu::{
    agent_away_buttons, agent_away_move, agent_away_question, FormMove, FormNext, Menu, MenuMove, MenuOutcome,
    MenuPlace, MenuWords,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The id of the `n`th message the bot says in answer to a customer's message: derived from that
/// message, so that deciding again on the same message says the same thing under the same ids.
pub(super) fn bot_message_id(chat_id: ChatId, answering: &str, n: u8) -> Uuid {
    Uuid::new_v5(&chat_id.as_uuid(), format!("bot:{answering}:{n}").as_bytes())
}

/// One turn of the menu bot, answering one customer message: what it says gets ids derived from
/// that message, in order.
struct BotTurn<'a> {
    chat_id: ChatId,
    conversation_id: ConversationId,
    menu: Option<&'a Menu>,
    answering: &'a str,
    said: u8,
    at: DateTime<Utc>,
}

impl BotTurn<'_> {
    fn next_id(&mut self) -> Uuid {
        self.said += 1;
        bot_message_id(self.chat_id, self.answering, self.said)
    }

    fn say(&mut self, text: String) -> ChatEvent {
        ChatEvent::BotSaid { chat_id: self.chat_id, message_id: self.next_id(), text, at: self.at }
    }

    /// The menu at `place`, after `prefix` when given.
    fn show(&mut self, place: MenuPlace, prefix: Option<&str>) -> ChatEvent {
        // Back at the top outside opening hours means the reduced menu (G15).
        let place = match self.menu {
            Some(menu) if place == MenuPlace::top() => menu.greeting_place(self.at),
            _ => place,
        };
        let menu_text = self.menu.map_or_else(|| agent_away_question(None), |m| m.render(&place));
        let text = match prefix {
            Some(prefix) => format!("{prefix}\n\n{menu_text}"),
            None => menu_text,
        };
        let choices = self.menu.map_or_else(|| agent_away_buttons(None), |m| m.choices(&place));
        ChatEvent::MenuShown { chat_id: self.chat_id, message_id: self.next_id(), place, text, choices, at: self.at }
    }

    fn queue(&self, queue: QueueId) -> ChatEvent {
        ChatEvent::Queued { chat_id: self.chat_id, conversation_id: self.conversation_id, queue, at: self.at }
    }

    /// The words outside opening hours, when it is closed, and the menu.
    fn greet(&mut self) -> Vec<ChatEvent> {
        let closed_message = self.menu.filter(|m| m.is_closed_at(self.at)).and_then(|m| m.closed_message.clone());
        let mut events: Vec<ChatEvent> = closed_message.map(|text| self.say(text)).into_iter().collect();
        events.push(self.show(MenuPlace::top(), None));
        events
    }

    fn ask_consent(&mut self, menu: &Menu) -> ChatEvent {
        ChatEvent::ConsentAsked {
            chat_id: self.chat_id,
            message_id: self.next_id(),
            text: menu.render(&MenuPlace::Consent),
            choices: menu.choices(&MenuPlace::Consent),
            at: self.at,
        }
    }

    /// The menu's farewell, when there is one, and the end of the conversation.
    fn end(&mut self) -> Vec<ChatEvent> {
        self.end_with(self.menu.and_then(|m| m.farewell.clone()))
    }

    fn end_with(&mut self, farewell: Option<String>) -> Vec<ChatEvent> {
        let mut events: Vec<ChatEvent> = farewell.map(|t| self.say(t)).into_iter().collect();
        events.push(ChatEvent::Resolved {
            chat_id: self.chat_id,
            conversation_id: self.conversation_id,
            by: Resolver::Bot,
            at: self.at,
        });
        events
    }

    fn ask(&mut self, place: MenuPlace, question: String, text: String) -> ChatEvent {
        let choices = self.menu.map(|m| m.choices(&place)).unwrap_or_default();
        let message_id = self.next_id();
        ChatEvent::InputRequested { chat_id: self.chat_id, message_id, place, question, text, choices, at: self.at }
    }

    fn web_query(&mut self, query: &WebQuery, answers: Answers) -> ChatEvent {
        let after = self.menu.map(|m| m.render(&MenuPlace::AfterText)).unwrap_or_default();
        let after_choices = self.menu.map(|m| m.choices(&MenuPlace::AfterText)).unwrap_or_default();
        ChatEvent::WebQueryRequested {
            chat_id: self.chat_id,
            query_id: self.next_id(),
            request: query.request(&answers),
            answer: query.answer.clone(),
            error: query.error.clone(),
            answers,
            after,
            after_choices,
            resolve: query.resolve,
            at: self.at,
        }
    }

    /// A form's answers are in: kept, e-mailed, and a route's queue, the web query, or the words
    /// of the end and the choice after a text (G20).
    fn complete(&mut self, form: &Form, answers: Answers) -> Vec<ChatEvent> {
        let mut events =
            vec![ChatEvent::FormCompleted { chat_id: self.chat_id, answers: answers.clone(), at: self.at }];
        if let Some(email) = &form.email {
            let questions: Vec<(String, String)> =
                form.questions.iter().map(|q| (q.name.clone(), q.text.clone())).collect();
            events.push(ChatEvent::AnswersEmailRequested {
                chat_id: self.chat_id,
                email_id: self.next_id(),
                to: email.to.trim().to_string(),
                subject: email.subject.trim().to_string(),
                body: answers_text(&questions, &answers),
                at: self.at,
            });
        }
        if let Some(route) = form.route_for(&answers) {
            if let Some(text) = route.message.clone() {
                events.push(self.say(text));
            }
            if let Some(text) = self.menu.and_then(|m| m.on_assignment.clone()) {
                events.push(ChatEvent::AssignmentGreetingSet { chat_id: self.chat_id, text });
            }
            events.push(self.queue(route.queue));
        } else if let Some(query) = &form.query {
            events.push(self.web_query(query, answers));
        } else {
            if let Some(text) = form.done.clone() {
                events.push(self.say(text));
            }
            events.push(self.show(MenuPlace::AfterText, None));
        }
        events
    }

    /// A customer's answer to a form's question at `place`.
    fn answer_form(&mut self, menu: &Menu, place: &MenuPlace, answer: &str) -> Vec<ChatEvent> {
        let (chat_id, at) = (self.chat_id, self.at);
        let (mut events, next) = match menu.answer_form(place, answer) {
            FormMove::Restart => return vec![self.show(MenuPlace::top(), None)],
            FormMove::Accepted { question, value, next } => {
                (vec![ChatEvent::InputAccepted { chat_id, question, value, at }], next)
            }
            FormMove::Rejected { question, attempts, next } => {
                let rejected = ChatEvent::InputRejected {
                    chat_id,
                    question: question.clone(),
                    answer: answer.to_string(),
                    attempt: attempts,
                    at,
                };
                let mut events = vec![rejected];
                if matches!(next, FormNext::GiveUp(_)) {
                    events.push(ChatEvent::InputAbandoned { chat_id, question, at });
                }
                (events, next)
            }
        };
        match next {
            FormNext::Ask { place, question, text } => events.push(self.ask(place, question, text)),
            FormNext::Complete { form, answers } => events.extend(self.complete(&form, answers)),
            // The customer is told what happens next, so giving up does not look like a fault.
            FormNext::GiveUp(GiveUp::Menu) => {
                events.push(self.show(MenuPlace::top(), Some(&menu.words.gave_up_to_menu)))
            }
            FormNext::GiveUp(GiveUp::Queue { queue }) => {
                events.push(self.say(menu.words.gave_up_to_agent.clone()));
                events.push(self.queue(queue));
            }
            FormNext::GiveUp(GiveUp::End) => {
                events.push(self.say(menu.words.gave_up_to_end.clone()));
                events.extend(self.end());
            }
        }
        events
    }

    /// Where an option chosen at `place` takes the customer.
    fn chose(&mut self, place: &MenuPlace, option: u8, label: String, then: MenuOutcome) -> Vec<ChatEvent> {
        let (chat_id, at) = (self.chat_id, self.at);
        let mut events = vec![ChatEvent::MenuOptionChosen { chat_id, place: place.clone(), option, label, at }];
        match then {
            MenuOutcome::Show(place) => events.push(self.show(place, None)),
            MenuOutcome::Queue { queue, message, on_assignment } => {
                if let Some(text) = message {
                    events.push(self.say(text));
                }
                if let Some(text) = on_assignment {
                    events.push(ChatEvent::AssignmentGreetingSet { chat_id, text });
                }
                events.push(self.queue(queue));
            }
            MenuOutcome::Text { text, resolve } => {
                events.push(self.say(text));
                if resolve {
                    events.extend(self.end_with(None));
                } else {
                    events.push(self.show(MenuPlace::AfterText, None));
                }
            }
            MenuOutcome::End => events.extend(self.end()),
            MenuOutcome::Ask(place) => {
                let question = match (&place, self.menu) {
                    (MenuPlace::Form { option, out_of_hours, .. }, Some(menu)) => {
                        menu.form_at(option, *out_of_hours).and_then(|f| f.questions.first()).map(|q| q.name.clone())
                    }
                    _ => None,
                };
                let text = self.menu.map(|m| m.question_text(&place, false)).unwrap_or_default();
                events.push(self.ask(place, question.unwrap_or_default(), text));
            }
            MenuOutcome::Query(query) => events.push(self.web_query(&query, Answers::new())),
            MenuOutcome::Consent(given) => {
                let consent = self.menu.and_then(|m| m.consent.clone());
                let source = "menu".to_string();
                if given {
                    let remembered = consent.is_some_and(|c| c.remember);
                    events.push(ChatEvent::ConsentGiven { chat_id, source, remembered, at });
                    events.extend(self.greet());
                } else {
                    events.push(ChatEvent::ConsentRefused { chat_id, source, at });
                    events.extend(self.end_with(consent.and_then(|c| c.farewell)));
                }
            }
            MenuOutcome::Files { text, files } => {
                for (n, media) in files.into_iter().enumerate() {
                    let text = if n == 0 { text.clone().unwrap_or_default() } else { String::new() };
                    let message_id = self.next_id();
                    events.push(ChatEvent::BotSentFile {
                        chat_id,
                        message_id,
                        text,
                        media: media.trim().to_string(),
                        at,
                    });
                }
                events.push(self.show(MenuPlace::AfterText, None));
            }
        }
        events
    }
}

/// The menu bot's answer to a customer's message at `place` (or to a new conversation, `None`).
/// Without a menu the bot only ever asks what to do after an agent went away.
#[allow(clippy::too_many_arguments)]
pub(super) fn bot_answers(
    chat_id: ChatId,
    conversation_id: ConversationId,
    menu: Option<&Menu>,
    place: Option<&MenuPlace>,
    inbound: &Inbound,
    consented: bool,
    at: DateTime<Utc>,
) -> Vec<ChatEvent> {
    let mut turn = BotTurn { chat_id, conversation_id, menu, answering: &inbound.message_id, said: 0, at };
    let Some(place) = place else {
        let known = |remember: bool| consented || (remember && inbound.consent_on_record);
        return match menu.filter(|m| m.consent.as_ref().is_some_and(|question| !known(question.remember))) {
            Some(menu) => vec![turn.ask_consent(menu)],
            None => turn.greet(),
        };
    };
    let answer = match (menu, place) {
        // The bot waits for a web service: what the customer says meanwhile is only recorded.
        (_, MenuPlace::Waiting) => return vec![],
        (Some(menu), MenuPlace::Form { .. }) => return turn.answer_form(menu, place, inbound.answer()),
        (Some(menu), _) => menu.answer(place, inbound.answer()),
        (None, MenuPlace::AgentAway(queue)) => agent_away_move(None, *queue, inbound.answer()),
        (None, _) => MenuMove::Restart,
    };
    match answer {
        MenuMove::Restart => vec![turn.show(MenuPlace::top(), None)],
        MenuMove::NotAnOption => {
            let default_words = MenuWords::default();
            let words = menu.map_or(&default_words, |m| &m.words);
            vec![
                ChatEvent::MenuAnswerRejected {
                    chat_id,
                    place: place.clone(),
                    answer: inbound.answer().to_string(),
                    at,
                },
                turn.show(place.clone(), Some(&words.not_an_option)),
            ]
        }
        MenuMove::Chose { option, label, then } => turn.chose(place, option, label, then),
    }
}
