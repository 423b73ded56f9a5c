//! The lines: each company's lines with their routing, webhook, offline policy and widget key, and
//! the API keys by their hash.

use super::{company, folded, History};
use domain::apikey::ApiKeyEvent;
use domain::ids::{LineId, QueueId, UserId};
use domain::line::{ChannelLink, LineEvent, LineRouting, OfflinePolicy, Sealed, Webhook};
use eventlog::testing::Backend;
use projections::lines::{ApiKeyRow, LineRow, Lines, LinkedChannel, SendingFailure};
use uuid::Uuid;

eventlog::on_both_backends!(
    a_line_shows_its_latest_routing_policy_and_widget_key,
    api_keys_are_found_by_their_hash_and_show_when_revoked,
    a_line_shows_the_channel_linked_last_until_it_is_unlinked,
    a_line_shows_since_when_and_why_it_cannot_send_until_it_sends_again,
);

async fn a_line_shows_since_when_and_why_it_cannot_send_until_it_sends_again(backend: Backend) {
    let (failing, mended) = (LineId::from_uuid(Uuid::from_u128(1)), LineId::from_uuid(Uuid::from_u128(2)));
    let at = chrono::DateTime::<chrono::Utc>::from_timestamp(1_800_000_000, 0).unwrap();
    let created = |line_id, name: &str| LineEvent::Created {
        line_id,
        company_id: company(),
        name: name.into(),
        routing: LineRouting::Queue(QueueId::from_uuid(Uuid::from_u128(9))),
        webhook: None,
    };
    let failed = |line_id| LineEvent::SendingFailed { line_id, reason: "190: token expired".into(), at };
    let history = History::new()
        .then(format!("line-{failing}"), &created(failing, "A"))
        .then(format!("line-{mended}"), &created(mended, "B"))
        .then(format!("line-{failing}"), &failed(failing))
        .then(format!("line-{mended}"), &failed(mended))
        .then(format!("line-{mended}"), &LineEvent::SendingRestored { line_id: mended, at });
    let lines = folded(backend, Lines, history).await;
    let failure = |line: LineId| {
        let store = lines.store.clone();
        async move { Lines.line(&store, &line.to_string()).await.unwrap().expect("the line").sending_failure }
    };
    assert_eq!(
        failure(failing).await,
        Some(SendingFailure { since: at.to_rfc3339(), reason: "190: token expired".into() })
    );
    assert_eq!(failure(mended).await, None, "a message went out again");
}

async fn a_line_shows_the_channel_linked_last_until_it_is_unlinked(backend: Backend) {
    let (first, second) = (LineId::from_uuid(Uuid::from_u128(1)), LineId::from_uuid(Uuid::from_u128(2)));
    let created = |line_id, name: &str| LineEvent::Created {
        line_id,
        company_id: company(),
        name: name.into(),
        routing: LineRouting::Queue(QueueId::from_uuid(Uuid::from_u128(9))),
        webhook: None,
    };
    let link = |number: &str, hint: &str| ChannelLink::WhatsappCloud {
        phone_number_id: number.into(),
        business_account_id: "55".into(),
        access_token: Sealed(format!("v1:token-{number}")),
        app_secret: Sealed("v1:secret".into()),
        verify_token: Sealed("v1:verify".into()),
        token_hint: hint.into(),
    };
    let history = History::new()
        .then(format!("line-{first}"), &created(first, "A"))
        .then(format!("line-{second}"), &created(second, "B"))
        .then(format!("line-{first}"), &LineEvent::ChannelLinked { line_id: first, link: link("111", "aaaa") })
        .then(format!("line-{first}"), &LineEvent::ChannelLinked { line_id: first, link: link("222", "bbbb") })
        .then(format!("line-{second}"), &LineEvent::ChannelLinked { line_id: second, link: link("333", "cccc") })
        .then(format!("line-{second}"), &LineEvent::ChannelUnlinked { line_id: second });
    let lines = folded(backend, Lines, history).await;
    let first_row = Lines.line(&lines.store, &first.to_string()).await.unwrap().expect("the first line");
    assert_eq!(
        first_row.channel,
        Some(LinkedChannel {
            kind: "whatsapp_cloud".into(),
            phone_number_id: "222".into(),
            business_account_id: "55".into(),
            token_hint: "bbbb".into(),
        })
    );
    assert_eq!(first_row.credentials, Some(link("222", "bbbb")));
    let second_row = Lines.line(&lines.store, &second.to_string()).await.unwrap().expect("the second line");
    assert_eq!((second_row.channel, second_row.credentials), (None, None));
}

