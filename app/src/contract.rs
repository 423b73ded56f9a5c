//! The contract between the pages and the server: every view the server answers and every form a
//! page sends, as plain data. The pages render them; the server (`ssr::Services`) fills them.

use serde::{Deserialize, Serialize};

/// Who is signed in, as the pages need to know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Supervisor,
    Agent,
    Auditor,
}

impl Role {
    /// The page a role starts on.
    pub fn home(self) -> &'static str {
        match self {
            Role::Supervisor => "/supervisor/queues",
            Role::Agent => "/agent",
            Role::Auditor => "/supervisor/monitor",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonView {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatus {
    pub name: String,
    /// The reason and since when, while paused.
    pub paused: Option<(String, String)>,
    pub reasons: Vec<ReasonView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentView {
    pub id: String,
    pub name: String,
    pub email: String,
    /// Deactivated agents stay listed, marked, and sign in no more.
    pub active: bool,
    /// How many chats they handle at once.
    pub capacity: u32,
    /// The names of the queues they belong to.
    pub queues: Vec<String>,
}

/// An account on the company's blacklist (G19).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlacklistEntryView {
    pub channel: String,
    pub account_id: String,
    pub reason: String,
    /// When it was listed (RFC 3339).
    pub added_at: String,
    /// Its messages dropped since.
    pub dropped: i64,
}

/// The brand a page shows (W5): the company's name and, if it has one, its logo's address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrandingView {
    pub name: String,
    pub logo_url: Option<String>,
    /// The zone whose days the reports count (an IANA name); none: UTC.
    pub time_zone: Option<String>,
}

/// What's new (P8): the product's features with their state, and its changelog, as HTML the
/// server wrote from its own documents (nothing in them runs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsNewView {
    pub features_html: String,
    pub changelog_html: String,
}

/// A supervisor or an auditor, as the people page lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffView {
    pub id: String,
    pub name: String,
    pub email: String,
    /// `supervisor` or `auditor`.
    pub role: String,
    pub active: bool,
}

/// A new supervisor or auditor as the form writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewStaffForm {
    pub name: String,
    pub email: String,
    pub password: String,
    /// `supervisor` or `auditor`.
    pub role: String,
}

