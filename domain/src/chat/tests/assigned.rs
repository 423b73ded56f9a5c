//! Given a chat an agent (Ana) has.

use super::*;

#[test]
fn a_message_during_an_open_conversation_only_adds_the_message() {
    given::<Chat>(assigned()).when(receive("m2", "¿hay alguien?", 2)).then(vec![ChatEvent::CustomerMessageReceived {
        chat_id: chat(),
        message_id: "m2".into(),
        text: "¿hay alguien?".into(),
        media: None,
        sticker: false,
        content: Default::default(),
        at: at(),
    }]);
}

#[test]
fn an_assigned_chat_is_not_assigned_again() {
    given::<Chat>(assigned())
        .when(ChatCommand::Assign { agent: ana(), queue: queue(), reply_by: None, at: at() })
        .then_rejects(ChatRejection::NotWaiting);
}

#[test]
fn only_the_assigned_agent_replies_and_only_within_the_company() {
    let history = assigned();
    let reply = |company_id, agent| ChatCommand::Reply {
        company_id,
        agent,
        message_id: Uuid::from_u128(9),
        text: "¡Hola!".into(),
        quoted: None,
        location: None,
        media: None,
        template: None,
        window: None,
        at: at(),
    };
    given::<Chat>(history.clone()).when(reply(company(), ana())).then(vec![ChatEvent::AgentReplied {
        chat_id: chat(),
        message_id: Uuid::from_u128(9),
        agent: ana(),
        text: "¡Hola!".into(),
        quoted: None,
        location: None,
        media: None,
        template: None,
        at: at(),
    }]);
    let other = UserId::from_uuid(Uuid::from_u128(5));
    given::<Chat>(history.clone()).when(reply(company(), other)).then_rejects(ChatRejection::NotYours);
    let elsewhere = CompanyId::from_uuid(Uuid::from_u128(6));
    given::<Chat>(history).when(reply(elsewhere, ana())).then_rejects(ChatRejection::NotFound);
}

#[test]
fn an_agent_transfers_their_chat_to_a_colleague_with_a_note_and_it_waits_for_them() {
    let history = assigned();
    let ben = UserId::from_uuid(Uuid::from_u128(8));
    let transfer = |by, to| ChatCommand::Transfer {
        company_id: company(),
        by,
        to,
        note: Some(" wants a refund ".into()),
        at: at(),
    };
    given::<Chat>(history.clone()).when(transfer(Resolver::Agent(ana()), TransferTarget::Agent(ben))).then(vec![
        ChatEvent::Transferred {
            chat_id: chat(),
            conversation_id: conversation(1),
            from: Some(ana()),
            to: TransferTarget::Agent(ben),
            by: Resolver::Agent(ana()),
            note: Some("wants a refund".into()),
            at: at(),
        },
        ChatEvent::Queued {
            chat_id: chat(),
            conversation_id: conversation(1),
            queue: crate::queue::personal_queue(ben),
            at: at(),
        },
    ]);
    given::<Chat>(history.clone())
        .when(transfer(Resolver::Agent(ben), TransferTarget::Queue(queue())))
        .then_rejects(ChatRejection::NotYours);
    given::<Chat>(history)
        .when(transfer(Resolver::Agent(ana()), TransferTarget::Agent(ana())))
        .then_rejects(ChatRejection::AlreadyThere);
}

#[test]
fn a_supervisor_takes_over_an_agents_chat_and_answers_it_as_its_agent_while_the_agent_no_longer_can() {
    let boss = UserId::from_uuid(Uuid::from_u128(9));
    let take = |company_id| ChatCommand::TakeOver { company_id, supervisor: boss, at: at() };
    let mine = crate::queue::personal_queue(boss);
    let taken = vec![
        ChatEvent::Transferred {
            chat_id: chat(),
            conversation_id: conversation(1),
            from: Some(ana()),
            to: TransferTarget::Agent(boss),
            by: Resolver::Supervisor(boss),
            note: None,
            at: at(),
        },
        ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(1), queue: mine, at: at() },
        ChatEvent::Assigned { chat_id: chat(), conversation_id: conversation(1), agent: boss, queue: mine, at: at() },
    ];
    given::<Chat>(assigned()).when(take(company())).then(taken.clone());
    let elsewhere = CompanyId::from_uuid(Uuid::from_u128(6));
    given::<Chat>(assigned()).when(take(elsewhere)).then_rejects(ChatRejection::NotFound);
    let mut history = assigned();
    history.extend(taken);
    given::<Chat>(history.clone()).when(take(company())).then_rejects(ChatRejection::AlreadyThere);
    let reply = |agent| ChatCommand::Reply {
        company_id: company(),
        agent,
        message_id: Uuid::from_u128(10),
        text: "Soy la supervisora".into(),
        quoted: None,
        location: None,
        media: None,
        template: None,
        window: None,
        at: at(),
    };
    given::<Chat>(history.clone()).when(reply(ana())).then_rejects(ChatRejection::NotYours);
    given::<Chat>(history).when(reply(boss)).then(vec![ChatEvent::AgentReplied {
        chat_id: chat(),
        message_id: Uuid::from_u128(10),
        agent: boss,
        text: "Soy la supervisora".into(),
        quoted: None,
        location: None,
        media: None,
        template: None,
        at: at(),
    }]);
}

