//! Internal chats: each person's conversations with what the other wrote that they have not read,
//! counted from the message they read even when more came before the read was applied.

use super::{at, company, folded, History};
use domain::ids::UserId;
use domain::internal_chat::{internal_chat_id, internal_chat_stream, InternalChatEvent};
use eventlog::testing::Backend;
use projections::internal_chats::{InternalChatRow, InternalChats};
use uuid::Uuid;

eventlog::on_both_backends!(each_sees_the_conversation_with_what_the_other_wrote_after_what_they_read);

fn person(n: u128) -> UserId {
    UserId::from_uuid(Uuid::from_u128(n))
}

async fn each_sees_the_conversation_with_what_the_other_wrote_after_what_they_read(backend: Backend) {
    let (ana, ben) = (person(10), person(11));
    let id = internal_chat_id(ana, ben);
    let stream = internal_chat_stream(id);
    let sent = |n: u128, from: UserId, to: UserId, text: &str| InternalChatEvent::MessageSent {
        internal_chat_id: id,
        company_id: company(),
        message_id: Uuid::from_u128(n),
        from,
        to,
        text: text.into(),
        at: at(i64::try_from(n).unwrap_or_default()),
    };
    let history = History::new()
        .then(&stream, &sent(1, ana, ben, "¿Me cubrís?"))
        .then(&stream, &sent(2, ana, ben, "A las 3"))
        .then(&stream, &sent(3, ana, ben, "¿Dale?"))
        // Ben read up to the second; the third came before the read was applied.
        .then(&stream, &InternalChatEvent::Read { internal_chat_id: id, by: ben, up_to: Uuid::from_u128(2), at: at(4) })
        .then(&stream, &sent(5, ben, ana, "Dale"));
    let board = folded(backend, InternalChats, history).await;
    let row = |colleague: UserId, unread| InternalChatRow {
        internal_chat_id: id.to_string(),
        colleague: colleague.to_string(),
        last_text: "Dale".into(),
        last_at: at(5).to_rfc3339(),
        last_from: ben.to_string(),
        unread,
    };
    let of = |who: UserId| {
        let store = board.store.clone();
        async move { InternalChats.conversations_of(&store, &company().to_string(), &who.to_string()).await.unwrap() }
    };
    assert_eq!(of(ben).await, vec![row(ana, 1)]);
    assert_eq!(of(ana).await, vec![row(ben, 1)]);
    assert_eq!(of(person(12)).await, vec![]);
    let texts: Vec<String> =
        InternalChats.messages(&board.store, &id.to_string()).await.unwrap().into_iter().map(|m| m.text).collect();
    assert_eq!(texts, ["¿Me cubrís?", "A las 3", "¿Dale?", "Dale"]);
}