/// The company's limits (set by the operator) beside its use (A2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyUseView {
    pub agents: usize,
    pub max_agents: Option<u32>,
    pub signed_in_agents: usize,
    pub max_signed_in_agents: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAgentForm {
    pub name: String,
    pub email: String,
    pub password: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatView {
    pub id: String,
    pub contact: String,
    /// The chat's name for the company (W6), shown instead of the contact's.
    pub name: Option<String>,
    /// Its tags (W11).
    pub tags: Vec<String>,
    /// `waiting`, `pending` (the customer spoke last) or `following` (the agent did).
    pub state: String,
    pub last_text: String,
    /// When its last message was written (RFC 3339).
    pub last_at: String,
    /// The customer's messages no person has answered yet.
    pub unanswered: u32,
    pub agent: Option<String>,
    pub queue: Option<String>,
    pub line_id: String,
    /// The line's name.
    pub line: String,
}

/// One row of the file as it would be stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRowView {
    pub row: usize,
    pub number: Option<String>,
    pub given: bool,
    pub contact_id: Option<String>,
    pub contact_name: Option<String>,
    pub unchanged: bool,
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentPreviewView {
    pub rows: Vec<ConsentRowView>,
    pub to_record: usize,
    pub new_contacts: usize,
    pub refused: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentView {
    /// `general`, `channel` or `account`.
    pub level: String,
    /// The channel or account it is about, as people read it.
    pub about: String,
    pub given: bool,
    pub source: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChatView {
    pub id: String,
    pub line: String,
    pub state: String,
    pub last_text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactCardView {
    pub id: String,
    pub name: String,
    pub name_source: String,
    pub email: Option<String>,
    pub notes: String,
    pub business_id: Option<String>,
    pub merged_into: Option<String>,
    /// The contacts merged into this one.
    pub merges: Vec<MergeView>,
    pub accounts: Vec<AccountView>,
    pub consents: Vec<ConsentView>,
    pub chats: Vec<ContactChatView>,
    pub businesses: Vec<BusinessView>,
    /// Who looks after the contact (K6, R7): `agent:<id>`, `group:<queue id>`, or empty.
    pub owner: String,
    pub owner_name: Option<String>,
    /// What a supervisor may choose instead, as (value, shown); empty for everyone else.
    pub owner_choices: Vec<(String, String)>,
}

/// A contact merged into the one shown, and the merge that undoes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeView {
    pub merge: String,
    pub contact_id: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactEditForm {
    pub name: String,
    pub email: String,
    pub notes: String,
    /// Empty for none.
    pub business_id: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub channel: String,
    pub id: String,
    /// How many lines it talked to.
    pub lines: usize,
    /// What the most specific consent says of it (K4), if any was recorded.
    pub consented: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactListView {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub business: Option<String>,
    pub accounts: Vec<AccountView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessView {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewContactForm {
    pub name: String,
    pub email: String,
    /// A WhatsApp number, written any way.
    pub phone: String,
    /// Two letters reading a number written without its country code.
    pub country: String,
}

/// Where an import stands: rows done of the file's, and what they came to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: String,
    pub file_name: String,
    pub rows: usize,
    pub done: usize,
    pub finished: bool,
    pub created: usize,
    pub unchanged: usize,
    pub refused: Vec<RefusedRowView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusedRowView {
    pub row: usize,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationMessage {
    pub id: String,
    /// `in` from the customer, `out` to them, `note` between colleagues.
    pub direction: String,
    /// The customer's name, "Bot", or the agent's name.
    pub author: String,
    /// When it was written (RFC 3339).
    pub at: String,
    /// Whose colour the message takes (W4): `customer`, `bot`, `system`, or `agent-<n>`, n the
    /// order (0 to 5, then again) in which the chat's people first wrote.
    pub participant: String,
    pub text: String,
    pub media: Option<String>,
    /// `text`, `image`, `video`, `audio`, `voice`, `document`, `sticker`, `location`, `contacts`
    /// or `unsupported`.
    pub kind: String,
    /// A place the customer shared (C6).
    pub place: Option<Place>,
    /// Contact cards the customer shared: a name and its numbers each.
    pub cards: Vec<String>,
    /// The message this one quotes (C5): its text, or none when the chat does not hold it.
    pub quote: Option<Option<String>>,
    /// The customer's reaction to it (C8).
    pub reaction: Option<String>,
    /// How far it got on the customer's channel: `sent`, `delivered`, `read`, `played`, `failed`.
    pub status: Option<String>,
    /// Why it did not go out, or why its file is not here (yet).
    pub problem: Option<String>,
    /// Whether a reply may quote it: its channel knows it (C4).
    pub quotable: bool,
    /// What it said before its author changed it (G18), the first first: (words, until when).
    pub earlier: Vec<(String, String)>,
    /// Its author took it back (G18): colleagues still read it, the customer no longer.
    pub deleted: bool,
    /// The reader wrote it and may still change it: edit (when `editable`) or delete.
    pub yours: bool,
    /// Its words can change: a template or a place cannot.
    pub editable: bool,
}

/// The agent's own dashboard (P11): their chats now, and their day so far in their time zone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyDay {
    /// Assigned to them, the customer waiting for their answer.
    pub pending: i64,
    /// Assigned to them, answered, waiting for the customer.
    pub following: i64,
    /// Conversations they resolved since their midnight.
    pub resolved_today: i64,
    /// From each chat's assignment to them today to their first answer, on average, in seconds;
    /// none when they answered none yet.
    pub average_first_response: Option<i64>,
}

/// A place on the map: an `https://` link to it, and its name or coordinates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub link: String,
    pub label: String,
}

/// Where a chat may be transferred (R5): active colleagues and the company's queues, each as
/// (id, name).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferTargets {
    pub agents: Vec<(String, String)>,
    pub queues: Vec<(String, String)>,
}

/// A quick reply as the reply box offers it (G4, G5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyView {
    pub id: String,
    pub shortcut: String,
    pub title: String,
    pub text: String,
    pub category: Option<String>,
}

/// A quick reply as the supervisor's form writes it; `id` empty for a new one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyForm {
    pub id: String,
    pub shortcut: String,
    pub title: String,
    pub text: String,
    pub category: String,
}

/// A template as the supervisor's form submits it (W12): `examples` one per line; `shared` the
/// tick box, present (`on`) when ticked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateForm {
    pub line_id: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub body: String,
    #[serde(default)]
    pub examples: String,
    #[serde(default)]
    pub shared: Option<String>,
}

/// What the auditor asks of a chat's history: an event type (empty: every one), and from and
/// until moments as the browser's `datetime-local` writes them, in the person's zone (empty: no
/// bound).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryFilter {
    pub event_type: String,
    pub from: String,
    pub until: String,
}

/// A history as the log holds it (of a chat, contact, agent, queue or line), narrowed: its
/// events, the event types it has (to narrow by), and the address of the same as files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    /// `chats`, `contacts`, `agents`, `queues` or `lines`, and which.
    pub kind: String,
    pub id: String,
    /// What people call it (the contact's, agent's, queue's or line's name).
    pub name: String,
    /// Where the page's "back" leads.
    pub back: String,
    pub entries: Vec<HistoryEntryView>,
    pub event_types: Vec<String>,
    /// The files' address without its extension (`.csv`, `.xlsx`), and the narrowing to ask them.
    pub file: String,
    pub query: String,
}

