//! Given a conversation the menu bot has: the customer walks its menu, answers its forms and
//! questions, waits for its web queries, or stops answering.

use super::*;

#[test]
fn a_customer_walks_down_the_menu_goes_back_is_told_off_and_lands_in_a_queue() {
    let history = talk(vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "2"), ("m4", "0"), ("m5", "banana"), ("m6", "0")]);
    assert_eq!(
        bot_lines(&history),
        vec![
            "Welcome to Ikono!\n1. Sales\n2. Help",
            "How can we help?\n1. Opening hours\n2. Orders\n0. Back",
            "Orders\n1. Track\n0. Back",
            "How can we help?\n1. Opening hours\n2. Orders\n0. Back",
            "Please answer with the number of an option.\n\nHow can we help?\n1. Opening hours\n2. Orders\n0. Back",
            "Welcome to Ikono!\n1. Sales\n2. Help",
        ]
    );
    assert!(history.contains(&ChatEvent::MenuAnswerRejected {
        chat_id: chat(),
        place: MenuPlace::Level(vec![2]),
        answer: "banana".into(),
        at: at(),
    }));
    let history = talk(history, &[("m7", "Sales")]);
    let tail: Vec<&ChatEvent> = history.iter().rev().take(4).collect();
    assert_eq!(
        tail[0],
        &ChatEvent::Queued {
            chat_id: chat(),
            conversation_id: conversation(0),
            queue: QueueId::from_uuid(Uuid::from_u128(1)),
            at: at()
        }
    );
    assert!(matches!(tail[1], ChatEvent::AssignmentGreetingSet { text, .. } if text == "You are talking with Sales"));
    assert!(matches!(tail[2], ChatEvent::BotSaid { text, .. } if text == "Connecting you with Sales"));
    assert!(matches!(tail[3], ChatEvent::MenuOptionChosen { option: 1, label, .. } if label == "Sales"));
    let state = history.iter().fold(ChatState::default(), Chat::evolve);
    assert!(state.is_waiting() && state.menu_place.is_none(), "now waiting for an agent, the bot is done");
    let after = talk(history.clone(), &[("m8", "1")]);
    assert_eq!(after.len(), history.len() + 1, "later messages are for the agent, not the bot");

    let sales = QueueId::from_uuid(Uuid::from_u128(1));
    let assign = ChatCommand::Assign { agent: ana(), queue: sales, reply_by: None, at: at() };
    let assigned = Chat::decide(&state, &assign).unwrap();
    assert!(
        matches!(&assigned[..], [ChatEvent::Assigned { .. }, ChatEvent::BotSaid { text, .. }]
        if text == "You are talking with Sales"),
        "the option's words when an agent takes it (M5)"
    );
    let state = assigned.iter().fold(state, Chat::evolve);
    assert_eq!(state.assignment_greeting, None, "said once");
}

#[test]
fn a_text_option_offers_the_menu_an_agent_or_the_end_which_resolves_with_a_farewell() {
    let history = talk(vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "1")]);
    assert_eq!(
        bot_lines(&history)[2..],
        ["Mon–Fri 9 to 18", "Anything else?\n1. Show the menu again\n2. Talk to an agent\n3. That's all, thanks"]
    );
    let ended = talk(history, &[("m4", "3")]);
    assert!(matches!(ended[ended.len() - 2], ChatEvent::BotSaid { ref text, .. } if text == "Bye!"));
    assert!(matches!(ended[ended.len() - 1], ChatEvent::Resolved { by: Resolver::Bot, .. }));
    let again = talk(ended.clone(), &[("m5", "hola otra vez")]);
    assert!(matches!(again[ended.len()], ChatEvent::ConversationOpened { .. }), "a new conversation");
    assert!(matches!(again.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
}

#[test]
fn a_form_asks_each_question_checks_every_answer_keeps_them_and_emails_them() {
    let menu = errands_menu();
    let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "1"), ("m3", " Ana  ")]);
    let history = talk_to(&menu, history, &[("m4", "ana@"), ("m5", "Ana@Shop.example"), ("m6", "2")]);
    assert_eq!(
        said_by_bot(&history)[1..],
        [
            "Your name?",
            "Your e-mail?",
            "That is not an e-mail.\n\nYour e-mail?",
            "Which size?\n1. Small\n2. Large",
            "Thanks!",
            "Anything else?\n1. Show the menu again\n2. Talk to an agent\n3. That's all, thanks",
        ]
    );
    assert!(history.contains(&ChatEvent::InputRejected {
        chat_id: chat(),
        question: "email".into(),
        answer: "ana@".into(),
        attempt: 1,
        at: at(),
    }));
    let answers = Answers::from([
        ("name".to_string(), "Ana".to_string()),
        ("email".to_string(), "ana@shop.example".to_string()),
        ("size".to_string(), "Large".to_string()),
    ]);
    assert!(history.contains(&ChatEvent::FormCompleted { chat_id: chat(), answers, at: at() }));
    let email = history.iter().find_map(|e| match e {
        ChatEvent::AnswersEmailRequested { email_id, to, subject, body, .. } => {
            Some((*email_id, to.clone(), subject.clone(), body.clone()))
        }
        _ => None,
    });
    let (email_id, to, subject, body) = email.expect("the answers are e-mailed");
    assert_eq!((to.as_str(), subject.as_str()), ("sales@shop.example", "New lead"));
    assert_eq!(body, "Your name?: Ana\nYour e-mail?: ana@shop.example\nWhich size?: Large");
    let state = history.iter().fold(ChatState::default(), Chat::evolve);
    let sent = ChatCommand::RecordEmail { email_id, failure: None, at: at() };
    let recorded = Chat::decide(&state, &sent).unwrap();
    assert_eq!(recorded, vec![ChatEvent::AnswersEmailed { chat_id: chat(), email_id, at: at() }]);
    let state = recorded.iter().fold(state, Chat::evolve);
    assert_eq!(Chat::decide(&state, &sent), Ok(vec![]), "recorded once");
}