async fn a_line_shows_its_latest_routing_policy_and_widget_key(backend: Backend) {
    let line = LineId::from_uuid(Uuid::from_u128(1));
    let queue = QueueId::from_uuid(Uuid::from_u128(2));
    let ana = UserId::from_uuid(Uuid::from_u128(3));
    let stream = format!("line-{line}");
    let webhook = Webhook { url: "https://shop.example/hook".into(), secret: "s3cret".into() };
    let history = History::new()
        .then(
            &stream,
            &LineEvent::Created {
                line_id: line,
                company_id: company(),
                name: "Shop".into(),
                routing: LineRouting::Queue(queue),
                webhook: Some(webhook),
            },
        )
        .then(&stream, &LineEvent::RoutingChanged { line_id: line, routing: LineRouting::Agent(ana) })
        .then(&stream, &LineEvent::OfflinePolicySet { line_id: line, policy: OfflinePolicy::TransferToQueue })
        .then(&stream, &LineEvent::WidgetOpened { line_id: line, key: "wk_123".into() })
        .then(&stream, &LineEvent::MessageEditingSet { line_id: line, agents_may_edit: false });
    let lines = folded(backend, Lines, history).await;
    let row = LineRow {
        line_id: line.to_string(),
        company_id: company().to_string(),
        name: "Shop".into(),
        routing: LineRouting::Agent(ana),
        webhook_url: Some("https://shop.example/hook".into()),
        webhook_secret: Some("s3cret".into()),
        offline_policy: OfflinePolicy::TransferToQueue,
        agents_may_edit: false,
        widget_key: Some("wk_123".into()),
        channel: None,
        credentials: None,
        sending_failure: None,
    };
    assert_eq!(Lines.line(&lines.store, &line.to_string()).await.unwrap(), Some(row.clone()));
    assert_eq!(Lines.line_by_widget_key(&lines.store, "wk_123").await.unwrap(), Some(row.clone()));
    assert_eq!(Lines.line_by_widget_key(&lines.store, "wk_other").await.unwrap(), None);
    assert_eq!(Lines.lines_of(&lines.store, &company().to_string()).await.unwrap(), vec![row]);
}

async fn api_keys_are_found_by_their_hash_and_show_when_revoked(backend: Backend) {
    let (kept, revoked) = (Uuid::from_u128(1), Uuid::from_u128(2));
    let created = |key_id, name: &str, hash: &str| ApiKeyEvent::Created {
        key_id,
        company_id: company(),
        name: name.into(),
        key_hash: hash.into(),
        prefix: format!("ik_{}", &hash[..4]),
    };
    let history = History::new()
        .then(format!("apikey-{kept}"), &created(kept, "Shop", "aaaa1111"))
        .then(format!("apikey-{revoked}"), &created(revoked, "Old shop", "bbbb2222"))
        .then(format!("apikey-{revoked}"), &ApiKeyEvent::Revoked { key_id: revoked });
    let lines = folded(backend, Lines, history).await;
    let row = |key_id: Uuid, name: &str, prefix: &str, revoked: bool| ApiKeyRow {
        key_id: key_id.to_string(),
        company_id: company().to_string(),
        name: name.into(),
        prefix: prefix.into(),
        revoked,
    };
    assert_eq!(Lines.api_key(&lines.store, "aaaa1111").await.unwrap(), Some(row(kept, "Shop", "ik_aaaa", false)));
    assert_eq!(Lines.api_key(&lines.store, "bbbb2222").await.unwrap(), Some(row(revoked, "Old shop", "ik_bbbb", true)));
    assert_eq!(Lines.api_key(&lines.store, "cccc3333").await.unwrap(), None);
    assert_eq!(
        Lines.api_keys_of(&lines.store, &company().to_string()).await.unwrap(),
        vec![row(revoked, "Old shop", "ik_bbbb", true), row(kept, "Shop", "ik_aaaa", false)]
    );
}