/// One event: its revision in its stream, when, what, who (a person's name where the log
/// names a person), in answer to what, and its data as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntryView {
    pub revision: u64,
    pub occurred_at: String,
    pub event_type: String,
    pub actor: String,
    pub correlation_id: String,
    pub causation_id: Option<String>,
    pub data: String,
}

/// Which report to read: whole days (`YYYY-MM-DD`; blank: the last seven, today included) and
/// whose chats (`""` the company's, or `queue:<id>`, `line:<id>`, `agent:<id>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportFilter {
    pub from: String,
    pub until: String,
    pub of: String,
    /// The moment to read the report as it stood then (`datetime-local`, the reader's zone);
    /// blank: now.
    pub at: String,
}

/// A report (W8, P1–P10) as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportView {
    pub from: String,
    pub until: String,
    /// The zone whose days these are: the company's.
    pub time_zone: String,
    /// What it may be of: `(value, label)`, the company first.
    pub scopes: Vec<(String, String)>,
    pub of: String,
    /// Conversations opened in the days.
    pub incoming: i64,
    pub categories: Vec<ReportCategoryView>,
    pub agents: Vec<ReportAgentView>,
    pub options: Vec<ReportOptionView>,
    pub per_hour: Vec<TallyView>,
    pub per_day: Vec<TallyView>,
    pub per_queue: Vec<TallyView>,
    /// The query that asks the server's files for the same report (`from=…&until=…`).
    pub query: String,
    /// The moment it is read as it stood then (RFC 3339); none: now.
    pub at: Option<String>,
}

/// One category (P1–P5) with its total and its latest chats (P6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportCategoryView {
    /// `pending`, `following`, `open`, `new` or `resolved`.
    pub category: String,
    pub total: i64,
    pub chats: Vec<ReportChatView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportChatView {
    pub chat_id: String,
    pub contact: String,
    pub line: String,
    pub queue: Option<String>,
    pub agent: Option<String>,
    pub state: String,
    pub at: String,
    pub resolved_by: Option<String>,
}

