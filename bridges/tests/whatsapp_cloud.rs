//! Every file Meta's documentation and pywa's recordings give us (`fixtures/whatsapp_cloud/`,
//! sources in its README) read through the bridge, or compared with what the bridge builds.

use bridges::whatsapp_cloud::inbound::{parse, CustomerMessage, ParseError, Update};
use bridges::whatsapp_cloud::outbound::{
    link_kind, mark_read_body, message_body, submitted_template, template_definition, uploadable, uploaded_file_id,
    FileSource, Outgoing, Unsendable,
};
use chrono::DateTime;
use domain::menu::Choice;
use domain::message::{ContactCard, DeliveryStatus, Location, MessageKind};
use domain::template::TemplateCategory;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

fn folder() -> PathBuf {
    // Relative to the package, where cargo runs its tests: a path compiled in would point
    // wherever the binary was built (another checkout sharing the target folder).
    PathBuf::from("tests/fixtures/whatsapp_cloud")
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(folder().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn updates(name: &str) -> Vec<Update> {
    parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The one update of a notification.
fn one(updates: Vec<Update>) -> Update {
    match <[Update; 1]>::try_from(updates) {
        Ok([update]) => update,
        Err(updates) => panic!("one update expected, read {updates:?}"),
    }
}

fn the_message(name: &str) -> CustomerMessage {
    match updates(name).as_slice() {
        [Update::Message(message)] => (**message).clone(),
        other => panic!("{name}: one message expected, read {other:?}"),
    }
}

/// The fixtures each test below reads; the last test checks that together they are every file.
const INBOUND: &[&str] = &[
    "inbound_text.json",
    "inbound_image.json",
    "inbound_image_with_url.json",
    "inbound_video.json",
    "inbound_audio.json",
    "inbound_voice_note.json",
    "inbound_document_pdf.json",
    "inbound_sticker.json",
    "inbound_sticker_animated.json",
    "inbound_location_current.json",
    "inbound_location_named.json",
    "inbound_contacts.json",
    "inbound_reaction.json",
    "inbound_reaction_removed.json",
    "inbound_reply_quoting_context.json",
    "inbound_forwarded.json",
    "inbound_interactive_button_reply.json",
    "inbound_interactive_list_reply.json",
    "inbound_interactive_list_reply_with_description.json",
    "inbound_template_quick_reply_button.json",
    "inbound_template_quick_reply_no_context.json",
    "inbound_ctwa_referral.json",
    "inbound_order.json",
    "inbound_unsupported.json",
    "inbound_interactive_with_error.json",
    "inbound_deleted_message.json",
    "inbound_edited_message.json",
    "inbound_system_phone_number_change.json",
];
const STATUSES: &[&str] = &[
    "status_sent.json",
    "status_delivered.json",
    "status_read.json",
    "status_played.json",
    "status_failed.json",
    "status_group.json",
];
const NOTICES: &[&str] = &[
    "template_status_approved_webhook.json",
    "template_status_rejected_webhook.json",
    "template_category_update_webhook.json",
    "template_quality_update_webhook.json",
    "user_marketing_preferences_signup.json",
    "user_marketing_preferences_resume.json",
];
const OUTBOUND: &[&str] = &[
    "template_create_order_confirmation.json",
    "template_create_seasonal_promotion.json",
    "outbound_text_reply_with_context.json",
    "outbound_reaction.json",
    "outbound_media_image_by_id.json",
    "outbound_interactive_reply_buttons.json",
    "outbound_interactive_list.json",
    "outbound_template_send.json",
    "outbound_mark_read_typing.json",
    "media_retrieve_url_response.json",
];
/// Authentication templates (one-time codes for apps' sign-ins) are not a contact centre's: a
/// supervisor cannot submit one (see the test below).
const NOT_SUPPORTED: &[&str] = &["template_create_authentication.json"];

#[test]
fn a_text_carries_its_sender_their_name_its_id_and_its_time() {
    let message = the_message("inbound_text.json");
    assert_eq!(message.phone_number_id, "1122334455667");
    assert_eq!(message.from, "972987654321");
    assert_eq!(message.name.as_deref(), Some("Test Name"));
    assert_eq!(message.id, "wamid.xyzxyz");
    assert_eq!(message.at, DateTime::from_timestamp(1_697_043_223, 0));
    assert_eq!((message.kind, message.text.as_str()), (MessageKind::Text, "Body Text"));
    assert_eq!((message.file, message.quoted, message.choice), (None, None, None));
}

#[test]
fn files_are_named_by_meta_s_id_with_their_type_kind_and_caption() {
    let cases = [
        ("inbound_image.json", MessageKind::Image, "image/jpeg"),
        ("inbound_image_with_url.json", MessageKind::Image, "image/jpeg"),
        ("inbound_video.json", MessageKind::Video, "video/mp4"),
        ("inbound_audio.json", MessageKind::Audio, "audio/ogg"),
        ("inbound_voice_note.json", MessageKind::Voice, "audio/ogg; codecs=opus"),
        ("inbound_document_pdf.json", MessageKind::Document, "application/pdf"),
        ("inbound_sticker.json", MessageKind::Sticker, "image/webp"),
        ("inbound_sticker_animated.json", MessageKind::Sticker, "image/webp"),
    ];
    for (name, kind, content_type) in cases {
        let message = the_message(name);
        let file = message.file.unwrap_or_else(|| panic!("{name}: no file"));
        assert_eq!(message.kind, kind, "{name}");
        assert!(file.content_type.starts_with(content_type), "{name}: {}", file.content_type);
        assert!(!file.id.is_empty(), "{name}");
    }
    let image = the_message("inbound_image.json").file.unwrap();
    assert_eq!(image.id, "65463453");
    let document = the_message("inbound_document_pdf.json");
    assert_eq!(document.text, "caption");
    assert_eq!(document.file.unwrap().filename.as_deref(), Some("filename.pdf"));
    assert!(document.quoted.is_none(), "a forwarded message quotes nothing");
}

#[test]
fn locations_and_contact_cards_are_read_whole() {
    let named = the_message("inbound_location_named.json");
    assert_eq!(named.kind, MessageKind::Location);
    assert_eq!(
        named.location,
        Some(Location {
            latitude: 37.4611978,
            longitude: -122.2164385,
            name: Some("Facebook HQ".into()),
            address: Some("1 Hacker Way, Menlo Park, CA 94025".into()),
        })
    );
    let current = the_message("inbound_location_current.json");
    let here = current.location.expect("a location");
    assert!(here.is_valid() && here.name.is_none(), "{here:?}");

    let cards = the_message("inbound_contacts.json");
    assert_eq!(cards.kind, MessageKind::Contacts);
    assert_eq!(
        cards.cards,
        vec![
            ContactCard { name: "Chandler Bing".into(), phones: vec!["+1 555-555-5555".into()] },
            ContactCard { name: "Monica".into(), phones: vec!["+1 666-666-6666".into()] },
            ContactCard { name: "Rachel Green".into(), phones: vec!["+1 777-777-7777".into()] },
        ]
    );
}

#[test]
fn reactions_name_the_message_and_an_empty_emoji_takes_one_back() {
    let Update::Reaction(added) = one(updates("inbound_reaction.json")) else {
        panic!("a reaction expected");
    };
    assert_eq!((added.to.as_str(), added.emoji.as_deref()), ("wamid.yzxyzx=", Some("😮")));
    let Update::Reaction(removed) = one(updates("inbound_reaction_removed.json")) else {
        panic!("a reaction expected");
    };
    assert_eq!(removed.emoji, None);
    assert!(!removed.to.is_empty());
}

#[test]
fn a_reply_quotes_its_message_and_a_forward_quotes_none() {
    let reply = the_message("inbound_reply_quoting_context.json");
    assert_eq!((reply.text.as_str(), reply.quoted.as_deref()), ("replied text", Some("wamid.xyzxyz==")));
    let forwarded = the_message("inbound_forwarded.json");
    assert_eq!((forwarded.text.as_str(), forwarded.quoted), ("forwarded text", None));
    // An ad's referral rides on an ordinary text.
    assert_eq!(the_message("inbound_ctwa_referral.json").text, "BODY");
}

#[test]
fn a_tapped_button_or_row_shows_its_title_and_answers_its_id() {
    for name in [
        "inbound_interactive_button_reply.json",
        "inbound_interactive_list_reply.json",
        "inbound_interactive_list_reply_with_description.json",
        "inbound_template_quick_reply_button.json",
        "inbound_template_quick_reply_no_context.json",
    ] {
        let tapped = the_message(name);
        assert_eq!(tapped.kind, MessageKind::Text, "{name}");
        assert_eq!(tapped.text, "title", "{name}");
        assert_eq!(tapped.choice.as_deref(), Some("callback_data"), "{name}");
    }
}

#[test]
fn kinds_we_do_not_know_are_kept_as_unsupported_with_what_they_were() {
    let cases = [
        ("inbound_unsupported.json", "131051: Message type unknown (Message type is currently not supported.)"),
        ("inbound_interactive_with_error.json", "131000: Something went wrong (Unsupported webhook payload)"),
        ("inbound_order.json", "(order)"),
        ("inbound_deleted_message.json", "(revoke)"),
        ("inbound_edited_message.json", "(edit)"),
        ("inbound_system_phone_number_change.json", "User A changed from 972987654321 to 972912345678"),
    ];
    for (name, words) in cases {
        let message = the_message(name);
        assert_eq!((message.kind, message.text.as_str()), (MessageKind::Unsupported, words), "{name}");
    }
}

#[test]
fn statuses_report_how_far_our_message_got_and_why_it_failed() {
    let cases = [
        ("status_sent.json", DeliveryStatus::Sent),
        ("status_delivered.json", DeliveryStatus::Delivered),
        ("status_read.json", DeliveryStatus::Read),
        ("status_played.json", DeliveryStatus::Played),
        ("status_failed.json", DeliveryStatus::Failed),
        ("status_group.json", DeliveryStatus::Read),
    ];
    for (name, status) in cases {
        let Update::Status(report) = one(updates(name)) else {
            panic!("{name}: a status expected");
        };
        assert_eq!(report.status, status, "{name}");
        assert!(!report.message.is_empty(), "{name}");
        assert_eq!(report.failure.is_some(), status == DeliveryStatus::Failed, "{name}");
    }
    let Update::Status(failed) = one(updates("status_failed.json")) else { panic!() };
    assert_eq!(failed.recipient, "972987654321");
    assert_eq!(failed.at, DateTime::from_timestamp(1_689_380_458, 0));
    let failure = failed.failure.expect("a reason");
    assert!(failure.starts_with("130472: User's number is part of an experiment"), "{failure}");
}

#[test]
fn templates_decisions_and_marketing_preferences_are_read_and_other_notices_ignored() {
    let Update::Template(approved) = one(updates("template_status_approved_webhook.json")) else { panic!() };
    assert_eq!(
        (approved.template_id.as_str(), approved.name.as_str(), approved.language.as_str(), approved.event.as_str()),
        ("1689556908129832", "order_confirmation", "en_US", "APPROVED")
    );
    assert_eq!(approved.reason, None);
    let Update::Template(rejected) = one(updates("template_status_rejected_webhook.json")) else { panic!() };
    assert_eq!(rejected.event, "REJECTED");
    let reason = rejected.reason.expect("a reason");
    assert!(reason.starts_with("INVALID_FORMAT: Your template has parameters"), "{reason}");
    assert!(updates("template_category_update_webhook.json").is_empty());
    assert!(updates("template_quality_update_webhook.json").is_empty());

    for (name, given) in
        [("user_marketing_preferences_signup.json", true), ("user_marketing_preferences_resume.json", true)]
    {
        let Update::Marketing(preference) = one(updates(name)) else { panic!("{name}") };
        assert_eq!((preference.from.as_str(), preference.given), ("16505551234", given), "{name}");
    }
    let stop =
        String::from_utf8(fixture("user_marketing_preferences_resume.json")).unwrap().replace("\"resume\"", "\"stop\"");
    let Update::Marketing(stopped) = one(parse(stop.as_bytes()).unwrap()) else { panic!() };
    assert!(!stopped.given);
}

/// A fixture of Meta's documentation without the notes the collector added (`_endpoint`…).
fn documented(name: &str) -> Value {
    let mut body: Value = serde_json::from_slice(&fixture(name)).expect("JSON");
    if let Some(object) = body.as_object_mut() {
        object.retain(|key, _| !key.starts_with('_'));
    }
    body
}

#[test]
fn what_we_send_is_what_meta_documents() {
    let to = "<WHATSAPP_USER_PHONE_NUMBER>";
    let quoted = "wamid.HBgLMTY0NjcwNDM1OTUVAgASGBQzQTdCNTg5RjY1MEMyRjlGMjRGNgA=";
    assert_eq!(
        message_body(to, &Outgoing::Text { text: "Replying to your message", quoted: Some(quoted) }).unwrap(),
        documented("outbound_text_reply_with_context.json")
    );
    assert_eq!(
        message_body(to, &Outgoing::Reaction { to: "<WHATSAPP_MESSAGE_ID>", emoji: Some("😀") }).unwrap(),
        documented("outbound_reaction.json")
    );
    let image = Outgoing::File {
        kind: MessageKind::Image,
        source: FileSource::Uploaded("IMAGE_ID".into()),
        caption: "CAPTION",
        filename: None,
    };
    assert_eq!(message_body(to, &image).unwrap(), documented("outbound_media_image_by_id.json"));

    // Meta's examples add a header and a footer we do not send.
    let mut buttons = documented("outbound_interactive_reply_buttons.json");
    let interactive = buttons["interactive"].as_object_mut().unwrap();
    interactive.remove("header");
    interactive.remove("footer");
    let one = [Choice { answer: "<BUTTON_ID>".into(), label: "<BUTTON_LABEL_TEXT>".into() }];
    let menu = Outgoing::Menu { text: "<BODY_TEXT>", choices: &one, list_button: "<BUTTON_TEXT>" };
    assert_eq!(message_body(to, &menu).unwrap(), buttons);

    let mut list = documented("outbound_interactive_list.json");
    let interactive = list["interactive"].as_object_mut().unwrap();
    interactive.remove("header");
    interactive.remove("footer");
    let section = list["interactive"]["action"]["sections"][0].as_object_mut().unwrap();
    section.remove("title");
    list["interactive"]["action"]["sections"][0]["rows"][0].as_object_mut().unwrap().remove("description");
    let rows: Vec<Choice> = ["<ROW_ID>", "2", "3", "4"]
        .iter()
        .enumerate()
        .map(|(i, id)| Choice {
            answer: id.to_string(),
            label: if i == 0 { "<ROW_TITLE>".into() } else { format!("Row {id}") },
        })
        .collect();
    let menu = Outgoing::Menu { text: "<MESSAGE_BODY_TEXT>", choices: &rows, list_button: "<BUTTON_TEXT>" };
    let mut built = message_body(to, &menu).unwrap();
    built["interactive"]["action"]["sections"][0]["rows"].as_array_mut().unwrap().truncate(1);
    assert_eq!(built, list);

    // Our templates fill their body's text parameters; Meta's example shows every kind.
    let mut template = documented("outbound_template_send.json");
    let components = template["template"]["components"].as_array_mut().unwrap();
    components.retain(|component| component["type"] == "body");
    components[0]["parameters"].as_array_mut().unwrap().retain(|parameter| parameter["type"] == "text");
    let parameters = ["TEXT_STRING".to_string()];
    let send =
        Outgoing::Template { name: "TEMPLATE_NAME", language: "LANGUAGE_AND_LOCALE_CODE", parameters: &parameters };
    assert_eq!(message_body(to, &send).unwrap(), template);

    assert_eq!(
        mark_read_body("wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA", true),
        documented("outbound_mark_read_typing.json")
    );
    // media_retrieve_url_response.json is read by `outbound`'s own tests (`file_address`).
}

#[test]
fn a_delivery_in_another_key_order_or_with_several_entries_reads_the_same() {
    let text: Value = serde_json::from_slice(&fixture("inbound_text.json")).unwrap();
    // `entry` before `object`, compact: not the bytes Meta wrote, the same notification.
    let reordered = format!(r#"{{"entry":{},"object":"whatsapp_business_account"}}"#, text["entry"]).into_bytes();
    assert_eq!(parse(&reordered).unwrap(), updates("inbound_text.json"));

    let mut two = text.clone();
    let entry = text["entry"][0].clone();
    two["entry"].as_array_mut().unwrap().push(entry);
    assert_eq!(parse(&serde_json::to_vec(&two).unwrap()).unwrap().len(), 2);
}

#[test]
fn a_body_that_is_not_meta_s_is_refused_and_a_message_without_its_id_is_reported() {
    assert!(matches!(parse(b"not json"), Err(ParseError::NotJson(_))));
    assert_eq!(parse(br#"{"object":"page","entry":[]}"#), Err(ParseError::NotWhatsapp));
    assert_eq!(parse(br#"{"object":"whatsapp_business_account"}"#), Ok(vec![]));
    let without_id = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"from":"1","type":"text","text":{"body":"hi"}}]}}]}]}"#;
    assert!(matches!(parse(without_id).unwrap().as_slice(), [Update::Unreadable(_)]));
    let off_the_map = br#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"w","from":"1","type":"location","location":{"latitude":123,"longitude":0}}]}}]}]}"#;
    let Update::Message(message) = one(parse(off_the_map).unwrap()) else { panic!() };
    assert_eq!(message.kind, MessageKind::Unsupported);
}

