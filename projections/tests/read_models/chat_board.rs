//! The chat board: where each chat stands, and its messages in order.

use super::{at, company, folded, folded_in_batches, History};
use domain::chat::{chat_stream, ChatEvent, Resolver, TransferTarget};
use domain::contact::{Channel, NameSource};
use domain::errand::Answers;
use domain::ids::{ChatId, ConversationId, LineId, QueueId, UserId};
use domain::menu::{Choice, MenuPlace};
use domain::message::{Content, DeliveryStatus, Location, MessageKind};
use eventlog::testing::Backend;
use projections::chat_board::{state, ChatBoard, ChatRow, EarlierWords, MessageRow, Quoted};
use uuid::Uuid;

eventlog::on_both_backends!(
    a_chat_shows_where_it_stands_and_its_messages_in_order,
    the_bots_questions_carry_their_buttons_notes_stay_apart_and_a_resolved_chat_leaves_the_open_list,
    a_channels_message_shows_its_kind_its_quote_its_reaction_and_how_far_ours_got,
    an_edited_message_keeps_its_earlier_words_and_a_deleted_one_says_when,
    a_long_chat_is_read_from_its_latest_messages_with_quotes_of_earlier_ones_and_its_files,
);

async fn a_channels_message_shows_its_kind_its_quote_its_reaction_and_how_far_ours_got(backend: Backend) {
    let stream = chat_stream(chat());
    let place = Content {
        kind: MessageKind::Location,
        location: Some(Location { latitude: 1.5, longitude: -2.25, name: Some("Shop".into()), address: None }),
        quoted: Some("m1".into()),
        ..Content::default()
    };
    let received = |id: &str, text: &str, content: Content, seconds| ChatEvent::CustomerMessageReceived {
        chat_id: chat(),
        message_id: id.into(),
        text: text.into(),
        media: None,
        sticker: false,
        content,
        at: at(seconds),
    };
    let status = |id: &str, status: DeliveryStatus, reason: Option<&str>| ChatEvent::StatusReported {
        chat_id: chat(),
        provider_message_id: id.into(),
        status,
        reason: reason.map(str::to_string),
        at: at(9),
    };
    let history = rosa_writes()
        .then(&stream, &received("m2", "", place.clone(), 3))
        .then(
            &stream,
            &received("m3", "and this?", Content { quoted: Some("wamid.never-seen".into()), ..Content::default() }, 4),
        )
        // Reactions and statuses name messages by their ids on the channel, in any order.
        .then(
            &stream,
            &ChatEvent::CustomerReacted {
                chat_id: chat(),
                reaction_id: "r1".into(),
                to: "m1".into(),
                emoji: Some("👍".into()),
                at: at(5),
            },
        )
        .then(
            &stream,
            &ChatEvent::CustomerReacted {
                chat_id: chat(),
                reaction_id: "r2".into(),
                to: "m1".into(),
                emoji: Some("😮".into()),
                at: at(6),
            },
        )
        .then(
            &stream,
            &ChatEvent::CustomerReacted {
                chat_id: chat(),
                reaction_id: "r3".into(),
                to: "m2".into(),
                emoji: Some("❤".into()),
                at: at(6),
            },
        )
        .then(
            &stream,
            &ChatEvent::CustomerReacted {
                chat_id: chat(),
                reaction_id: "r4".into(),
                to: "m2".into(),
                emoji: None,
                at: at(7),
            },
        )
        .then(&stream, &status("m1", DeliveryStatus::Read, None))
        .then(&stream, &status("m1", DeliveryStatus::Delivered, None))
        .then(&stream, &status("m3", DeliveryStatus::Sent, None))
        .then(&stream, &status("m3", DeliveryStatus::Failed, Some("131047: Re-engagement message")));
    let board = folded(backend, ChatBoard, history).await;
    let messages = ChatBoard.messages_of_chat(&board.store, &chat().to_string()).await.unwrap();
    assert_eq!(messages.len(), 3);
    assert_eq!((messages[0].reaction.as_deref(), messages[0].status), (Some("😮"), Some(DeliveryStatus::Read)));
    assert_eq!(messages[1].kind, MessageKind::Location);
    assert_eq!(messages[1].location, place.location);
    assert_eq!(
        messages[1].quoted,
        Some(Quoted {
            provider_id: "m1".into(),
            message_id: Some(messages[0].message_id.clone()),
            text: Some("hola".into())
        })
    );
    assert_eq!(messages[1].reaction, None, "taken back");
    assert_eq!(
        messages[2].quoted,
        Some(Quoted { provider_id: "wamid.never-seen".into(), message_id: None, text: None })
    );
    assert_eq!(
        (messages[2].status, messages[2].status_reason.as_deref()),
        (Some(DeliveryStatus::Failed), Some("131047: Re-engagement message"))
    );
    let row = ChatBoard.chat(&board.store, &chat().to_string()).await.unwrap().unwrap();
    assert_eq!(row.last_text, "and this?");
}