#[test]
fn an_unanswered_chat_moves_on_when_its_deadline_rings_and_a_stale_timer_does_nothing() {
    let due = at() + chrono::Duration::minutes(5);
    let mut history = assigned();
    history.push(ChatEvent::ReplyDeadlineSet {
        chat_id: chat(),
        conversation_id: conversation(1),
        agent: ana(),
        due_at: due,
    });
    given::<Chat>(history.clone()).when(ChatCommand::ExpireReplyDeadline { agent: ana(), at: due }).then(vec![
        ChatEvent::ReplyDeadlineMissed { chat_id: chat(), conversation_id: conversation(1), agent: ana(), at: due },
        ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(1), queue: queue(), at: due },
    ]);
    given::<Chat>(history.clone())
        .when(ChatCommand::ExpireReplyDeadline { agent: ana(), at: due - chrono::Duration::seconds(1) })
        .then(vec![]);
    history.push(ChatEvent::AgentReplied {
        chat_id: chat(),
        message_id: Uuid::from_u128(9),
        agent: ana(),
        text: "hola".into(),
        quoted: None,
        location: None,
        media: None,
        template: None,
        at: at(),
    });
    given::<Chat>(history).when(ChatCommand::ExpireReplyDeadline { agent: ana(), at: due }).then(vec![]);
}

#[test]
fn a_customer_whose_agent_went_away_is_asked_and_chooses_another_agent_or_the_menu() {
    let mut history = assigned();
    let ask = ChatCommand::AskAfterAgentLeft { agent: ana(), menu: None, at: at() };
    let asked = Chat::decide(&Chat::fold(&history), &ask).unwrap();
    assert_eq!(
        asked[0],
        ChatEvent::LeftByOfflineAgent { chat_id: chat(), conversation_id: conversation(1), agent: ana(), at: at() }
    );
    assert!(matches!(&asked[1], ChatEvent::MenuShown { place: MenuPlace::AgentAway(q), text, .. }
        if *q == queue() && text == "Your agent is not available right now.\n1. Talk to another agent"));
    history.extend(asked);
    let state = Chat::fold(&history);
    assert_eq!((state.agent, state.is_waiting()), (None, false), "with the bot until they answer");
    let again = Chat::decide(&state, &ChatCommand::AskAfterAgentLeft { agent: ana(), menu: None, at: at() });
    assert_eq!(again, Ok(vec![]), "asked once");

    let answered = talk(history.clone(), &[("m9", "1")]);
    assert!(matches!(answered.last(), Some(ChatEvent::Queued { queue: q, .. }) if *q == queue()));
    let nonsense = Chat::decide(&state, &receive("m9", "2", 9)).unwrap();
    assert!(matches!(&nonsense[1], ChatEvent::MenuAnswerRejected { .. }), "no menu on this line: 2 is not a choice");

    let with_menu = Chat::decide(&state, &receive_with_menu("m9", "2", 9)).unwrap();
    assert!(matches!(with_menu.last(), Some(ChatEvent::MenuShown { place, .. }) if *place == MenuPlace::top()));
}

#[test]
fn a_chat_whose_agent_went_offline_is_handed_over_unless_it_moved_meanwhile() {
    given::<Chat>(assigned()).when(ChatCommand::HandOver { agent: ana(), at: at() }).then(vec![
        ChatEvent::LeftByOfflineAgent { chat_id: chat(), conversation_id: conversation(1), agent: ana(), at: at() },
        ChatEvent::Queued { chat_id: chat(), conversation_id: conversation(1), queue: queue(), at: at() },
    ]);
    let ben = UserId::from_uuid(Uuid::from_u128(8));
    given::<Chat>(assigned()).when(ChatCommand::HandOver { agent: ben, at: at() }).then(vec![]);
}

