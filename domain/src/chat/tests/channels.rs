//! What channels bring besides text: messages of every kind, options tapped, reactions, and how
//! far our messages got.

use super::*;
use crate::message::{Content, DeliveryStatus, Location, MessageKind, ProviderFile};
use crate::template::{ApprovedTemplate, SentTemplate, TemplateRejection};

fn receive_content(message_id: &str, text: &str, content: Content) -> ChatCommand {
    match receive_with_menu(message_id, text, 1) {
        ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
            inbound.content = Box::new(content);
            ChatCommand::Receive { chat_id, inbound, conversation_id, at }
        }
        other => other,
    }
}

fn a_place() -> Content {
    Content {
        kind: MessageKind::Location,
        location: Some(Location { latitude: -34.6, longitude: -58.4, name: Some("Obelisco".into()), address: None }),
        ..Content::default()
    }
}

#[test]
fn a_place_a_file_or_an_unknown_kind_needs_no_text_and_is_kept_whole() {
    let photo = Content {
        kind: MessageKind::Image,
        file: Some(ProviderFile { id: "65463453".into(), content_type: "image/jpeg".into(), filename: None }),
        ..Content::default()
    };
    let unknown = Content { kind: MessageKind::Unsupported, ..Content::default() };
    for content in [a_place(), photo, unknown] {
        let events = Chat::decide(&ChatState::default(), &receive_content("m1", "", content.clone())).unwrap();
        let received = events.iter().find_map(|e| match e {
            ChatEvent::CustomerMessageReceived { content, .. } => Some(content.clone()),
            _ => None,
        });
        assert_eq!(received, Some(content));
    }
}

#[test]
fn a_place_off_the_map_or_an_empty_text_without_content_is_refused() {
    let off = Content {
        location: Some(Location { latitude: 100.0, longitude: 0.0, name: None, address: None }),
        ..a_place()
    };
    given::<Chat>(vec![]).when(receive_content("m1", "", off)).then_rejects(ChatRejection::InvalidMessage);
    given::<Chat>(vec![])
        .when(receive_content("m1", " ", Content::default()))
        .then_rejects(ChatRejection::InvalidMessage);
}

#[test]
fn a_tapped_option_answers_the_bot_by_its_choice_not_its_title() {
    let opened = talk(vec![], &[("m1", "hola")]);
    let state = opened.iter().fold(ChatState::default(), Chat::evolve);
    // The customer taps the button titled "Sales", whose answer is "1".
    let tapped = Content { choice: Some("1".into()), ..Content::default() };
    let events = Chat::decide(&state, &receive_content("m2", "Sales, please", tapped)).unwrap();
    assert!(
        events.iter().any(|e| matches!(e, ChatEvent::MenuOptionChosen { option: 1, label, .. } if label == "Sales")),
        "{events:?}"
    );
    let texts: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::CustomerMessageReceived { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, ["Sales, please"], "the agent reads what the customer saw");
}

fn reaction(id: &str, emoji: Option<&str>) -> ChatCommand {
    ChatCommand::React {
        company_id: company(),
        reaction: Reaction { id: id.into(), to: "wamid.ours".into(), emoji: emoji.map(str::to_string) },
        at: at(),
    }
}

#[test]
fn a_reaction_is_recorded_once_and_taking_it_back_is_a_reaction_too() {
    given::<Chat>(assigned()).when(reaction("r1", Some("😮"))).then(vec![ChatEvent::CustomerReacted {
        chat_id: chat(),
        reaction_id: "r1".into(),
        to: "wamid.ours".into(),
        emoji: Some("😮".into()),
        at: at(),
    }]);
    let mut reacted = assigned();
    reacted.extend(
        Chat::decide(&reacted.iter().fold(ChatState::default(), Chat::evolve), &reaction("r1", Some("😮"))).unwrap(),
    );
    given::<Chat>(reacted.clone()).when(reaction("r1", Some("😮"))).then(vec![]);
    given::<Chat>(reacted).when(reaction("r2", None)).then(vec![ChatEvent::CustomerReacted {
        chat_id: chat(),
        reaction_id: "r2".into(),
        to: "wamid.ours".into(),
        emoji: None,
        at: at(),
    }]);
    given::<Chat>(vec![]).when(reaction("r1", Some("👍"))).then_rejects(ChatRejection::NotFound);
    given::<Chat>(assigned()).when(reaction("r3", Some(&"👍".repeat(20)))).then_rejects(ChatRejection::InvalidMessage);
}

