//! Authors changing what they wrote (G18): edited words, messages taken back, and who may.

use super::*;

fn replied(id: u128, text: &str) -> ChatEvent {
    ChatEvent::AgentReplied {
        chat_id: chat(),
        message_id: Uuid::from_u128(id),
        agent: ana(),
        text: text.into(),
        quoted: None,
        location: None,
        media: None,
        template: None,
        at: at(),
    }
}

fn edit(by: Resolver, id: u128, text: &str, allowed: bool) -> ChatCommand {
    ChatCommand::EditMessage {
        company_id: company(),
        by,
        message_id: Uuid::from_u128(id),
        text: text.into(),
        allowed,
        at: at(),
    }
}

fn delete(by: Resolver, id: u128, allowed: bool) -> ChatCommand {
    ChatCommand::DeleteMessage { company_id: company(), by, message_id: Uuid::from_u128(id), allowed, at: at() }
}

fn with_a_reply() -> Vec<ChatEvent> {
    let mut history = assigned();
    history.push(replied(9, "Your order leaves on Tuesday"));
    history
}

#[test]
fn the_author_edits_their_reply_and_the_same_words_change_nothing() {
    let ana = Resolver::Agent(ana());
    given::<Chat>(with_a_reply()).when(edit(ana, 9, " Your order leaves on Monday ", true)).then(vec![
        ChatEvent::MessageEdited {
            chat_id: chat(),
            message_id: Uuid::from_u128(9),
            by: ana,
            text: "Your order leaves on Monday".into(),
            at: at(),
        },
    ]);
    given::<Chat>(with_a_reply()).when(edit(ana, 9, "Your order leaves on Tuesday", true)).then(vec![]);
    given::<Chat>(with_a_reply()).when(edit(ana, 9, "  ", true)).then_rejects(ChatRejection::InvalidMessage);
}

#[test]
fn an_edit_is_remembered_so_the_next_one_compares_with_it() {
    let mut history = with_a_reply();
    let ana = Resolver::Agent(ana());
    history.extend(
        Chat::decide(&history.iter().fold(ChatState::default(), Chat::evolve), &edit(ana, 9, "Monday", true)).unwrap(),
    );
    given::<Chat>(history).when(edit(ana, 9, "Monday", true)).then(vec![]);
}

#[test]
fn the_author_deletes_their_reply_once_and_then_can_neither_edit_nor_delete_it() {
    let ana = Resolver::Agent(ana());
    let deleted = ChatEvent::MessageDeleted { chat_id: chat(), message_id: Uuid::from_u128(9), by: ana, at: at() };
    given::<Chat>(with_a_reply()).when(delete(ana, 9, true)).then(vec![deleted.clone()]);
    let mut history = with_a_reply();
    history.push(deleted);
    given::<Chat>(history.clone()).when(delete(ana, 9, true)).then_rejects(ChatRejection::MessageDeleted);
    given::<Chat>(history).when(edit(ana, 9, "again", true)).then_rejects(ChatRejection::MessageDeleted);
}

#[test]
fn nobody_but_the_author_changes_a_message_not_even_a_supervisor() {
    let boss = Resolver::Supervisor(UserId::from_uuid(Uuid::from_u128(77)));
    let bea = Resolver::Agent(UserId::from_uuid(Uuid::from_u128(78)));
    for by in [boss, bea, Resolver::Bot] {
        given::<Chat>(with_a_reply()).when(edit(by, 9, "x", true)).then_rejects(ChatRejection::NotYourMessage);
        given::<Chat>(with_a_reply()).when(delete(by, 9, true)).then_rejects(ChatRejection::NotYourMessage);
    }
    let ana = Resolver::Agent(ana());
    given::<Chat>(with_a_reply()).when(edit(ana, 10, "x", true)).then_rejects(ChatRejection::NoSuchMessage);
    let elsewhere = ChatCommand::DeleteMessage {
        company_id: CompanyId::from_uuid(Uuid::from_u128(99)),
        by: ana,
        message_id: Uuid::from_u128(9),
        allowed: true,
        at: at(),
    };
    given::<Chat>(with_a_reply()).when(elsewhere).then_rejects(ChatRejection::NotFound);
}

#[test]
fn an_agent_whose_chat_moved_on_no_longer_changes_what_they_wrote_there() {
    let mut history = with_a_reply();
    history.push(ChatEvent::Resolved {
        chat_id: chat(),
        conversation_id: conversation(1),
        by: Resolver::Agent(ana()),
        at: at(),
    });
    given::<Chat>(history).when(edit(Resolver::Agent(ana()), 9, "x", true)).then_rejects(ChatRejection::NotYourMessage);
}

#[test]
fn a_line_that_forbids_it_stops_agents_but_not_a_supervisors_own_note() {
    let ana = Resolver::Agent(ana());
    given::<Chat>(with_a_reply()).when(edit(ana, 9, "x", false)).then_rejects(ChatRejection::EditingNotAllowed);
    given::<Chat>(with_a_reply()).when(delete(ana, 9, false)).then_rejects(ChatRejection::EditingNotAllowed);
    let boss = Resolver::Supervisor(UserId::from_uuid(Uuid::from_u128(77)));
    let mut history = with_a_reply();
    history.push(ChatEvent::NoteWritten {
        chat_id: chat(),
        note_id: Uuid::from_u128(50),
        by: boss,
        text: "Call back Friday".into(),
        at: at(),
    });
    given::<Chat>(history).when(edit(boss, 50, "Call back Monday", false)).then(vec![ChatEvent::MessageEdited {
        chat_id: chat(),
        message_id: Uuid::from_u128(50),
        by: boss,
        text: "Call back Monday".into(),
        at: at(),
    }]);
}

#[test]
fn a_template_or_a_place_keeps_its_words_but_may_be_taken_back() {
    let ana = Resolver::Agent(ana());
    let mut history = assigned();
    history.push(ChatEvent::AgentReplied {
        chat_id: chat(),
        message_id: Uuid::from_u128(11),
        agent: super::ana(),
        text: String::new(),
        quoted: None,
        location: Some(crate::message::Location { latitude: 1.0, longitude: 2.0, name: None, address: None }),
        media: None,
        template: None,
        at: at(),
    });
    given::<Chat>(history.clone()).when(edit(ana, 11, "here", true)).then_rejects(ChatRejection::NotEditable);
    given::<Chat>(history).when(delete(ana, 11, true)).then(vec![ChatEvent::MessageDeleted {
        chat_id: chat(),
        message_id: Uuid::from_u128(11),
        by: ana,
        at: at(),
    }]);
}