#[test]
fn every_fixture_is_read_by_some_test() {
    let listed: BTreeSet<&str> = [INBOUND, STATUSES, NOTICES, OUTBOUND, NOT_SUPPORTED].concat().into_iter().collect();
    let present: BTreeSet<String> = std::fs::read_dir(folder())
        .expect("the fixtures")
        .map(|entry| entry.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    let present: BTreeSet<&str> = present.iter().map(String::as_str).collect();
    assert_eq!(listed, present, "every fixture file is listed, and only those");
    for name in INBOUND.iter().chain(STATUSES).chain(NOTICES) {
        parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn a_template_is_submitted_as_meta_documents_its_body_and_examples() {
    for (name, category) in [
        ("template_create_seasonal_promotion.json", TemplateCategory::Marketing),
        ("template_create_order_confirmation.json", TemplateCategory::Utility),
    ] {
        let mut documented = documented(name);
        // Meta's examples add headers, footers and buttons we do not submit.
        documented["components"].as_array_mut().unwrap().retain(|component| component["type"] == "BODY");
        let body = documented["components"][0]["text"].as_str().unwrap().to_string();
        let examples: Vec<String> = documented["components"][0]["example"]["body_text"][0]
            .as_array()
            .unwrap()
            .iter()
            .map(|example| example.as_str().unwrap().to_string())
            .collect();
        let built = template_definition(
            documented["name"].as_str().unwrap(),
            documented["language"].as_str().unwrap(),
            category,
            &body,
            &examples,
        );
        assert_eq!(built, documented, "{name}");
    }
    assert_eq!(
        submitted_template(br#"{"id":"594425479261596","status":"PENDING","category":"MARKETING"}"#),
        Some(("594425479261596".into(), "PENDING".into()))
    );
    assert_eq!(submitted_template(br#"{"error":{"code":100}}"#), None);
}

#[test]
fn a_file_goes_to_whatsapp_only_as_a_kind_and_size_it_takes() {
    assert_eq!(uploadable("image/jpeg", 5 * 1024 * 1024), Ok(MessageKind::Image));
    assert_eq!(uploadable("image/png", 5 * 1024 * 1024 + 1), Err(Unsendable::FileTooLarge { max_mb: 5 }));
    assert_eq!(uploadable("Video/MP4", 10 * 1024 * 1024), Ok(MessageKind::Video));
    assert_eq!(uploadable("audio/ogg; codecs=opus", 1000), Ok(MessageKind::Audio));
    assert_eq!(
        uploadable("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 1000),
        Ok(MessageKind::Document)
    );
    for refused in ["image/gif", "image/webp", "audio/webm", "text/html", ""] {
        assert!(matches!(uploadable(refused, 10), Err(Unsendable::FileKind(_))), "{refused}");
    }
    assert_eq!(uploaded_file_id(br#"{"id":"1037543291543636"}"#), Some("1037543291543636".into()));
    // By link, what WhatsApp would not take as an image, a video or audio goes as a document.
    assert_eq!(link_kind("https://cdn.example/menu.JPG?v=2"), MessageKind::Image);
    for document in [
        "https://cdn.example/a.gif",
        "https://cdn.example/a.webm",
        "https://cdn.example/a.wav",
        "https://cdn.example/menu",
    ] {
        assert_eq!(link_kind(document), MessageKind::Document, "{document}");
    }
    assert_eq!(uploaded_file_id(br#"{"error":{"code":131053}}"#), None);
}

#[test]
fn an_authentication_template_is_not_a_category_a_supervisor_submits() {
    let authentication = documented("template_create_authentication.json");
    let category = authentication["category"].as_str().expect("Meta's category").to_lowercase();
    assert_eq!(category, "authentication");
    assert!(serde_json::from_value::<TemplateCategory>(Value::String(category)).is_err());
    for allowed in ["marketing", "utility"] {
        assert!(serde_json::from_value::<TemplateCategory>(Value::String(allowed.into())).is_ok(), "{allowed}");
    }
}