fn status(id: &str, status: DeliveryStatus) -> ChatCommand {
    ChatCommand::ReportStatus {
        company_id: company(),
        provider_message_id: id.into(),
        status,
        reason: (status == DeliveryStatus::Failed).then(|| "131047: Re-engagement message".to_string()),
        at: at(),
    }
}

#[test]
fn each_status_of_a_message_is_recorded_once_in_the_order_it_came() {
    let reported = |id: &str, status: DeliveryStatus| ChatEvent::StatusReported {
        chat_id: chat(),
        provider_message_id: id.into(),
        status,
        reason: (status == DeliveryStatus::Failed).then(|| "131047: Re-engagement message".to_string()),
        at: at(),
    };
    given::<Chat>(assigned()).when(status("w1", DeliveryStatus::Read)).then(vec![reported("w1", DeliveryStatus::Read)]);
    let mut history = assigned();
    history.push(reported("w1", DeliveryStatus::Read));
    given::<Chat>(history.clone()).when(status("w1", DeliveryStatus::Read)).then(vec![]);
    // A late `delivered` is recorded as it came; which stands is the read side's merge.
    given::<Chat>(history.clone())
        .when(status("w1", DeliveryStatus::Delivered))
        .then(vec![reported("w1", DeliveryStatus::Delivered)]);
    given::<Chat>(history)
        .when(status("w2", DeliveryStatus::Failed))
        .then(vec![reported("w2", DeliveryStatus::Failed)]);
    let other = ChatCommand::ReportStatus {
        company_id: CompanyId::from_uuid(Uuid::from_u128(77)),
        provider_message_id: "w1".into(),
        status: DeliveryStatus::Sent,
        reason: None,
        at: at(),
    };
    given::<Chat>(assigned()).when(other).then_rejects(ChatRejection::NotFound);
}

fn fetched(message_id: &str, outcome: FileFetch) -> ChatCommand {
    ChatCommand::RecordFileFetch { message_id: message_id.into(), outcome, at: at() }
}

#[test]
fn a_customers_file_is_kept_once_after_failures_that_say_when_it_is_tried_again() {
    let retry_at = at() + chrono::Duration::minutes(1);
    let failed =
        FileFetch::Failed { attempt: 1, reason: "WhatsApp answered HTTP 500".into(), retry_at: Some(retry_at) };
    given::<Chat>(waiting()).when(fetched("m1", failed)).then(vec![ChatEvent::FileFetchFailed {
        chat_id: chat(),
        message_id: "m1".into(),
        attempt: 1,
        reason: "WhatsApp answered HTTP 500".into(),
        retry_at: Some(retry_at),
        at: at(),
    }]);
    let kept = |media: &str| fetched("m1", FileFetch::Kept { media: media.into() });
    let event =
        ChatEvent::FileKept { chat_id: chat(), message_id: "m1".into(), media: "/media/ab12.jpg".into(), at: at() };
    given::<Chat>(waiting()).when(kept("/media/ab12.jpg")).then(vec![event.clone()]);
    let mut history = waiting();
    history.push(event);
    given::<Chat>(history).when(kept("/media/ab12.jpg")).then(vec![]);
    given::<Chat>(waiting()).when(kept("https://elsewhere.example/x.jpg")).then_rejects(ChatRejection::InvalidMedia);
    given::<Chat>(waiting()).when(kept("/media/../x")).then_rejects(ChatRejection::InvalidMedia);
    given::<Chat>(waiting())
        .when(fetched("never-received", FileFetch::Kept { media: "/media/a.jpg".into() }))
        .then_rejects(ChatRejection::NotFound);
}

