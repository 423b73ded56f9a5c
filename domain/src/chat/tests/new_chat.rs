//! Given no chat yet: a customer's first message.

use super::*;

#[test]
fn a_first_message_starts_the_chat_opens_a_conversation_and_queues_it() {
    given::<Chat>(vec![]).when(receive("m1", "hola", 1)).then(vec![
        ChatEvent::Started {
            chat_id: chat(),
            company_id: company(),
            line_id: line(),
            channel: Channel::Whatsapp,
            contact_id: "+5491100000000".into(),
            contact_name: "Rosa Díaz".into(),
            name_source: NameSource::Profile,
        },
        ChatEvent::ConversationOpened { chat_id: chat(), conversation_id: conversation(1), at: at() },
        ChatEvent::CustomerMessageReceived {
            chat_id: chat(),
            message_id: "m1".into(),
            text: "hola".into(),
            media: None,
            sticker: false,
            content: Default::default(),
            at: at(),
        },
        ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(1), queue: queue(), at: at() },
    ]);
}

#[test]
fn empty_or_oversized_messages_and_contacts_are_refused() {
    given::<Chat>(vec![]).when(receive("m1", "   ", 1)).then_rejects(ChatRejection::InvalidMessage);
    given::<Chat>(vec![])
        .when(receive("m1", &"x".repeat(TEXT_MAX_CHARS + 1), 1))
        .then_rejects(ChatRejection::InvalidMessage);
    let mut command = receive("m1", "hola", 1);
    if let ChatCommand::Receive { inbound, .. } = &mut command {
        inbound.contact_id = " ".into();
    }
    given::<Chat>(vec![]).when(command).then_rejects(ChatRejection::InvalidContact);
    let mut command = receive("m1", "", 1);
    if let ChatCommand::Receive { inbound, .. } = &mut command {
        inbound.media = Some("  ".into());
    }
    given::<Chat>(vec![]).when(command).then_rejects(ChatRejection::InvalidMedia);
    for hostile in
        ["javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>", "//evil.example/a.png"]
    {
        let mut command = receive("m1", "", 1);
        if let ChatCommand::Receive { inbound, .. } = &mut command {
            inbound.media = Some(hostile.into());
        }
        given::<Chat>(vec![]).when(command).then_rejects(ChatRejection::InvalidMedia);
    }
}

#[test]
fn the_same_contact_on_the_same_line_is_always_the_same_chat() {
    assert_eq!(chat_of(line(), "abc"), chat_of(line(), "abc"));
    assert_ne!(chat_of(line(), "abc"), chat_of(line(), "abd"));
    assert_ne!(chat_of(line(), "abc"), chat_of(LineId::from_uuid(Uuid::from_u128(99)), "abc"));
}

#[test]
fn on_a_line_with_a_menu_a_new_conversation_is_greeted_by_the_menu_instead_of_queued() {
    let events = Chat::decide(&ChatState::default(), &receive_with_menu("m1", "hola", 1)).unwrap();
    let kinds: Vec<String> = events.iter().map(|e| crate::event::encode(e).unwrap().0).collect();
    assert_eq!(kinds, vec!["ChatStarted", "ConversationOpened", "CustomerMessageReceived", "MenuShown"]);
    assert_eq!(
        events[3],
        ChatEvent::MenuShown {
            chat_id: chat(),
            message_id: bot_message_id(chat(), "m1", 1),
            place: MenuPlace::top(),
            text: "Welcome to Ikono!\n1. Sales\n2. Help".into(),
            choices: vec![
                Choice { answer: "1".into(), label: "Sales".into() },
                Choice { answer: "2".into(), label: "Help".into() }
            ],
            at: at(),
        }
    );
    let state = events.iter().fold(ChatState::default(), Chat::evolve);
    assert!(!state.is_waiting(), "with the bot, not waiting for an agent");
    assert_eq!(Chat::decide(&state, &receive_with_menu("m1", "hola", 1)), Ok(vec![]), "the same message twice");
}

#[test]
fn a_consent_given_elsewhere_spares_the_question_unless_the_menu_asks_every_time() {
    let consent = |remember: bool| crate::menu::ConsentQuestion {
        text: "May we contact you on WhatsApp?".into(),
        yes: "Yes".into(),
        no: "No".into(),
        farewell: None,
        remember,
    };
    let first_message = |menu: Menu, on_record: bool| {
        let command = match receive("m1", "hola", 0) {
            ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
                inbound.menu = Some(Box::new(menu));
                inbound.consent_on_record = on_record;
                ChatCommand::Receive { chat_id, inbound, conversation_id, at }
            }
            other => other,
        };
        Chat::decide(&ChatState::default(), &command).unwrap()
    };
    let remembering = Menu { consent: Some(consent(true)), ..errands_menu() };
    let spared = first_message(remembering.clone(), true);
    assert!(matches!(spared.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
    assert!(!spared.iter().any(|e| matches!(e, ChatEvent::ConsentAsked { .. })));
    let unknown = first_message(remembering, false);
    assert!(matches!(unknown.last(), Some(ChatEvent::ConsentAsked { .. })), "nothing on record: asked");
    let asking_always = first_message(Menu { consent: Some(consent(false)), ..errands_menu() }, true);
    assert!(matches!(asking_always.last(), Some(ChatEvent::ConsentAsked { .. })), "asked every time (M14)");
}

#[test]
fn outside_opening_hours_the_customer_hears_so_and_gets_the_reduced_menu() {
    let closed_menu = Menu::new(
        "We are closed now.",
        vec![crate::menu::MenuOption {
            label: "Hours".into(),
            action: crate::menu::MenuAction::Text { text: "Weekdays 9 to 18".into(), resolve: false },
        }],
    );
    let menu = Menu {
        opening_hours: Some(crate::hours::tests::office()),
        closed_message: Some("Thanks for writing! We answer on weekdays.".into()),
        closed_menu: Some(Box::new(closed_menu)),
        ..crate::menu::tests::three_levels()
    };
    assert_eq!(menu.check(), Ok(()));
    let write = |state: &ChatState, id: &str, text: &str, at: DateTime<Utc>| {
        let ChatCommand::Receive { chat_id, mut inbound, conversation_id, .. } = receive(id, text, 1) else {
            unreachable!("receive builds a Receive")
        };
        inbound.menu = Some(Box::new(menu.clone()));
        Chat::decide(state, &ChatCommand::Receive { chat_id, inbound, conversation_id, at }).unwrap()
    };
    // 2027-01-15 is a Friday; 08:00 UTC is 05:00 in Buenos Aires.
    let night = write(&ChatState::default(), "m1", "hola", at());
    let said = bot_lines(&night);
    assert_eq!(said, vec!["Thanks for writing! We answer on weekdays.", "We are closed now.\n1. Hours"]);
    let state = night.iter().fold(ChatState::default(), Chat::evolve);
    assert_eq!(state.menu_place, Some(MenuPlace::OutOfHours(vec![])));
    let answered = write(&state, "m2", "1", at());
    assert_eq!(bot_lines(&answered)[0], "Weekdays 9 to 18");

    let noon = at() + chrono::Duration::hours(7);
    let day = write(&ChatState::default(), "m1", "hola", noon);
    assert_eq!(bot_lines(&day), vec!["Welcome to Ikono!\n1. Sales\n2. Help"], "open: the whole menu");
}