fn chat() -> ChatId {
    ChatId::from_uuid(Uuid::from_u128(10))
}
fn line() -> LineId {
    LineId::from_uuid(Uuid::from_u128(11))
}
fn queue() -> QueueId {
    QueueId::from_uuid(Uuid::from_u128(12))
}
fn ana() -> UserId {
    UserId::from_uuid(Uuid::from_u128(13))
}
fn conversation() -> ConversationId {
    ConversationId::from_uuid(Uuid::from_u128(14))
}

/// Rosa writes "hola" on a WhatsApp line.
fn rosa_writes() -> History {
    let stream = chat_stream(chat());
    History::new()
        .then(
            &stream,
            &ChatEvent::Started {
                chat_id: chat(),
                company_id: company(),
                line_id: line(),
                channel: Channel::Whatsapp,
                contact_id: "+5491100000000".into(),
                contact_name: "Rosa Díaz".into(),
                name_source: NameSource::Profile,
            },
        )
        .then(&stream, &ChatEvent::ConversationOpened { chat_id: chat(), conversation_id: conversation(), at: at(1) })
        .then(
            &stream,
            &ChatEvent::CustomerMessageReceived {
                chat_id: chat(),
                message_id: "m1".into(),
                text: "hola".into(),
                media: None,
                sticker: false,
                content: Default::default(),
                at: at(2),
            },
        )
}

fn message(message_id: &str, direction: &str, author: &str, text: &str, seconds: i64) -> MessageRow {
    MessageRow {
        message_id: message_id.into(),
        direction: direction.into(),
        author: author.into(),
        text: text.into(),
        media: None,
        at: at(seconds).to_rfc3339(),
        delivery: (direction == "out").then(|| "pending".to_string()),
        delivery_reason: None,
        file_problem: None,
        choices: vec![],
        kind: MessageKind::Text,
        file: None,
        location: None,
        cards: vec![],
        quoted: None,
        choice: None,
        // A customer's message is known on its channel by the id the channel gave it.
        provider_id: (direction == "in").then(|| message_id.rsplit(':').next().unwrap_or_default().to_string()),
        reaction: None,
        our_reaction: None,
        status: None,
        status_reason: None,
        earlier: vec![],
        deleted_at: None,
    }
}

fn by_ana() -> domain::chat::Resolver {
    domain::chat::Resolver::Agent(ana())
}