fn reply_within(window_hours: Option<i64>, quoted: Option<&str>, at: DateTime<Utc>) -> ChatCommand {
    ChatCommand::Reply {
        company_id: company(),
        agent: ana(),
        message_id: Uuid::from_u128(9),
        text: "¿Sigues ahí?".into(),
        quoted: quoted.map(str::to_string),
        location: None,
        media: None,
        template: None,
        window: window_hours.map(chrono::Duration::hours),
        at,
    }
}

#[test]
fn free_text_goes_out_within_the_channels_window_after_the_customers_last_message_only() {
    // The customer wrote at `at()` (the assigned chat's first message).
    let day = chrono::Duration::hours(24);
    let replied = |at, quoted: Option<&str>| ChatEvent::AgentReplied {
        chat_id: chat(),
        message_id: Uuid::from_u128(9),
        agent: ana(),
        text: "¿Sigues ahí?".into(),
        quoted: quoted.map(str::to_string),
        location: None,
        media: None,
        template: None,
        at,
    };
    given::<Chat>(assigned())
        .when(reply_within(Some(24), Some("m1"), at() + day))
        .then(vec![replied(at() + day, Some("m1"))]);
    given::<Chat>(assigned())
        .when(reply_within(Some(24), None, at() + day + chrono::Duration::seconds(1)))
        .then_rejects(ChatRejection::OutsideWindow { hours: 24 });
    // A channel without a window takes free text whenever.
    given::<Chat>(assigned())
        .when(reply_within(None, None, at() + day * 30))
        .then(vec![replied(at() + day * 30, None)]);
    // A new message from the customer opens the window again.
    let later = at() + day * 2;
    let mut history = assigned();
    let state = history.iter().fold(ChatState::default(), Chat::evolve);
    history.extend(Chat::decide(&state, &receive_at("m2", "¿hola?", later)).unwrap());
    let an_hour_later = later + chrono::Duration::hours(1);
    given::<Chat>(history).when(reply_within(Some(24), None, an_hour_later)).then(vec![replied(an_hour_later, None)]);
    given::<Chat>(assigned()).when(reply_within(None, Some(" "), at())).then_rejects(ChatRejection::InvalidMessage);
}

fn receive_at(message_id: &str, text: &str, when: DateTime<Utc>) -> ChatCommand {
    match receive(message_id, text, 1) {
        ChatCommand::Receive { chat_id, inbound, conversation_id, .. } => {
            ChatCommand::Receive { chat_id, inbound, conversation_id, at: when }
        }
        other => other,
    }
}

#[test]
fn an_agent_shares_a_place_without_words_and_one_off_the_map_is_refused() {
    let share = |latitude: f64| ChatCommand::Reply {
        company_id: company(),
        agent: ana(),
        message_id: Uuid::from_u128(9),
        text: String::new(),
        quoted: None,
        location: Some(Location { latitude, longitude: -58.38, name: Some("Shop".into()), address: None }),
        media: None,
        template: None,
        window: None,
        at: at(),
    };
    given::<Chat>(assigned()).when(share(-34.6)).then(vec![ChatEvent::AgentReplied {
        chat_id: chat(),
        message_id: Uuid::from_u128(9),
        agent: ana(),
        text: String::new(),
        quoted: None,
        location: Some(Location { latitude: -34.6, longitude: -58.38, name: Some("Shop".into()), address: None }),
        media: None,
        template: None,
        at: at(),
    }]);
    given::<Chat>(assigned()).when(share(-134.6)).then_rejects(ChatRejection::InvalidMessage);
}