#[test]
fn the_chats_agent_or_a_supervisor_writes_a_private_note_and_nobody_else_does() {
    let note = |by, text: &str| ChatCommand::WriteNote {
        company_id: company(),
        by,
        note_id: Uuid::from_u128(50),
        text: text.into(),
        at: at(),
    };
    let written = |by| ChatEvent::NoteWritten {
        chat_id: chat(),
        note_id: Uuid::from_u128(50),
        by,
        text: "Prefers calls after 6 pm".into(),
        at: at(),
    };
    let mut history = waiting();
    history.push(ana_takes_it());
    let ana = Resolver::Agent(ana());
    let boss = Resolver::Supervisor(UserId::from_uuid(Uuid::from_u128(77)));
    let bea = Resolver::Agent(UserId::from_uuid(Uuid::from_u128(78)));
    given::<Chat>(history.clone()).when(note(ana, "  Prefers calls after 6 pm ")).then(vec![written(ana)]);
    given::<Chat>(history.clone()).when(note(boss, "Prefers calls after 6 pm")).then(vec![written(boss)]);
    given::<Chat>(history.clone()).when(note(bea, "hi")).then_rejects(ChatRejection::NotYours);
    given::<Chat>(history.clone()).when(note(ana, "   ")).then_rejects(ChatRejection::InvalidMessage);
    let other_company = ChatCommand::WriteNote {
        company_id: CompanyId::from_uuid(Uuid::from_u128(99)),
        by: boss,
        note_id: Uuid::from_u128(50),
        text: "x".into(),
        at: at(),
    };
    given::<Chat>(history).when(other_company).then_rejects(ChatRejection::NotFound);
}

#[test]
fn the_chats_agent_or_a_supervisor_names_and_tags_the_chat_and_repeats_change_nothing() {
    let ana = Resolver::Agent(ana());
    let boss = Resolver::Supervisor(UserId::from_uuid(Uuid::from_u128(77)));
    let bea = Resolver::Agent(UserId::from_uuid(Uuid::from_u128(78)));
    let rename = |by, name: Option<&str>| ChatCommand::Rename {
        company_id: company(),
        by,
        name: name.map(str::to_string),
        at: at(),
    };
    let tag = |by, tag: &str, on| ChatCommand::Tag { company_id: company(), by, tag: tag.into(), on, at: at() };
    let renamed =
        |name: Option<&str>| ChatEvent::Renamed { chat_id: chat(), name: name.map(str::to_string), by: ana, at: at() };

    given::<Chat>(assigned()).when(rename(ana, Some("  Rosa   (VIP) "))).then(vec![renamed(Some("Rosa (VIP)"))]);
    let mut named = assigned();
    named.push(renamed(Some("Rosa (VIP)")));
    given::<Chat>(named.clone()).when(rename(ana, Some("Rosa (VIP)"))).then(vec![]);
    given::<Chat>(named.clone()).when(rename(ana, Some(" "))).then(vec![renamed(None)]);
    given::<Chat>(assigned()).when(rename(ana, Some(&"x".repeat(81)))).then_rejects(ChatRejection::InvalidName);
    given::<Chat>(assigned()).when(rename(bea, Some("x"))).then_rejects(ChatRejection::NotYours);

    let tagged = ChatEvent::Tagged { chat_id: chat(), tag: "Refund".into(), by: boss, at: at() };
    given::<Chat>(assigned()).when(tag(boss, " Refund ", true)).then(vec![tagged.clone()]);
    let mut with_tag = assigned();
    with_tag.push(tagged);
    // Tags are the same whatever their case: no second one, and either takes it off.
    given::<Chat>(with_tag.clone()).when(tag(ana, "refund", true)).then(vec![]);
    given::<Chat>(with_tag.clone()).when(tag(ana, "REFUND", false)).then(vec![ChatEvent::Untagged {
        chat_id: chat(),
        tag: "Refund".into(),
        by: ana,
        at: at(),
    }]);
    given::<Chat>(assigned()).when(tag(ana, "refund", false)).then(vec![]);
    given::<Chat>(assigned()).when(tag(ana, "", true)).then_rejects(ChatRejection::InvalidTag);
    given::<Chat>(assigned()).when(tag(bea, "x", true)).then_rejects(ChatRejection::NotYours);
    let mut full = assigned();
    full.extend((0..20).map(|n| ChatEvent::Tagged { chat_id: chat(), tag: format!("t{n}"), by: ana, at: at() }));
    given::<Chat>(full).when(tag(ana, "one more", true)).then_rejects(ChatRejection::InvalidTag);
}
