//! Lines (R6, G17): a company's ways in for customers, and where each sends its new chats — one
//! agent, a group of agents taking turns, or a queue.
//!
//! A line's own group of agents takes turns like a queue's members: the router knows it as the
//! queue [`line_queue`] of the line.

use crate::decider::Decider;
use crate::event::DomainEvent;
use crate::ids::{CompanyId, LineId, QueueId, UserId};
use crate::menu::{Menu, MenuRejection};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const LINE_NAME_MAX_CHARS: usize = 80;
pub const GROUP_MAX_AGENTS: usize = 50;
pub const WEBHOOK_URL_MAX_CHARS: usize = 2048;

/// The stream of one line.
pub fn line_stream(line: LineId) -> String {
    format!("line-{line}")
}

/// The queue in which a line's own agents take turns.
pub fn line_queue(line: LineId) -> QueueId {
    QueueId::from_uuid(line.as_uuid())
}

/// Where a line's new chats go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum LineRouting {
    Queue(QueueId),
    Agent(UserId),
    Agents(Vec<UserId>),
    /// The menu bot greets every new conversation and sorts it (M1–M3).
    Menu(Box<Menu>),
}

impl LineRouting {
    /// The queue a new chat of `line` waits in.
    pub fn queue_of(&self, line: LineId) -> QueueId {
        match self {
            LineRouting::Queue(queue) => *queue,
            LineRouting::Agent(_) | LineRouting::Agents(_) | LineRouting::Menu(_) => line_queue(line),
        }
    }

    pub fn menu(&self) -> Option<&Menu> {
        match self {
            LineRouting::Menu(menu) => Some(menu),
            _ => None,
        }
    }

    /// The agents who take turns in the line's own queue (none when it routes to a queue).
    pub fn own_agents(&self) -> Vec<UserId> {
        match self {
            LineRouting::Queue(_) | LineRouting::Menu(_) => vec![],
            LineRouting::Agent(agent) => vec![*agent],
            LineRouting::Agents(agents) => agents.clone(),
        }
    }
}

/// What happens to a chat whose agent is offline (G6).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OfflinePolicy {
    /// The chat stays with its agent until they are back.
    #[default]
    Wait,
    /// The chat goes to another available agent of its queue.
    TransferToQueue,
    /// The bot asks the customer: another agent of the queue, or the menu again (when the line
    /// has one).
    AskTheCustomer,
}

/// Where replies to the line's customers are POSTed, and the secret that signs them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Webhook {
    pub url: String,
    pub secret: String,
}

/// A secret sealed with the installation's key (provider tokens, app secrets): only the server
/// that holds the key opens it; what is stored, logged or read by auditors is the sealed text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Sealed(pub String);

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealed(…)")
    }
}

pub const PROVIDER_ID_MAX_CHARS: usize = 64;

/// The provider account a channel line speaks through.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChannelLink {
    /// WhatsApp Business through Meta's Cloud API: one business phone number (G10: a company
    /// links as many as it has, one line each).
    WhatsappCloud {
        phone_number_id: String,
        business_account_id: String,
        /// Meta's access token, the app secret that signs Meta's notifications, and the token
        /// Meta echoes when it subscribes the callback.
        access_token: Sealed,
        app_secret: Sealed,
        verify_token: Sealed,
        /// The last characters of the access token, so that people can tell which one is set.
        token_hint: String,
    },
}