#[test]
fn the_chats_agent_reacts_to_a_message_and_takes_it_back_and_nobody_else_does() {
    let react = |agent, emoji: Option<&str>| ChatCommand::ReactAsAgent {
        company_id: company(),
        agent,
        reaction_id: Uuid::from_u128(7),
        to: "m1".into(),
        emoji: emoji.map(str::to_string),
        at: at(),
    };
    let reacted = |emoji: Option<&str>| ChatEvent::AgentReacted {
        chat_id: chat(),
        reaction_id: Uuid::from_u128(7),
        agent: ana(),
        to: "m1".into(),
        emoji: emoji.map(str::to_string),
        at: at(),
    };
    given::<Chat>(assigned()).when(react(ana(), Some("👍"))).then(vec![reacted(Some("👍"))]);
    given::<Chat>(assigned()).when(react(ana(), None)).then(vec![reacted(None)]);
    let other = UserId::from_uuid(Uuid::from_u128(5));
    given::<Chat>(assigned()).when(react(other, Some("👍"))).then_rejects(ChatRejection::NotYours);
    given::<Chat>(assigned()).when(react(ana(), Some(""))).then_rejects(ChatRejection::InvalidMessage);
}

fn with_template(values: &[&str], text: &str, at: DateTime<Utc>) -> ChatCommand {
    match reply_within(Some(24), None, at) {
        ChatCommand::Reply { company_id, agent, message_id, quoted, location, media, window, at, .. } => {
            ChatCommand::Reply {
                company_id,
                agent,
                message_id,
                text: text.into(),
                quoted,
                location,
                media,
                template: Some(ApprovedTemplate {
                    name: "seguimiento".into(),
                    language: "es".into(),
                    body: "Hola {{1}}, tu pedido {{2}} está listo. ¿{{1}}, te lo enviamos?".into(),
                    values: values.iter().map(|v| v.to_string()).collect(),
                }),
                window,
                at,
            }
        }
        other => other,
    }
}

#[test]
fn an_approved_template_goes_out_after_the_window_with_its_variables_filled() {
    let days_later = at() + chrono::Duration::days(3);
    given::<Chat>(assigned()).when(with_template(&["Ana", " 42 "], "", days_later)).then(vec![
        ChatEvent::AgentReplied {
            chat_id: chat(),
            message_id: Uuid::from_u128(9),
            agent: ana(),
            text: "Hola Ana, tu pedido 42 está listo. ¿Ana, te lo enviamos?".into(),
            quoted: None,
            location: None,
            media: None,
            template: Some(SentTemplate {
                name: "seguimiento".into(),
                language: "es".into(),
                values: vec!["Ana".into(), "42".into()],
            }),
            at: days_later,
        },
    ]);
    let wrong = ChatRejection::Template(TemplateRejection::InvalidValues { expected: 2 });
    given::<Chat>(assigned()).when(with_template(&["Ana"], "", days_later)).then_rejects(wrong.clone());
    given::<Chat>(assigned()).when(with_template(&["Ana", "42", "x"], "", days_later)).then_rejects(wrong.clone());
    given::<Chat>(assigned()).when(with_template(&["Ana", "4\n2"], "", days_later)).then_rejects(wrong.clone());
    given::<Chat>(assigned()).when(with_template(&["Ana", "4      2"], "", days_later)).then_rejects(wrong);
    // A template is the whole message: no words of the agent's beside it, nothing quoted.
    given::<Chat>(assigned())
        .when(with_template(&["Ana", "42"], "y algo más", days_later))
        .then_rejects(ChatRejection::InvalidMessage);
    let quoting = match with_template(&["Ana", "42"], "", days_later) {
        ChatCommand::Reply { company_id, agent, message_id, text, location, media, template, window, at, .. } => {
            ChatCommand::Reply {
                company_id,
                agent,
                message_id,
                text,
                quoted: Some("wamid.1".into()),
                location,
                media,
                template,
                window,
                at,
            }
        }
        other => other,
    };
    given::<Chat>(assigned()).when(quoting).then_rejects(ChatRejection::InvalidMessage);
}