async fn a_chat_shows_where_it_stands_and_its_messages_in_order(backend: Backend) {
    let stream = chat_stream(chat());
    let reply = Uuid::from_u128(20);
    let history = rosa_writes()
        .then(
            &stream,
            &ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(), queue: queue(), at: at(3) },
        )
        .then(
            &stream,
            &ChatEvent::Assigned {
                chat_id: chat(),
                conversation_id: conversation(),
                agent: ana(),
                queue: queue(),
                at: at(4),
            },
        )
        .then(
            &stream,
            &ChatEvent::AgentReplied {
                chat_id: chat(),
                message_id: reply,
                agent: ana(),
                text: "¡Hola Rosa!".into(),
                quoted: None,
                location: None,
                media: None,
                template: None,
                at: at(5),
            },
        )
        .then(
            &stream,
            &ChatEvent::Delivered { chat_id: chat(), message_id: reply, provider_message_id: None, at: at(6) },
        )
        .then(
            &stream,
            &ChatEvent::Renamed { chat_id: chat(), name: Some("Rosa (VIP)".into()), by: by_ana(), at: at(6) },
        )
        .then(&stream, &ChatEvent::Tagged { chat_id: chat(), tag: "Refund".into(), by: by_ana(), at: at(6) })
        .then(&stream, &ChatEvent::Tagged { chat_id: chat(), tag: "VIP".into(), by: by_ana(), at: at(6) })
        .then(&stream, &ChatEvent::Untagged { chat_id: chat(), tag: "Refund".into(), by: by_ana(), at: at(6) })
        .then(&stream, &ChatEvent::Tagged { chat_id: chat(), tag: "Urgent".into(), by: by_ana(), at: at(6) })
        .then(
            &stream,
            &ChatEvent::CustomerMessageReceived {
                chat_id: chat(),
                message_id: "m2".into(),
                text: String::new(),
                media: Some("https://cdn.example/photo.jpg".into()),
                sticker: false,
                content: Default::default(),
                at: at(7),
            },
        );
    // The same rows whether a transaction holds the whole history or one event: what a page
    // gathers (a chat's change, its tag edits) starts from what earlier pages wrote.
    for batch_size in [100, 1] {
        let board = folded_in_batches(backend, ChatBoard, history.clone(), batch_size).await;

        let row = ChatRow {
            chat_id: chat().to_string(),
            company_id: company().to_string(),
            line_id: line().to_string(),
            channel: "whatsapp".into(),
            contact_id: "+5491100000000".into(),
            contact_name: "Rosa Díaz".into(),
            // The customer spoke after the agent: the agent owes an answer again.
            state: state::PENDING.into(),
            conversation_id: Some(conversation().to_string()),
            queue_id: Some(queue().to_string()),
            agent_id: Some(ana().to_string()),
            last_text: "📎".into(),
            last_at: at(7).to_rfc3339(),
            name: Some("Rosa (VIP)".into()),
            tags: vec!["VIP".into(), "Urgent".into()],
            // Ana's reply answered what came before it; the photo after it is not answered yet.
            unanswered: 1,
        };
        assert_eq!(ChatBoard.chat(&board.store, &chat().to_string()).await.unwrap(), Some(row.clone()));
        assert_eq!(ChatBoard.open_chats_of(&board.store, &company().to_string()).await.unwrap(), vec![row.clone()]);
        let anas = ChatBoard.chats_of_agent(&board.store, &company().to_string(), &ana().to_string()).await.unwrap();
        assert_eq!(anas, vec![row]);

        let mut photo = message(&format!("{}:m2", chat()), "in", "customer", "", 7);
        photo.media = Some("https://cdn.example/photo.jpg".into());
        let mut delivered = message(&reply.to_string(), "out", &ana().to_string(), "¡Hola Rosa!", 5);
        delivered.delivery = Some("delivered".into());
        assert_eq!(
            ChatBoard.messages_of_chat(&board.store, &chat().to_string()).await.unwrap(),
            vec![message(&format!("{}:m1", chat()), "in", "customer", "hola", 2), delivered, photo]
        );
        // What happened besides the messages, in order, from any moment on.
        let kinds = |events: Vec<ChatEvent>| {
            events.iter().map(|e| domain::event::encode(e).expect("the event encodes").0).collect::<Vec<_>>()
        };
        let all = ChatBoard.happenings(&board.store, &chat().to_string(), None).await.unwrap();
        assert_eq!(
            kinds(all),
            ["ChatQueued", "ChatAssigned", "ChatRenamed", "ChatTagged", "ChatTagged", "ChatUntagged", "ChatTagged"]
        );
        let later = ChatBoard.happenings(&board.store, &chat().to_string(), Some(&at(4).to_rfc3339())).await.unwrap();
        assert_eq!(kinds(later)[0], "ChatAssigned");
    }
}