#[test]
fn a_form_that_gives_up_tells_the_customer_what_happens_next() {
    let giving_up = |then: serde_json::Value| {
        let mut json = serde_json::to_value(errands_menu()).unwrap();
        json["options"][1]["action"]["on_give_up"] = then;
        let menu: Menu = serde_json::from_value(json).unwrap();
        talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "lots"), ("m4", "0")])
    };
    let to_menu = giving_up(serde_json::json!({ "then": "menu" }));
    let said = said_by_bot(&to_menu);
    assert!(
        said.last().is_some_and(|t| t.starts_with("Let's leave that question; here is the menu again.\n\nHi\n1.")),
        "{said:?}"
    );
    assert!(matches!(to_menu.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));

    let to_end = giving_up(serde_json::json!({ "then": "end" }));
    let said = said_by_bot(&to_end);
    assert!(
        said.iter().any(|t| t == "Let's leave that question for now; write to us again whenever you like."),
        "{said:?}"
    );
    assert_eq!(kinds(&to_end[to_end.len() - 1..]), ["ChatResolved"], "then the conversation ends");
}

#[test]
fn too_many_wrong_answers_run_the_forms_give_up_action_and_answers_meeting_a_route_go_to_its_queue() {
    let menu = errands_menu();
    let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "lots"), ("m4", "0")]);
    let tail = kinds(&history[history.len() - 5..]);
    assert_eq!(tail, ["CustomerMessageReceived", "InputRejected", "InputAbandoned", "BotSaid", "ChatQueued"]);
    assert_eq!(
        said_by_bot(&history).last().map(String::as_str),
        Some("Let's leave that question; an agent will help you with it."),
        "the customer is told what happens next"
    );
    assert!(
        matches!(history.last(), Some(ChatEvent::Queued { queue, .. }) if *queue == QueueId::from_uuid(Uuid::from_u128(8)))
    );

    let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "1500")]);
    assert!(
        matches!(history.last(), Some(ChatEvent::Queued { queue, .. }) if *queue == QueueId::from_uuid(Uuid::from_u128(9)))
    );
    assert_eq!(said_by_bot(&history).last().map(String::as_str), Some("A senior seller will help you"));
}