#[test]
fn an_agent_sends_a_file_kept_here_or_a_public_one_and_nothing_else() {
    let send = |media: &str, text: &str| match reply_within(None, None, at()) {
        ChatCommand::Reply { company_id, agent, message_id, window, at, .. } => ChatCommand::Reply {
            company_id,
            agent,
            message_id,
            text: text.into(),
            quoted: None,
            location: None,
            media: Some(media.into()),
            template: None,
            window,
            at,
        },
        other => other,
    };
    given::<Chat>(assigned()).when(send("/media/ab12.pdf", "")).then(vec![ChatEvent::AgentReplied {
        chat_id: chat(),
        message_id: Uuid::from_u128(9),
        agent: ana(),
        text: String::new(),
        quoted: None,
        location: None,
        media: Some("/media/ab12.pdf".into()),
        template: None,
        at: at(),
    }]);
    for refused in ["javascript:alert(1)", "/media/../etc/passwd", "file:///etc/passwd"] {
        given::<Chat>(assigned()).when(send(refused, "mira")).then_rejects(ChatRejection::InvalidMedia);
    }
}

fn start(name: Option<&str>, values: &[&str]) -> ChatCommand {
    ChatCommand::StartConversation {
        company_id: company(),
        line_id: line(),
        channel: Channel::Whatsapp,
        contact_id: "+5491100000000".into(),
        contact_name: name.map(str::to_string),
        agent: ana(),
        conversation_id: conversation(7),
        message_id: Uuid::from_u128(70),
        template: ApprovedTemplate {
            name: "hola".into(),
            language: "es".into(),
            body: "Hola {{1}}, ¿hablamos?".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        },
        at: at(),
    }
}

#[test]
fn an_agent_starts_a_conversation_with_a_template_and_it_is_theirs_and_a_chat_open_already_is_refused() {
    let opened = |first: Vec<ChatEvent>| {
        let mut events = first;
        events.extend([
            ChatEvent::ConversationOpened { chat_id: chat(), conversation_id: conversation(7), at: at() },
            ChatEvent::Assigned {
                chat_id: chat(),
                conversation_id: conversation(7),
                agent: ana(),
                queue: crate::queue::personal_queue(ana()),
                at: at(),
            },
            ChatEvent::AgentReplied {
                chat_id: chat(),
                message_id: Uuid::from_u128(70),
                agent: ana(),
                text: "Hola Rosa, ¿hablamos?".into(),
                quoted: None,
                location: None,
                media: None,
                template: Some(SentTemplate {
                    name: "hola".into(),
                    language: "es".into(),
                    values: vec!["Rosa".into()],
                }),
                at: at(),
            },
        ]);
        events
    };
    let started = |name: &str, name_source| ChatEvent::Started {
        chat_id: chat(),
        company_id: company(),
        line_id: line(),
        channel: Channel::Whatsapp,
        contact_id: "+5491100000000".into(),
        contact_name: name.into(),
        name_source,
    };
    given::<Chat>(vec![])
        .when(start(Some(" Rosa  Díaz "), &["Rosa"]))
        .then(opened(vec![started("Rosa Díaz", NameSource::Agent)]));
    given::<Chat>(vec![])
        .when(start(None, &["Rosa"]))
        .then(opened(vec![started("+5491100000000", NameSource::Profile)]));
    // A chat we had, resolved since, opens a new conversation.
    given::<Chat>(resolved()).when(start(None, &["Rosa"])).then(opened(vec![]));
    given::<Chat>(waiting()).when(start(None, &["Rosa"])).then_rejects(ChatRejection::AlreadyOpen);
    given::<Chat>(assigned()).when(start(None, &["Rosa"])).then_rejects(ChatRejection::AlreadyOpen);
    given::<Chat>(vec![])
        .when(start(None, &[]))
        .then_rejects(ChatRejection::Template(TemplateRejection::InvalidValues { expected: 1 }));
    // Once started, the customer's channel takes only templates until they answer.
    let mut history = opened(vec![started("+5491100000000", NameSource::Profile)]);
    history.push(ChatEvent::Delivered {
        chat_id: chat(),
        message_id: Uuid::from_u128(70),
        provider_message_id: None,
        at: at(),
    });
    given::<Chat>(history)
        .when(reply_within(Some(24), None, at()))
        .then_rejects(ChatRejection::OutsideWindow { hours: 24 });
}