/// One agent's row (P9): now, then in the days; averages in seconds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAgentView {
    pub name: String,
    pub pending: i64,
    pub following: i64,
    pub incoming: i64,
    pub resolved: i64,
    pub average_first_response: Option<i64>,
    pub average_response: Option<i64>,
}

/// One menu option's row (P10).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptionView {
    pub line: String,
    pub path: String,
    pub label: String,
    pub pending: i64,
    pub following: i64,
    pub incoming: i64,
    pub resolved: i64,
    pub ended_by_bot: i64,
}

/// Conversations of one hour, day or queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TallyView {
    pub key: String,
    pub incoming: i64,
    pub new: i64,
    pub resolved: i64,
}

/// A message template as its administration lists it (W12, W13).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateAdminView {
    pub name: String,
    pub language: String,
    pub category: String,
    pub body: String,
    /// The provider's last word: `PENDING`, `APPROVED`, `REJECTED`, `PAUSED`…, and why.
    pub status: String,
    pub reason: Option<String>,
    /// Every line of the company may send it, or only this line (its name).
    pub shared: bool,
    pub line: String,
}

/// Something that happened to a chat besides its messages (W14), in the page's words: `kind` is
/// `queued`, `assigned`, `transferred`, `renamed`, `tagged`, `untagged` or `resolved`; `who`
/// did it, `what` it came to (a queue, a colleague, a name, a tag).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationEvent {
    pub kind: String,
    pub who: Option<String>,
    pub what: Option<String>,
    pub at: String,
}

/// An approved template the agent may send in the chat (G3): its body shows `{{1}}`, `{{2}}`…
/// where the `variables` values go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateOffer {
    pub id: String,
    pub name: String,
    pub language: String,
    pub body: String,
    pub variables: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationView {
    pub id: String,
    pub contact: String,
    /// The chat's name for the company (W6), when it has one.
    pub name: Option<String>,
    /// Its tags (W11).
    pub tags: Vec<String>,
    pub state: String,
    pub messages: Vec<ConversationMessage>,
    /// Every file of the chat, oldest first (C3).
    pub files: Vec<FileLink>,
    /// What the chat's line may send when free text is no longer taken.
    pub templates: Vec<TemplateOffer>,
    /// What happened besides the messages, oldest first (W14).
    pub events: Vec<ConversationEvent>,
    /// The chat has earlier messages than those shown.
    pub earlier: bool,
    /// The customer's channel shows edits and deletions (the web widget); others keep what they
    /// got (G18).
    pub changes_reach_customer: bool,
    /// Who has the chat now, if anyone: an agent, or a supervisor who took it over.
    pub agent: Option<String>,
    /// The one reading it has it: theirs to answer.
    pub yours: bool,
    /// The past moment shown (RFC 3339), read-only; none: now.
    pub at: Option<String>,
}

/// A file of a chat: where it is, and what to call it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileLink {
    pub link: String,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub id: String,
    pub name: String,
    /// Where new chats go, in words.
    pub routes_to: String,
    /// The line's menu as JSON, when it has one.
    pub menu: Option<String>,
    /// The tag web pages embed the widget with, once opened.
    pub widget_snippet: Option<String>,
    /// The WhatsApp number linked to the line (G10), if any.
    pub whatsapp: Option<WhatsappLinkView>,
    /// What happens to a chat whose agent goes offline (G6): `wait`, `transfer_to_queue` or
    /// `ask_the_customer`.
    pub offline_policy: String,
    /// Its agents may edit and delete their own messages (G18).
    pub agents_may_edit: bool,
    /// Where new chats go: `queue`, `agent`, `agents` (a group) or `menu`; and the ids it names.
    pub route_kind: String,
    pub route_ids: Vec<String>,
    /// Where the line's messages are POSTed, if anywhere.
    pub webhook_url: Option<String>,
    /// Since when (RFC 3339) and why the line cannot send (W15); none: it sends.
    pub cannot_send: Option<(String, String)>,
}