async fn the_bots_questions_carry_their_buttons_notes_stay_apart_and_a_resolved_chat_leaves_the_open_list(
    backend: Backend,
) {
    let stream = chat_stream(chat());
    let menu = Uuid::from_u128(21);
    let choices = vec![Choice { answer: "1".into(), label: "Sales".into() }];
    let asked = rosa_writes().then(
        &stream,
        &ChatEvent::MenuShown {
            chat_id: chat(),
            message_id: menu,
            place: MenuPlace::top(),
            text: "Hi!\n1. Sales".into(),
            choices: choices.clone(),
            at: at(3),
        },
    );
    let board = folded(backend, ChatBoard, asked).await;
    let row = ChatBoard.chat(&board.store, &chat().to_string()).await.unwrap().expect("the chat is listed");
    assert_eq!((row.state.as_str(), row.last_text.as_str()), (state::BOT, "Hi!\n1. Sales"));
    let messages = ChatBoard.messages_of_chat(&board.store, &chat().to_string()).await.unwrap();
    assert_eq!(messages[1], MessageRow { choices, ..message(&menu.to_string(), "out", "bot", "Hi!\n1. Sales", 3) });

    let answers = Answers::from([("name".to_string(), "Rosa".to_string())]);
    let handled = rosa_writes()
        .then(&stream, &ChatEvent::FormCompleted { chat_id: chat(), answers, at: at(3) })
        .then(
            &stream,
            &ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(), queue: queue(), at: at(4) },
        )
        .then(
            &stream,
            &ChatEvent::Transferred {
                chat_id: chat(),
                conversation_id: conversation(),
                from: None,
                to: TransferTarget::Agent(ana()),
                by: Resolver::System,
                note: Some("Their own agent".into()),
                at: at(5),
            },
        )
        .then(
            &stream,
            &ChatEvent::Resolved {
                chat_id: chat(),
                conversation_id: conversation(),
                by: Resolver::Supervisor(ana()),
                at: at(6),
            },
        );
    let board = folded(backend, ChatBoard, handled).await;
    let notes: Vec<(String, String, String)> = ChatBoard
        .messages_of_chat(&board.store, &chat().to_string())
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.direction == "note")
        .map(|m| (m.author, m.text, m.at))
        .collect();
    assert_eq!(
        notes,
        vec![
            ("bot".to_string(), "name: Rosa".to_string(), at(3).to_rfc3339()),
            ("system".to_string(), "Their own agent".to_string(), at(5).to_rfc3339())
        ]
    );
    let row = ChatBoard.chat(&board.store, &chat().to_string()).await.unwrap().expect("the chat stays listed");
    assert_eq!((row.state.as_str(), row.conversation_id, row.agent_id), (state::RESOLVED, None, None));
    assert!(ChatBoard.open_chats_of(&board.store, &company().to_string()).await.unwrap().is_empty());
}

