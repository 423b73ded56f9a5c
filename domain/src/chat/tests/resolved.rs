//! Given a chat whose conversation was resolved.

use super::*;

#[test]
fn after_resolution_the_next_message_opens_a_new_conversation_in_the_same_chat() {
    given::<Chat>(resolved()).when(receive("m2", "otra vez", 2)).then(vec![
        ChatEvent::ConversationOpened { chat_id: chat(), conversation_id: conversation(2), at: at() },
        ChatEvent::CustomerMessageReceived {
            chat_id: chat(),
            message_id: "m2".into(),
            text: "otra vez".into(),
            media: None,
            sticker: false,
            content: Default::default(),
            at: at(),
        },
        ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(2), queue: queue(), at: at() },
    ]);
}

#[test]
fn nobody_replies_resolves_transfers_or_takes_over_a_resolved_conversation() {
    let reply = ChatCommand::Reply {
        company_id: company(),
        agent: ana(),
        message_id: Uuid::from_u128(9),
        text: "¿algo más?".into(),
        quoted: None,
        location: None,
        media: None,
        template: None,
        window: None,
        at: at(),
    };
    given::<Chat>(resolved()).when(reply).then_rejects(ChatRejection::NotOpen);
    let boss = UserId::from_uuid(Uuid::from_u128(7));
    given::<Chat>(resolved())
        .when(ChatCommand::Resolve { company_id: company(), by: Resolver::Supervisor(boss), at: at() })
        .then_rejects(ChatRejection::NotOpen);
    let transfer = ChatCommand::Transfer {
        company_id: company(),
        by: Resolver::Supervisor(boss),
        to: TransferTarget::Queue(queue()),
        note: None,
        at: at(),
    };
    given::<Chat>(resolved()).when(transfer).then_rejects(ChatRejection::NotOpen);
    let take_over = ChatCommand::TakeOver { company_id: company(), supervisor: boss, at: at() };
    given::<Chat>(resolved()).when(take_over).then_rejects(ChatRejection::NotOpen);
}