/// An API key of the company as the lines page lists it: never the key itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: String,
    pub name: String,
    /// The key's first characters, to tell keys apart.
    pub prefix: String,
    pub revoked: bool,
}

/// A line's WhatsApp Cloud link as its supervisor checks it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappLinkView {
    pub phone_number_id: String,
    pub business_account_id: String,
    /// The last characters of the access token.
    pub token_hint: String,
    /// The callback URL to paste at Meta.
    pub callback_url: String,
    /// When Meta last reached the callback (RFC 3339), as this server saw it.
    pub last_notification_at: Option<String>,
    /// The last notification refused, and why.
    pub last_refusal: Option<String>,
}

/// The credentials of a WhatsApp Cloud number, as the supervisor copies them from Meta.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappLinkForm {
    pub phone_number_id: String,
    pub business_account_id: String,
    pub access_token: String,
    pub app_secret: String,
    /// Empty: one is made.
    #[serde(default)]
    pub verify_token: String,
}

/// What to paste at Meta once a line is linked; the verify token is shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappLinked {
    pub line_id: String,
    pub callback_url: String,
    pub verify_token: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewLineView {
    /// `customer`, `bot` or `system`.
    pub from: String,
    pub text: String,
    /// Buttons: (what tapping answers, what it reads).
    pub choices: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuPreview {
    /// Why the menu cannot be used, if it cannot.
    pub problem: Option<String>,
    /// The option the problem is in, as the options leading to it from the first level (none:
    /// the first level, or elsewhere in the menu).
    pub problem_at: Option<Vec<usize>>,
    pub lines: Vec<PreviewLineView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentMonitorView {
    pub id: String,
    pub name: String,
    /// `online`, `paused` or `offline`.
    pub state: String,
    pub paused: Option<(String, String)>,
    /// Their chats where the customer waits for them, and those where they wait for the customer.
    pub pending: usize,
    pub following: usize,
    pub capacity: i64,
    /// Reason and minutes, since midnight in the supervisor's time zone.
    pub paused_today: Vec<(String, i64)>,
}

/// A queue as the monitor shows it: the chats waiting in it for an agent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueMonitorView {
    pub id: String,
    pub name: String,
    pub waiting: i64,
    /// How long the chat that has waited longest has waited, in minutes.
    pub longest_wait: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitorView {
    pub agents: Vec<AgentMonitorView>,
    pub queues: Vec<QueueMonitorView>,
    pub chats: Vec<ChatView>,
    /// The past moment shown (RFC 3339), read-only; none: now.
    pub at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub id: String,
    pub name: String,
    pub members: Vec<MemberView>,
    /// Told to waiting customers (`{position}`: their place in line); empty says nothing.
    pub waiting_message: String,
    /// A chat its agent has not answered within these minutes goes to the next agent.
    pub no_answer_minutes: Option<u32>,
}

/// A queue's name and settings as the supervisor's form writes them; the minutes as typed, empty
/// for never.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueForm {
    pub queue_id: String,
    pub name: String,
    pub waiting_message: String,
    pub no_answer_minutes: String,
}

/// A colleague (G8) as the workspace lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColleagueView {
    pub id: String,
    pub name: String,
    /// What they wrote that the reader has not read.
    pub unread: u32,
    pub last_text: Option<String>,
}

/// One conversation with a colleague.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColleagueChatView {
    /// The colleague's name.
    pub name: String,
    pub messages: Vec<InternalMessageView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalMessageView {
    pub id: String,
    /// Written by the reader.
    pub mine: bool,
    pub author: String,
    pub text: String,
    pub at: String,
}

/// A line an agent may write first from (G3, W10), with the templates it may open with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartLineView {
    pub id: String,
    pub name: String,
    pub templates: Vec<TemplateOffer>,
}

/// A file uploaded to a chat, to send in a reply (C1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptFileView {
    /// The address to send as the reply's `media`.
    pub url: String,
}