#[test]
fn a_web_query_is_made_with_the_answers_and_its_answer_or_its_error_is_told() {
    let menu = errands_menu();
    let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "250")]);
    let Some(ChatEvent::WebQueryRequested { query_id, request, .. }) = history.last().cloned() else {
        panic!("a query follows the answers: {:?}", kinds(&history));
    };
    assert_eq!(request.url, "https://prices.example/quote?amount=250");
    assert_eq!(request.method, "GET");
    let history = talk_to(&menu, history, &[("m4", "hello?")]);
    assert_eq!(kinds(&history[history.len() - 1..]), ["CustomerMessageReceived"], "the bot waits for the service");
    let state = history.iter().fold(ChatState::default(), Chat::evolve);
    let answered = ChatCommand::RecordWebAnswer {
        query_id,
        outcome: WebOutcome::Answered { status: 200, body: r#"{"price": "$ 99"}"#.into() },
        at: at(),
    };
    let events = Chat::decide(&state, &answered).unwrap();
    assert_eq!(kinds(&events), ["WebQueryAnswered", "BotSaid", "MenuShown"]);
    assert_eq!(said_by_bot(&events)[0], "Your price: $ 99");
    let state = events.iter().fold(state, Chat::evolve);
    assert_eq!(state.menu_place, Some(MenuPlace::AfterText));
    assert_eq!(Chat::decide(&state, &answered), Ok(vec![]), "a late second answer says nothing");

    let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "3")]);
    let Some(ChatEvent::WebQueryRequested { query_id, request, .. }) = history.last().cloned() else {
        panic!("the query option asks at once");
    };
    assert_eq!((request.method.as_str(), request.body.as_deref()), ("POST", Some("{}")));
    let state = history.iter().fold(ChatState::default(), Chat::evolve);
    let failed = ChatCommand::RecordWebAnswer {
        query_id,
        outcome: WebOutcome::Failed { reason: "timed out after 5000 ms".into() },
        at: at(),
    };
    let events = Chat::decide(&state, &failed).unwrap();
    assert_eq!(kinds(&events), ["WebQueryFailed", "BotSaid", "MenuShown"]);
    assert_eq!(said_by_bot(&events)[0], "We cannot check now");
}

#[test]
fn a_text_or_a_query_that_resolves_ends_the_conversation_right_after_its_answer() {
    let menu: Menu = serde_json::from_value(serde_json::json!({
        "header": "Hi",
        "farewell": "Bye!",
        "options": [
            { "label": "Address", "action": { "kind": "text", "text": "Calle 1, Rosario", "resolve": true } },
            { "label": "Order status", "action": { "kind": "query", "url": "https://shop.example/status",
                "answer": "Your order is {{status}}", "error": "We cannot check now", "resolve": true } }
        ]
    }))
    .unwrap();
    let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "1")]);
    let tail = kinds(&history[history.len() - 3..]);
    assert_eq!(tail, ["MenuOptionChosen", "BotSaid", "ChatResolved"], "no choice after the text, no farewell");
    assert_eq!(said_by_bot(&history).last().map(String::as_str), Some("Calle 1, Rosario"));
    assert!(matches!(history.last(), Some(ChatEvent::Resolved { by: Resolver::Bot, .. })));

    let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2")]);
    let Some(ChatEvent::WebQueryRequested { query_id, .. }) = history.last().cloned() else {
        panic!("the query option asks at once: {:?}", kinds(&history));
    };
    let state = history.iter().fold(ChatState::default(), Chat::evolve);
    let answered = ChatCommand::RecordWebAnswer {
        query_id,
        outcome: WebOutcome::Answered { status: 200, body: r#"{"status": "on its way"}"#.into() },
        at: at(),
    };
    let events = Chat::decide(&state, &answered).unwrap();
    assert_eq!(kinds(&events), ["WebQueryAnswered", "BotSaid", "ChatResolved"]);
    assert_eq!(said_by_bot(&events)[0], "Your order is on its way");
    let state = events.iter().fold(state, Chat::evolve);
    assert_eq!(state.conversation, None, "the conversation is over");
}