async fn an_edited_message_keeps_its_earlier_words_and_a_deleted_one_says_when(backend: Backend) {
    let stream = chat_stream(chat());
    let (reply, note) = (Uuid::from_u128(20), Uuid::from_u128(21));
    let history = rosa_writes()
        .then(
            &stream,
            &ChatEvent::AgentReplied {
                chat_id: chat(),
                message_id: reply,
                agent: ana(),
                text: "It leaves on Tuesday".into(),
                quoted: None,
                location: None,
                media: None,
                template: None,
                at: at(3),
            },
        )
        .then(
            &stream,
            &ChatEvent::NoteWritten {
                chat_id: chat(),
                note_id: note,
                by: by_ana(),
                text: "Call her".into(),
                at: at(4),
            },
        )
        .then(
            &stream,
            &ChatEvent::MessageEdited {
                chat_id: chat(),
                message_id: reply,
                by: by_ana(),
                text: "It leaves on Monday".into(),
                at: at(5),
            },
        )
        .then(
            &stream,
            &ChatEvent::MessageEdited {
                chat_id: chat(),
                message_id: reply,
                by: by_ana(),
                text: "It left on Monday".into(),
                at: at(6),
            },
        )
        .then(&stream, &ChatEvent::MessageDeleted { chat_id: chat(), message_id: note, by: by_ana(), at: at(7) });
    let board = folded(backend, ChatBoard, history).await;
    let messages = ChatBoard.messages_of_chat(&board.store, &chat().to_string()).await.unwrap();
    let edited = MessageRow {
        earlier: vec![
            EarlierWords { text: "It leaves on Tuesday".into(), until: at(5).to_rfc3339() },
            EarlierWords { text: "It leaves on Monday".into(), until: at(6).to_rfc3339() },
        ],
        ..message(&reply.to_string(), "out", &ana().to_string(), "It left on Monday", 3)
    };
    let deleted = MessageRow {
        deleted_at: Some(at(7).to_rfc3339()),
        ..message(&note.to_string(), "note", &ana().to_string(), "Call her", 4)
    };
    assert_eq!(messages[1..], [edited, deleted]);
}

async fn a_long_chat_is_read_from_its_latest_messages_with_quotes_of_earlier_ones_and_its_files(backend: Backend) {
    let stream = chat_stream(chat());
    let received =
        |id: &str, text: &str, media: Option<&str>, quoted: Option<&str>, seconds| ChatEvent::CustomerMessageReceived {
            chat_id: chat(),
            message_id: id.into(),
            text: text.into(),
            media: media.map(str::to_string),
            sticker: false,
            content: Content { quoted: quoted.map(str::to_string), ..Content::default() },
            at: at(seconds),
        };
    let history = rosa_writes()
        .then(&stream, &received("m2", "", Some("https://cdn.example/photo.jpg"), None, 3))
        .then(&stream, &received("m3", "three", None, None, 4))
        .then(&stream, &received("m4", "four", None, None, 5))
        .then(&stream, &received("m5", "about the first", None, Some("m1"), 6));
    let board = folded(backend, ChatBoard, history).await;
    let id = chat().to_string();
    let texts = |messages: &[MessageRow]| messages.iter().map(|m| m.text.clone()).collect::<Vec<_>>();

    let (latest, earlier) = ChatBoard.latest_messages(&board.store, &id, 2).await.unwrap();
    assert_eq!((texts(&latest), earlier), (vec!["four".to_string(), "about the first".to_string()], true));
    let quoted = latest[1].quoted.clone().unwrap();
    assert_eq!(quoted.text.as_deref(), Some("hola"), "a quote of a message not shown still shows it");
    let (all, earlier) = ChatBoard.latest_messages(&board.store, &id, 50).await.unwrap();
    assert_eq!((all.len(), earlier), (5, false));
    assert_eq!(all, ChatBoard.messages_of_chat(&board.store, &id).await.unwrap());
    let (from_three, earlier) =
        ChatBoard.messages_from(&board.store, &id, &format!("{}:m3", chat())).await.unwrap().unwrap();
    assert_eq!((texts(&from_three), earlier), (vec!["three".into(), "four".into(), "about the first".into()], true));
    assert_eq!(ChatBoard.messages_from(&board.store, &id, "nowhere").await.unwrap(), None);
    let files = ChatBoard.messages_with_files(&board.store, &id).await.unwrap();
    assert_eq!(
        files.iter().map(|m| m.media.clone()).collect::<Vec<_>>(),
        [Some("https://cdn.example/photo.jpg".into())]
    );
}