impl ChannelLink {
    /// The channel's name, as lines are listed by it.
    pub fn kind(&self) -> &'static str {
        match self {
            ChannelLink::WhatsappCloud { .. } => "whatsapp_cloud",
        }
    }

    /// How long after the customer's last message the channel takes free text from the business
    /// (G3): WhatsApp's 24 hours; none, any time.
    pub fn free_text_window(&self) -> Option<chrono::Duration> {
        match self {
            ChannelLink::WhatsappCloud { .. } => Some(chrono::Duration::hours(24)),
        }
    }

    fn check(&self) -> Result<(), LineRejection> {
        match self {
            ChannelLink::WhatsappCloud { phone_number_id, business_account_id, .. } => {
                let numeric = |id: &str| {
                    !id.is_empty() && id.len() <= PROVIDER_ID_MAX_CHARS && id.bytes().all(|b| b.is_ascii_digit())
                };
                if !numeric(phone_number_id) || !numeric(business_account_id) {
                    return Err(LineRejection::InvalidChannel(
                        "the phone number id and the business account id are Meta's numeric ids".into(),
                    ));
                }
                Ok(())
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineRejection {
    #[error("the channel cannot be linked: {0}")]
    InvalidChannel(String),
    #[error("the line has no channel linked")]
    NoChannel,
    #[error("a line name has 1 to {LINE_NAME_MAX_CHARS} characters")]
    InvalidName,
    #[error("a group of agents has 1 to {GROUP_MAX_AGENTS} agents, each once")]
    InvalidGroup,
    #[error("the webhook URL must be an http:// or https:// address of at most {WEBHOOK_URL_MAX_CHARS} characters")]
    InvalidWebhook,
    #[error("this line already exists")]
    AlreadyExists,
    #[error("no such line")]
    NotFound,
    #[error("the menu cannot be used: {0}")]
    InvalidMenu(#[from] MenuRejection),
}

/// A webhook address as given: trimmed, http(s), no spaces.
pub fn parse_webhook_url(raw: &str) -> Result<String, LineRejection> {
    let url = raw.trim();
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    let host_ok = url.split("://").nth(1).is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
    if !scheme_ok || !host_ok || url.chars().count() > WEBHOOK_URL_MAX_CHARS || url.chars().any(char::is_whitespace) {
        return Err(LineRejection::InvalidWebhook);
    }
    Ok(url.to_string())
}

fn parse_line_name(raw: &str) -> Result<String, LineRejection> {
    let name = crate::text::single_spaced(raw);
    if name.is_empty() || name.chars().count() > LINE_NAME_MAX_CHARS || name.chars().any(char::is_control) {
        return Err(LineRejection::InvalidName);
    }
    Ok(name)
}

fn check_routing(routing: &LineRouting) -> Result<(), LineRejection> {
    if let LineRouting::Menu(menu) = routing {
        menu.check()?;
    }
    if let LineRouting::Agents(agents) = routing {
        let mut unique = agents.clone();
        unique.sort();
        unique.dedup();
        if agents.is_empty() || agents.len() > GROUP_MAX_AGENTS || unique.len() != agents.len() {
            return Err(LineRejection::InvalidGroup);
        }
    }
    Ok(())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum LineEvent {
    #[serde(rename = "LineCreated")]
    Created { line_id: LineId, company_id: CompanyId, name: String, routing: LineRouting, webhook: Option<Webhook> },
    #[serde(rename = "LineRoutingChanged")]
    RoutingChanged { line_id: LineId, routing: LineRouting },
    #[serde(rename = "LineOfflinePolicySet")]
    OfflinePolicySet { line_id: LineId, policy: OfflinePolicy },
    /// Whether the line's agents may edit and delete their own messages (G18; a new line lets them).
    #[serde(rename = "LineMessageEditingSet")]
    MessageEditingSet { line_id: LineId, agents_may_edit: bool },
    /// Web sites may embed the line's chat widget (I1) with this public key.
    #[serde(rename = "LineWidgetOpened")]
    WidgetOpened { line_id: LineId, key: String },
    /// The line speaks through a provider's account from now on (a second link replaces the
    /// first: new credentials, or another number).
    #[serde(rename = "LineChannelLinked")]
    ChannelLinked { line_id: LineId, link: ChannelLink },
    #[serde(rename = "LineChannelUnlinked")]
    ChannelUnlinked { line_id: LineId },
    /// Where the line's messages are POSTed from now on, with a new secret; none: nowhere.
    #[serde(rename = "LineWebhookSet")]
    WebhookSet { line_id: LineId, webhook: Option<Webhook> },
    /// The provider refuses the line itself (its token, account or number), not one message: the
    /// line cannot send until it says otherwise (W15).
    #[serde(rename = "LineSendingFailed")]
    SendingFailed { line_id: LineId, reason: String, at: DateTime<Utc> },
    /// A message went out again after the line could not send.
    #[serde(rename = "LineSendingRestored")]
    SendingRestored { line_id: LineId, at: DateTime<Utc> },
}

crate::stored_names!(LineEvent {
    CREATED = "LineCreated",
    ROUTING_CHANGED = "LineRoutingChanged",
    OFFLINE_POLICY_SET = "LineOfflinePolicySet",
    MESSAGE_EDITING_SET = "LineMessageEditingSet",
    WIDGET_OPENED = "LineWidgetOpened",
    CHANNEL_LINKED = "LineChannelLinked",
    CHANNEL_UNLINKED = "LineChannelUnlinked",
    WEBHOOK_SET = "LineWebhookSet",
    SENDING_FAILED = "LineSendingFailed",
    SENDING_RESTORED = "LineSendingRestored",
});

impl DomainEvent for LineEvent {}

/// Queues and agents named in a routing are checked to exist in the company before the command.
#[derive(Clone, Debug, PartialEq)]
pub enum LineCommand {
    Create {
        line_id: LineId,
        company_id: CompanyId,
        name: String,
        routing: LineRouting,
        webhook: Option<Webhook>,
    },
    ChangeRouting {
        line_id: LineId,
        company_id: CompanyId,
        routing: LineRouting,
    },
    SetOfflinePolicy {
        line_id: LineId,
        company_id: CompanyId,
        policy: OfflinePolicy,
    },
    SetMessageEditing {
        line_id: LineId,
        company_id: CompanyId,
        agents_may_edit: bool,
    },
    /// Opens the line's widget with `key` unless it has one already (the key stays what web sites
    /// embed).
    OpenWidget {
        line_id: LineId,
        company_id: CompanyId,
        key: String,
    },
    /// Secrets come sealed: the domain never sees them in the clear.
    LinkChannel {
        line_id: LineId,
        company_id: CompanyId,
        link: ChannelLink,
    },
    UnlinkChannel {
        line_id: LineId,
        company_id: CompanyId,
    },
    /// A new address (always with a new secret, which the caller made), or none.
    SetWebhook {
        line_id: LineId,
        company_id: CompanyId,
        webhook: Option<Webhook>,
    },
    /// How the line's last send went: `Err` when the provider refused the line itself.
    RecordSending {
        line_id: LineId,
        outcome: Result<(), String>,
        at: DateTime<Utc>,
    },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineState {
    pub company_id: Option<CompanyId>,
    pub routing: Option<LineRouting>,
    pub webhook: Option<Webhook>,
    pub offline_policy: OfflinePolicy,
    /// Its agents may not edit or delete their messages (G18).
    pub editing_forbidden: bool,
    pub widget_key: Option<String>,
    pub channel: Option<ChannelLink>,
    /// The line cannot send, and why (W15).
    pub sending_failure: Option<String>,
}

pub struct Line;

impl Decider for Line {
    type State = LineState;
    type Command = LineCommand;
    type Event = LineEvent;
    type Rejection = LineRejection;

    fn decide(state: &LineState, command: &LineCommand) -> Result<Vec<LineEvent>, LineRejection> {
        match command {
            LineCommand::Create { line_id, company_id, name, routing, webhook } => {
                if state.company_id.is_some() {
                    return Err(LineRejection::AlreadyExists);
                }
                let name = parse_line_name(name)?;
                check_routing(routing)?;
                let webhook = match webhook {
                    Some(hook) => Some(Webhook { url: parse_webhook_url(&hook.url)?, secret: hook.secret.clone() }),
                    None => None,
                };
                Ok(vec![LineEvent::Created {
                    line_id: *line_id,
                    company_id: *company_id,
                    name,
                    routing: routing.clone(),
                    webhook,
                }])
            }
            LineCommand::SetOfflinePolicy { line_id, company_id, policy } => {
                if state.company_id != Some(*company_id) {
                    return Err(LineRejection::NotFound);
                }
                Ok(if state.offline_policy == *policy {
                    vec![]
                } else {
                    vec![LineEvent::OfflinePolicySet { line_id: *line_id, policy: *policy }]
                })
            }
            LineCommand::SetMessageEditing { line_id, company_id, agents_may_edit } => {
                if state.company_id != Some(*company_id) {
                    return Err(LineRejection::NotFound);
                }
                Ok(if state.editing_forbidden != *agents_may_edit {
                    vec![]
                } else {
                    vec![LineEvent::MessageEditingSet { line_id: *line_id, agents_may_edit: *agents_may_edit }]
                })
            }
            LineCommand::OpenWidget { line_id, company_id, key } => {
                if state.company_id != Some(*company_id) {
                    return Err(LineRejection::NotFound);
                }
                Ok(match state.widget_key {
                    Some(_) => vec![],
                    None => vec![LineEvent::WidgetOpened { line_id: *line_id, key: key.clone() }],
                })
            }
            LineCommand::LinkChannel { line_id, company_id, link } => {
                if state.company_id != Some(*company_id) {
                    return Err(LineRejection::NotFound);
                }
                link.check()?;
                Ok(vec![LineEvent::ChannelLinked { line_id: *line_id, link: link.clone() }])
            }
            LineCommand::UnlinkChannel { line_id, company_id } => {
                if state.company_id != Some(*company_id) {
                    return Err(LineRejection::NotFound);
                }
                match state.channel {
                    Some(_) => Ok(vec![LineEvent::ChannelUnlinked { line_id: *line_id }]),
                    None => Err(LineRejection::NoChannel),
                }
            }
            LineCommand::SetWebhook { line_id, company_id, webhook } => {
                if state.company_id != Some(*company_id) {
                    return Err(LineRejection::NotFound);
                }
                Ok(match webhook {
                    Some(hook) => {
                        let webhook = Webhook { url: parse_webhook_url(&hook.url)?, secret: hook.secret.clone() };
                        vec![LineEvent::WebhookSet { line_id: *line_id, webhook: Some(webhook) }]
                    }
                    None if state.webhook.is_none() => vec![],
                    None => vec![LineEvent::WebhookSet { line_id: *line_id, webhook: None }],
                })
            }
            LineCommand::RecordSending { line_id, outcome, at } => {
                let (line_id, at) = (*line_id, *at);
                Ok(match (outcome, &state.sending_failure) {
                    (Err(reason), None) => {
                        let reason = reason.trim().chars().take(crate::message::REASON_MAX_CHARS).collect();
                        vec![LineEvent::SendingFailed { line_id, reason, at }]
                    }
                    (Ok(()), Some(_)) => vec![LineEvent::SendingRestored { line_id, at }],
                    // Failing still, or working still: nothing new to tell.
                    _ => vec![],
                })
            }
            LineCommand::ChangeRouting { line_id, company_id, routing } => {
                if state.company_id != Some(*company_id) {
                    return Err(LineRejection::NotFound);
                }
                check_routing(routing)?;
                if state.routing.as_ref() == Some(routing) {
                    return Ok(vec![]);
                }
                Ok(vec![LineEvent::RoutingChanged { line_id: *line_id, routing: routing.clone() }])
            }
        }
    }

    fn evolve(mut state: LineState, event: &LineEvent) -> LineState {
        match event {
            LineEvent::Created { company_id, routing, webhook, .. } => {
                state.company_id = Some(*company_id);
                state.routing = Some(routing.clone());
                state.webhook = webhook.clone();
            }
            LineEvent::RoutingChanged { routing, .. } => state.routing = Some(routing.clone()),
            LineEvent::OfflinePolicySet { policy, .. } => state.offline_policy = *policy,
            LineEvent::MessageEditingSet { agents_may_edit, .. } => state.editing_forbidden = !agents_may_edit,
            LineEvent::WidgetOpened { key, .. } => state.widget_key = Some(key.clone()),
            LineEvent::ChannelLinked { link, .. } => state.channel = Some(link.clone()),
            LineEvent::ChannelUnlinked { .. } => state.channel = None,
            LineEvent::WebhookSet { webhook, .. } => state.webhook = webhook.clone(),
            LineEvent::SendingFailed { reason, .. } => state.sending_failure = Some(reason.clone()),
            LineEvent::SendingRestored { .. } => state.sending_failure = None,
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_names_are_the_events_own() {
        crate::event::check_names::<LineEvent>(LineEvent::NAMES);
    }
    use crate::decider::given;
    use uuid::Uuid;

    fn line() -> LineId {
        LineId::from_uuid(Uuid::from_u128(1))
    }
    fn company() -> CompanyId {
        CompanyId::from_uuid(Uuid::from_u128(2))
    }
    fn agent(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(100 + n))
    }
    fn created_for(agent: UserId) -> LineEvent {
        LineEvent::Created {
            line_id: line(),
            company_id: company(),
            name: "Shop".into(),
            routing: LineRouting::Agent(agent),
            webhook: None,
        }
    }
    fn create(routing: LineRouting, url: &str) -> LineCommand {
        LineCommand::Create {
            line_id: line(),
            company_id: company(),
            name: " Web  shop ".into(),
            routing,
            webhook: Some(Webhook { url: url.into(), secret: "s".into() }),
        }
    }

    #[test]
    fn a_line_refused_by_its_provider_fails_once_and_is_restored_by_its_next_message_out() {
        let at = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let record = |outcome: Result<(), String>| LineCommand::RecordSending { line_id: line(), outcome, at };
        let refused = || record(Err(" 190: Error validating access token ".into()));
        let failed =
            LineEvent::SendingFailed { line_id: line(), reason: "190: Error validating access token".into(), at };
        given::<Line>(vec![created_for(agent(1))]).when(refused()).then(vec![failed.clone()]);
        given::<Line>(vec![created_for(agent(1)), failed.clone()]).when(refused()).then(vec![]);
        given::<Line>(vec![created_for(agent(1)), failed.clone()])
            .when(record(Ok(())))
            .then(vec![LineEvent::SendingRestored { line_id: line(), at }]);
        given::<Line>(vec![created_for(agent(1))]).when(record(Ok(()))).then(vec![]);
    }

    #[test]
    fn agents_may_edit_their_messages_until_the_line_says_otherwise_and_repeats_change_nothing() {
        let set = |agents_may_edit| LineCommand::SetMessageEditing {
            line_id: line(),
            company_id: company(),
            agents_may_edit,
        };
        let created = vec![created_for(agent(1))];
        given::<Line>(created.clone()).when(set(true)).then(vec![]);
        given::<Line>(created.clone())
            .when(set(false))
            .then(vec![LineEvent::MessageEditingSet { line_id: line(), agents_may_edit: false }]);
        let mut forbidden = created;
        forbidden.push(LineEvent::MessageEditingSet { line_id: line(), agents_may_edit: false });
        given::<Line>(forbidden.clone()).when(set(false)).then(vec![]);
        given::<Line>(forbidden)
            .when(set(true))
            .then(vec![LineEvent::MessageEditingSet { line_id: line(), agents_may_edit: true }]);
        given::<Line>(vec![]).when(set(false)).then_rejects(LineRejection::NotFound);
    }

    #[test]
    fn a_line_is_created_with_its_routing_and_webhook() {
        given::<Line>(vec![]).when(create(LineRouting::Agent(agent(1)), " https://example.com/hook ")).then(vec![
            LineEvent::Created {
                line_id: line(),
                company_id: company(),
                name: "Web shop".into(),
                routing: LineRouting::Agent(agent(1)),
                webhook: Some(Webhook { url: "https://example.com/hook".into(), secret: "s".into() }),
            },
        ]);
    }

    #[test]
    fn a_webhook_is_set_with_a_new_secret_refused_when_no_address_and_taken_away() {
        let created = created_for(agent(1));
        let set = |url: &str| LineCommand::SetWebhook {
            line_id: line(),
            company_id: company(),
            webhook: Some(Webhook { url: url.into(), secret: "s2".into() }),
        };
        let hook = Webhook { url: "https://crm.example.com/in".into(), secret: "s2".into() };
        given::<Line>(vec![created.clone()])
            .when(set(" https://crm.example.com/in "))
            .then(vec![LineEvent::WebhookSet { line_id: line(), webhook: Some(hook.clone()) }]);
        given::<Line>(vec![created.clone()])
            .when(set("ftp://crm.example.com"))
            .then_rejects(LineRejection::InvalidWebhook);
        let remove = LineCommand::SetWebhook { line_id: line(), company_id: company(), webhook: None };
        given::<Line>(vec![created.clone()]).when(remove.clone()).then(vec![]);
        given::<Line>(vec![created, LineEvent::WebhookSet { line_id: line(), webhook: Some(hook) }])
            .when(remove)
            .then(vec![LineEvent::WebhookSet { line_id: line(), webhook: None }]);
    }

    #[test]
    fn bad_webhooks_and_groups_are_refused() {
        for url in ["ftp://x", "https://", "http:///path", "https://a b", "example.com"] {
            given::<Line>(vec![])
                .when(create(LineRouting::Agent(agent(1)), url))
                .then_rejects(LineRejection::InvalidWebhook);
        }
        given::<Line>(vec![])
            .when(create(LineRouting::Agents(vec![]), "https://x"))
            .then_rejects(LineRejection::InvalidGroup);
        given::<Line>(vec![])
            .when(create(LineRouting::Agents(vec![agent(1), agent(1)]), "https://x"))
            .then_rejects(LineRejection::InvalidGroup);
    }

    #[test]
    fn routing_changes_only_within_the_lines_company() {
        let created = created_for(agent(1));
        let to_group = LineRouting::Agents(vec![agent(1), agent(2)]);
        given::<Line>(vec![created.clone()])
            .when(LineCommand::ChangeRouting { line_id: line(), company_id: company(), routing: to_group.clone() })
            .then(vec![LineEvent::RoutingChanged { line_id: line(), routing: to_group.clone() }]);
        let other = CompanyId::from_uuid(Uuid::from_u128(3));
        given::<Line>(vec![created])
            .when(LineCommand::ChangeRouting { line_id: line(), company_id: other, routing: to_group })
            .then_rejects(LineRejection::NotFound);
    }

    #[test]
    fn a_widget_is_opened_once_and_keeps_its_key() {
        let created = created_for(agent(1));
        let open = |key: &str| LineCommand::OpenWidget { line_id: line(), company_id: company(), key: key.into() };
        given::<Line>(vec![created.clone()])
            .when(open("wk_1"))
            .then(vec![LineEvent::WidgetOpened { line_id: line(), key: "wk_1".into() }]);
        given::<Line>(vec![created, LineEvent::WidgetOpened { line_id: line(), key: "wk_1".into() }])
            .when(open("wk_2"))
            .then(vec![]);
        given::<Line>(vec![]).when(open("wk_1")).then_rejects(LineRejection::NotFound);
    }

    fn whatsapp(phone_number_id: &str) -> ChannelLink {
        ChannelLink::WhatsappCloud {
            phone_number_id: phone_number_id.into(),
            business_account_id: "1234567890987654321".into(),
            access_token: Sealed("sealed-token".into()),
            app_secret: Sealed("sealed-secret".into()),
            verify_token: Sealed("sealed-verify".into()),
            token_hint: "wxyz".into(),
        }
    }

    #[test]
    fn a_channel_is_linked_replaced_and_unlinked_within_the_lines_company() {
        let created = created_for(agent(1));
        let link = |id: &str| LineCommand::LinkChannel { line_id: line(), company_id: company(), link: whatsapp(id) };
        given::<Line>(vec![created.clone()])
            .when(link("1122334455667"))
            .then(vec![LineEvent::ChannelLinked { line_id: line(), link: whatsapp("1122334455667") }]);
        let linked = LineEvent::ChannelLinked { line_id: line(), link: whatsapp("1122334455667") };
        given::<Line>(vec![created.clone(), linked.clone()])
            .when(link("998877"))
            .then(vec![LineEvent::ChannelLinked { line_id: line(), link: whatsapp("998877") }]);
        for bad in ["", "12a4", "+34600", &"1".repeat(PROVIDER_ID_MAX_CHARS + 1)] {
            given::<Line>(vec![created.clone()]).when(link(bad)).then_rejects(LineRejection::InvalidChannel(
                "the phone number id and the business account id are Meta's numeric ids".into(),
            ));
        }
        let unlink = LineCommand::UnlinkChannel { line_id: line(), company_id: company() };
        given::<Line>(vec![created.clone(), linked.clone()])
            .when(unlink.clone())
            .then(vec![LineEvent::ChannelUnlinked { line_id: line() }]);
        given::<Line>(vec![created.clone()]).when(unlink).then_rejects(LineRejection::NoChannel);
        let other = CompanyId::from_uuid(Uuid::from_u128(3));
        given::<Line>(vec![created])
            .when(LineCommand::LinkChannel { line_id: line(), company_id: other, link: whatsapp("1") })
            .then_rejects(LineRejection::NotFound);
    }

    #[test]
    fn a_sealed_secret_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", Sealed("v1:abcdef".into())), "Sealed(…)");
        assert!(!format!("{:?}", whatsapp("1")).contains("sealed-token"));
    }

    #[test]
    fn a_group_or_single_agent_waits_in_the_lines_own_queue() {
        assert_eq!(LineRouting::Agent(agent(1)).queue_of(line()), line_queue(line()));
        let queue = QueueId::from_uuid(Uuid::from_u128(9));
        assert_eq!(LineRouting::Queue(queue).queue_of(line()), queue);
        assert!(LineRouting::Queue(queue).own_agents().is_empty());
    }
}
