//! Given a chat waiting in a queue for an agent.

use super::*;

#[test]
fn a_message_sent_twice_is_stored_once() {
    given::<Chat>(waiting()).when(receive("m1", "hola", 2)).then(vec![]);
}

#[test]
fn routing_assigns_the_chat_from_the_queue_it_waits_in_with_the_queues_deadline() {
    given::<Chat>(waiting())
        .when(ChatCommand::Assign { agent: ana(), queue: queue(), reply_by: None, at: at() })
        .then(vec![ana_takes_it()]);
    let due_at = at() + chrono::Duration::minutes(5);
    given::<Chat>(waiting())
        .when(ChatCommand::Assign { agent: ana(), queue: queue(), reply_by: Some(due_at), at: at() })
        .then(vec![
            ana_takes_it(),
            ChatEvent::ReplyDeadlineSet { chat_id: chat(), conversation_id: conversation(1), agent: ana(), due_at },
        ]);
    let elsewhere = QueueId::from_uuid(Uuid::from_u128(99));
    given::<Chat>(waiting())
        .when(ChatCommand::Assign { agent: ana(), queue: elsewhere, reply_by: None, at: at() })
        .then_rejects(ChatRejection::NotWaiting);
}

#[test]
fn a_supervisor_resolves_any_open_chat_an_agent_only_their_own() {
    let history = waiting();
    let boss = UserId::from_uuid(Uuid::from_u128(7));
    given::<Chat>(history.clone())
        .when(ChatCommand::Resolve { company_id: company(), by: Resolver::Supervisor(boss), at: at() })
        .then(vec![ChatEvent::Resolved {
            chat_id: chat(),
            conversation_id: conversation(1),
            by: Resolver::Supervisor(boss),
            at: at(),
        }]);
    given::<Chat>(history)
        .when(ChatCommand::Resolve { company_id: company(), by: Resolver::Agent(ana()), at: at() })
        .then_rejects(ChatRejection::NotYours);
}

#[test]
fn a_later_message_under_another_name_or_the_phone_books_is_seen_once() {
    let named = |message_id: &str, name: &str, source: NameSource| match receive(message_id, "otra", 2) {
        ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
            inbound.contact_name = name.into();
            inbound.name_source = source;
            ChatCommand::Receive { chat_id, inbound, conversation_id, at }
        }
        other => other,
    };
    let seen = |history: &[ChatEvent], command: &ChatCommand| {
        Chat::decide(&Chat::fold(history), command)
            .unwrap()
            .into_iter()
            .filter_map(|e| match e {
                ChatEvent::ContactNameSeen { name, source, .. } => Some((name, source)),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    let mut history = waiting();
    assert!(seen(&history, &named("m2", " Rosa Díaz", NameSource::Profile)).is_empty(), "the same name");
    assert!(seen(&history, &named("m2", "", NameSource::Profile)).is_empty(), "no name shown");
    assert_eq!(
        seen(&history, &named("m2", "Rosa María Díaz", NameSource::Profile)),
        vec![("Rosa María Díaz".to_string(), NameSource::Profile)]
    );
    let phone_book = named("m2", "Rosa Díaz", NameSource::PhoneBook);
    assert_eq!(seen(&history, &phone_book), vec![("Rosa Díaz".to_string(), NameSource::PhoneBook)]);
    let more = Chat::decide(&Chat::fold(&history), &phone_book).unwrap();
    history.extend(more);
    assert!(seen(&history, &named("m3", "Rosa Díaz", NameSource::PhoneBook)).is_empty(), "seen once");
    assert!(
        seen(&history, &named("m3", "Rosa M.", NameSource::Profile)).is_empty(),
        "a profile name does not replace the phone book's"
    );
}