#[test]
fn a_files_option_sends_each_file_then_offers_what_a_text_does() {
    let history = talk_to(&errands_menu(), vec![], &[("m1", "hola"), ("m2", "4")]);
    let files: Vec<(String, String)> = history
        .iter()
        .filter_map(|e| match e {
            ChatEvent::BotSentFile { text, media, .. } => Some((text.clone(), media.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        files,
        [("Our catalogue".into(), "https://shop.example/c.pdf".into()), (String::new(), "/media/abc.png".into())]
    );
    assert!(matches!(history.last(), Some(ChatEvent::MenuShown { place: MenuPlace::AfterText, .. })));
}

#[test]
fn a_sticker_to_the_bot_gets_the_menus_reply_and_answers_no_question() {
    let menu = Menu { sticker_reply: Some("Nice sticker! Please choose an option.".into()), ..errands_menu() };
    let sticker = |history: &[ChatEvent], id: &str| {
        let state = history.iter().fold(ChatState::default(), Chat::evolve);
        let command = match receive(id, "", 0) {
            ChatCommand::Receive { chat_id, mut inbound, conversation_id, at } => {
                inbound.menu = Some(Box::new(menu.clone()));
                inbound.media = Some("https://cdn.example/sticker.webp".into());
                inbound.sticker = true;
                ChatCommand::Receive { chat_id, inbound, conversation_id, at }
            }
            other => other,
        };
        Chat::decide(&state, &command).unwrap()
    };
    let opened = sticker(&[], "s1");
    assert_eq!(
        said_by_bot(&opened),
        [
            "Nice sticker! Please choose an option.",
            "Hi\n1. Leave your details\n2. Quote\n3. Order status\n4. Catalogue"
        ]
    );
    assert!(opened.iter().any(|e| matches!(e, ChatEvent::CustomerMessageReceived { sticker: true, .. })));
    let mut history = opened;
    history.extend(sticker(&history, "s2"));
    assert_eq!(said_by_bot(&history).last().map(String::as_str), Some("Nice sticker! Please choose an option."));
    assert!(!history.iter().any(|e| matches!(e, ChatEvent::MenuAnswerRejected { .. })), "not a wrong answer");
    let state = history.iter().fold(ChatState::default(), Chat::evolve);
    assert_eq!(state.menu_place, Some(MenuPlace::top()), "still at the menu");
}

#[test]
fn consent_is_asked_before_the_menu_remembered_when_so_configured_and_a_refusal_ends_it() {
    let consent = |remember: bool| crate::menu::ConsentQuestion {
        text: "May we contact you on WhatsApp?".into(),
        yes: "Yes".into(),
        no: "No".into(),
        farewell: Some("Understood, bye!".into()),
        remember,
    };
    let menu = Menu { consent: Some(consent(true)), ..errands_menu() };
    let history = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "maybe"), ("m3", "1")]);
    assert_eq!(
        said_by_bot(&history),
        [
            "May we contact you on WhatsApp?\n1. Yes\n2. No",
            "Please answer with the number of an option.\n\nMay we contact you on WhatsApp?\n1. Yes\n2. No",
            "Hi\n1. Leave your details\n2. Quote\n3. Order status\n4. Catalogue",
        ]
    );
    assert!(history.contains(&ChatEvent::ConsentGiven {
        chat_id: chat(),
        source: "menu".into(),
        remembered: true,
        at: at()
    }));
    assert!(matches!(history.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
    assert!(matches!(
        history.iter().find(|e| matches!(e, ChatEvent::ConsentAsked { .. })),
        Some(ChatEvent::ConsentAsked { choices, .. }) if choices.len() == 2
    ));

    let state = history.iter().fold(ChatState::default(), Chat::evolve);
    let resolve = ChatCommand::Resolve { company_id: company(), by: Resolver::Bot, at: at() };
    let history: Vec<ChatEvent> = history.into_iter().chain(Chat::decide(&state, &resolve).unwrap()).collect();
    let next = talk_to(&menu, history.clone(), &[("m4", "hola otra vez")]);
    assert!(
        matches!(next.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()),
        "remembered: straight to the menu"
    );
    let asking_always = Menu { consent: Some(consent(false)), ..errands_menu() };
    let given_once = talk_to(&asking_always, vec![], &[("m1", "hola"), ("m2", "yes")]);
    let state = given_once.iter().fold(ChatState::default(), Chat::evolve);
    let given_once: Vec<ChatEvent> = given_once.into_iter().chain(Chat::decide(&state, &resolve).unwrap()).collect();
    let again = talk_to(&asking_always, given_once, &[("m3", "hola")]);
    assert!(matches!(again.last(), Some(ChatEvent::ConsentAsked { .. })), "asked every time (M14)");

    let refused = talk_to(&menu, vec![], &[("m1", "hola"), ("m2", "2")]);
    let tail = kinds(&refused[refused.len() - 4..]);
    assert_eq!(tail, ["MenuOptionChosen", "ConsentRefused", "BotSaid", "ChatResolved"]);
    assert_eq!(said_by_bot(&refused).last().map(String::as_str), Some("Understood, bye!"));
    assert!(!refused.iter().any(|e| matches!(e, ChatEvent::MenuShown { .. })), "no menu without consent (M13)");
}

#[test]
fn a_customer_who_does_not_answer_the_bot_is_reminded_once_then_the_conversation_is_resolved() {
    let menu = Box::new(crate::menu::tests::three_levels());
    let history = talk(vec![], &[("m1", "hola")]);
    let state = |history: &[ChatEvent]| history.iter().fold(ChatState::default(), Chat::evolve);
    let ring =
        |minutes: i64| ChatCommand::RingMenuTimer { menu: menu.clone(), at: at() + chrono::Duration::minutes(minutes) };
    assert_eq!(Chat::decide(&state(&history), &ring(4)), Ok(vec![]), "not yet");
    let reminded = Chat::decide(&state(&history), &ring(5)).unwrap();
    assert!(matches!(&reminded[..], [ChatEvent::MenuReminderSent { text, .. }] if text == "Still there?"));
    let mut history = history;
    history.extend(reminded);
    assert_eq!(Chat::decide(&state(&history), &ring(14)), Ok(vec![]), "ten minutes after the reminder");
    let ended = Chat::decide(&state(&history), &ring(15)).unwrap();
    assert!(matches!(ended[0], ChatEvent::MenuTimedOut { .. }));
    assert!(matches!(&ended[1], ChatEvent::BotSaid { text, .. } if text == "Bye!"));
    assert!(matches!(ended[2], ChatEvent::Resolved { by: Resolver::Bot, .. }));

    let answered = talk(history.clone(), &[("m2", "2")]);
    let timer = state(&answered).menu_timer(&menu);
    assert_eq!(timer, Some((at() + chrono::Duration::minutes(5), MenuTimer::Remind)), "an answer starts over");
    let queued = talk(history, &[("m2", "1")]);
    assert_eq!(state(&queued).menu_timer(&menu), None, "no timers once the bot is done");
}

#[test]
fn menus_with_forms_queries_or_files_that_cannot_work_are_refused_with_where() {
    assert_eq!(errands_menu().check(), Ok(()));
    let refused = |edit: fn(&mut serde_json::Value)| {
        let mut json = serde_json::to_value(errands_menu()).unwrap();
        edit(&mut json);
        serde_json::from_value::<Menu>(json).unwrap().check().unwrap_err().to_string()
    };
    let bad_pattern = refused(|m| {
        m["options"][0]["action"]["questions"][0]["check"] = serde_json::json!({ "kind": "regex", "pattern": "(" })
    });
    assert!(
        bad_pattern.starts_with("option 1: question `name`: the pattern is not a regular expression"),
        "{bad_pattern}"
    );
    let bad_url = refused(|m| m["options"][2]["action"]["url"] = "file:///etc/passwd".into());
    assert_eq!(bad_url, "option 3: a web query needs an http:// or https:// URL of at most 2048 characters");
    let bad_email = refused(|m| m["options"][0]["action"]["email"]["to"] = "nobody".into());
    assert_eq!(bad_email, "option 1: answers are e-mailed to one valid address, with a subject");
    let no_files = refused(|m| m["options"][3]["action"]["files"] = serde_json::json!([]));
    assert!(no_files.starts_with("option 4: an option sends 1 to 10 files"), "{no_files}");
    assert!(
        errands_menu().queues().contains(&QueueId::from_uuid(Uuid::from_u128(9))),
        "routes' queues are checked too"
    );
}

#[test]
fn key_phrases_hand_the_chat_to_a_queue_at_once_or_stop_and_resume_the_bot() {
    let ordered = talk(vec![], &[("m1", "Hi! my ORDER number is 1234")]);
    assert!(ordered.contains(&ChatEvent::KeyPhraseHeard {
        chat_id: chat(),
        phrase: "My order number is".into(),
        at: at()
    }));
    assert!(
        matches!(ordered.last(), Some(ChatEvent::Queued { queue: q, .. }) if *q == QueueId::from_uuid(Uuid::from_u128(3)))
    );
    assert!(!ordered.iter().any(|e| matches!(e, ChatEvent::MenuShown { .. })), "straight to the queue");

    let stopped = talk(vec![], &[("m1", "hola"), ("m2", "2"), ("m3", "#human please")]);
    let tail = &stopped[stopped.len() - 2..];
    assert_eq!(tail[0], ChatEvent::BotStopped { chat_id: chat(), at: at() });
    assert!(
        matches!(tail[1], ChatEvent::Queued { queue: q, .. } if q == QueueId::from_uuid(Uuid::from_u128(1))),
        "to the agent queue"
    );
    let quiet = talk(stopped.clone(), &[("m4", "1")]);
    assert_eq!(quiet.len(), stopped.len() + 1, "the bot no longer answers");
    let resumed = talk(quiet.clone(), &[("m5", "#BOT")]);
    assert_eq!(resumed[quiet.len() + 1], ChatEvent::BotResumed { chat_id: chat(), at: at() });
    assert!(matches!(resumed.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
    let state = resumed.iter().fold(ChatState::default(), Chat::evolve);
    assert!(!state.is_waiting() && !state.bot_stopped, "with the bot again, out of the queue");
}
