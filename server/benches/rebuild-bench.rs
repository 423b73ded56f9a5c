//! Rebuild benchmark: one company's last 90 days of customer service as its log holds them —
//! about a million events (`EVENTS=…` to change it) on three lines, three queues and twenty
//! agents. Customers write; the menu bot sorts them; they wait in a queue, are assigned, answered,
//! now and then passed to another queue or a colleague, and resolved. Every event is decided by
//! the domain's own deciders and stored as the server would have stored it (its actor, its moment
//! of the history), and the contacts are made as the contact keeper makes them.
//!
//! Then, same run, same database:
//! - baseline: a raw scan of the log, page after page (`read_all`), counting;
//! - every read model rebuilt from position 0 into the database's read store, as time travel and
//!   `server audit` rebuild them (one read of the log feeding them all): the time, events per
//!   second, and the rebuild ÷ the raw scan;
//! - the report a supervisor reads (`GET /api/v1/reports`) over 7, 30 and 90 days and of one
//!   queue, from a server started on that history once its workers have caught up with it;
//! - `server audit` on that database, as an operator runs it.
//!
//! Goals: the rebuild under 30 s, a report's p99 under 200 ms, the audit under 60 s.
//!
//! `make bench` (TEST_DATABASE_URL names the PostgreSQL database). Not a test: it asserts nothing.
//! `BENCH_KEEP=<file>` keeps a copy of the SQLite database at the end, to look into its queries.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Timelike, Utc, Weekday};
use domain::actor::Actor;
use domain::agent::{agent_stream, Agent, AgentCommand, AgentEvent, AgentState};
use domain::chat::{chat_of, chat_stream, Chat, ChatCommand, ChatEvent, ChatState, Inbound, Resolver, TransferTarget};
use domain::company::{company_stream, Company, CompanyCommand, CompanyLimits, CompanyState};
use domain::contact::{Account, Channel, NameSource};
use domain::decider::Decider;
use domain::email::Email;
use domain::event::DomainEvent;
use domain::ids::{ChatId, CompanyId, ConversationId, LineId, QueueId, UserId};
use domain::line::{line_stream, Line, LineCommand, LineRouting, LineState, Webhook};
use domain::menu::{Menu, MenuAction, MenuOption};
use domain::message::Content;
use domain::pause::{pause_reasons_stream, PauseReasonCommand, PauseReasons, PauseReasonsState};
use domain::queue::{
    personal_queue, queue_name_stream, queue_stream, Queue, QueueCommand, QueueName, QueueSettings, QueueState,
};
use domain::reservation::{Reservation, ReservationCommand, ReservationState, Reserved};
use domain::user::{email_stream, user_stream, PasswordHash, Role, User, UserCommand, UserState};
use eventlog::testing::{fresh_database, Backend, TestDatabase};
use eventlog::{EventLog, ExpectedRevision, Position, StreamBatch};
use projections::ReadStore;
use server::services::contacts::directory::{channel_contact, first_contact, ChannelName};
use server::write::command::{CommandContext, Decided};
use std::collections::{BTreeMap, HashSet};
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

// Shared with the other benchmarks, which use the parts this one does not (their API key).
#[allow(dead_code)]
mod bench_support;
use bench_support::{backends, percentile, secrets_key, settle, start_server_with};

/// The events the history holds when `EVENTS` says nothing else.
const EVENTS: usize = 1_000_000;
/// The history's days, the last of them yesterday.
const DAYS: u64 = 90;
const AGENTS: usize = 20;
/// The company's attention queues and their members (agents by number): some agents work in two.
const QUEUES: [(&str, Range<usize>); 3] = [("Sales", 0..8), ("Support", 6..16), ("Billing", 14..20)];
/// The supervisor who set the company up, and who reads the reports.
const EMAIL: &str = "supervisor@bench.example.com";
const PASSWORD: &str = "benchmark password";
/// Where the agents' live connections were open.
const NODE: &str = "10.0.0.7:3000";
const LUNCH: &str = "Lunch";
/// The agents' shift, and when customers start writing, in minutes of the day (UTC: the company
/// has no time zone of its own, so its reports count UTC days).
const SHIFT_STARTS: u32 = 8 * 60;
const SHIFT_ENDS: u32 = 20 * 60;
const FIRST_CHAT: u32 = 8 * 60 + 5;
/// Late enough that the longest conversation still ends within the shift.
const LAST_CHAT: u32 = 18 * 60;
/// How customers and agents behave, in percent.
const RETURNING_PERCENT: u64 = 40;
const WRONG_ANSWER_PERCENT: u64 = 5;
const WAITING_PERCENT: u64 = 35;
const QUEUE_TRANSFER_PERCENT: u64 = 8;
const AGENT_TRANSFER_PERCENT: u64 = 4;
const TAG_PERCENT: u64 = 10;
const NOTE_PERCENT: u64 = 5;
const SUPERVISOR_RESOLVES_PERCENT: u64 = 3;
/// Events per `append_many`, each stream once in it, so that the log takes it in one insert (its
/// fast path), and per transaction.
const EVENTS_PER_APPEND: usize = 1_000;
const EVENTS_PER_TRANSACTION: usize = 10_000;
const SCAN_PAGE: usize = projections::together::PAGE;
/// Requests per report timed.
const REQUESTS: usize = 50;
/// How long the server's workers may take to catch up with the history before the reports are
/// timed anyway.
const WORKERS_WAIT: Duration = Duration::from_secs(15 * 60);

const FIRST_NAMES: [&str; 12] =
    ["Ana", "María", "José", "Lucía", "Pedro", "Sofía", "Juan", "Elena", "Luis", "Carmen", "Diego", "Paula"];
const LAST_NAMES: [&str; 12] = [
    "García",
    "López",
    "Martínez",
    "González",
    "Rodríguez",
    "Fernández",
    "Pérez",
    "Sánchez",
    "Romero",
    "Díaz",
    "Ruiz",
    "Torres",
];
const FIRST_WORDS: [&str; 6] = [
    "Hola, buenos días",
    "Hello, I need some help",
    "Buenas tardes, tengo una consulta",
    "Hi! A quick question about my order",
    "Hola, ¿hay alguien?",
    "Good morning",
];
const CUSTOMER_WORDS: [&str; 8] = [
    "El pedido 48213 no ha llegado todavía",
    "I was charged twice for the same order",
    "¿Podéis cambiar la dirección de entrega?",
    "The app says my card was declined",
    "Vale, muchas gracias",
    "Can you send me the invoice again?",
    "Sí, es ese mismo",
    "Perfect, that works for me",
];
const GREETINGS: [&str; 3] = [
    "Hola, soy de atención al cliente. ¿En qué puedo ayudarte?",
    "Hi, thanks for waiting! Let me have a look.",
    "Buenas, ahora mismo lo reviso.",
];
const AGENT_WORDS: [&str; 8] = [
    "¿Me puedes dar el número de pedido?",
    "I have found your order; it leaves the warehouse today.",
    "Te acabo de enviar la factura por correo.",
    "The duplicate charge is refunded; it takes 3 to 5 days.",
    "Hecho, la dirección ya está cambiada.",
    "Could you try again with another card?",
    "¿Algo más en lo que pueda ayudarte?",
    "You're welcome, have a nice day!",
];
const TAKING_OVER: &str = "Hola, te atiendo yo a partir de ahora.";
const QUEUE_NOTES: [&str; 2] = ["It is about an invoice", "Needs a technician"];
const AGENT_NOTES: [&str; 2] = ["She asked for you", "You handled his last order"];
const TAGS: [&str; 3] = ["vip", "complaint", "follow-up"];
const NOTES: [&str; 2] = ["Call back tomorrow if the parcel has not arrived", "Refund approved by billing"];

/// A small deterministic dice (splitmix64): the same history on every run, without a crate for it.
struct Dice(u64);

impl Dice {
    fn roll(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.roll() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn between(&mut self, least: i64, most: i64) -> i64 {
        least + self.below((most - least + 1) as u64) as i64
    }

    fn words(&mut self, options: &[&'static str]) -> &'static str {
        options[self.below(options.len() as u64) as usize]
    }
}

/// What the domain decides on `state` for `command`, with `state` moved past it: every event of
/// the history is one its decider decided.
fn decide<D>(state: &mut D::State, command: &D::Command) -> Vec<D::Event>
where
    D: Decider,
    D::Command: std::fmt::Debug,
    D::Rejection: std::fmt::Debug,
{
    let events = D::decide(state, command).unwrap_or_else(|rejection| panic!("{command:?} was refused: {rejection:?}"));
    *state = events.iter().fold(std::mem::take(state), D::evolve);
    events
}

/// The history being written: each day's decisions at their moments, appended in the order of
/// those moments once the day is decided.
#[derive(Default)]
struct History {
    today: Vec<(DateTime<Utc>, StreamBatch)>,
    /// Events written of each type, for the summary.
    kinds: BTreeMap<String, usize>,
    events: usize,
    /// Customers' messages so far: each gets an id of its own, as a channel gives it.
    messages: u64,
}

impl History {
    /// Events decided by `context`, stored as the server stores them (its metadata, the bot as the
    /// actor of what the bot says). Streams are written in the order of their moments, so no
    /// revision need be checked.
    fn record<E: DomainEvent>(&mut self, context: &CommandContext, stream: &str, events: &[E]) {
        if events.is_empty() {
            return;
        }
        let decided = Decided::new(context, stream, ExpectedRevision::Any, events).expect("the events are stored data");
        self.keep(context.now, decided);
    }

    fn keep(&mut self, at: DateTime<Utc>, decided: Decided) {
        if decided.is_empty() {
            return;
        }
        for event in decided.events() {
            *self.kinds.entry(event.event_type.clone()).or_default() += 1;
        }
        self.events += decided.events().len();
        self.today.push((at, StreamBatch::from(decided)));
    }

    fn next_message_id(&mut self) -> String {
        self.messages += 1;
        format!("in-{:09}", self.messages)
    }

    /// Appends the day's decisions in the order of their moments (conversations overlap, as
    /// they do), in large transactions.
    async fn append(&mut self, log: &dyn EventLog) {
        let mut day = std::mem::take(&mut self.today);
        // Stable: what one stream decided at the same moment stays in the order it was decided.
        day.sort_by_key(|(at, _)| *at);
        let mut transaction = log.begin().await.expect("a transaction");
        let mut run: Vec<StreamBatch> = Vec::new();
        let mut streams: HashSet<String> = HashSet::new();
        let (mut rows, mut uncommitted) = (0, 0);
        for (_, batch) in day {
            let full = streams.contains(&batch.stream) || rows + batch.events.len() > EVENTS_PER_APPEND;
            if full && !run.is_empty() {
                transaction.append_many(std::mem::take(&mut run)).await.expect("the history appends");
                streams.clear();
                uncommitted += rows;
                rows = 0;
                if uncommitted >= EVENTS_PER_TRANSACTION {
                    transaction.commit().await.expect("the history commits");
                    transaction = log.begin().await.expect("a transaction");
                    uncommitted = 0;
                }
            }
            streams.insert(batch.stream.clone());
            rows += batch.events.len();
            run.push(batch);
        }
        if !run.is_empty() {
            transaction.append_many(run).await.expect("the history appends");
        }
        transaction.commit().await.expect("the history commits");
    }
}

/// The company as its supervisor set it up before the history begins.
struct Shop {
    company: CompanyId,
    supervisor: UserId,
    agents: Vec<UserId>,
    queues: Vec<AttentionQueue>,
    /// The web shop's widget, a WhatsApp number and an Instagram account, in that order.
    lines: Vec<CompanyLine>,
    lunch: Uuid,
    /// An agent on shift, online and not paused: what the router checks before it gives them a chat.
    on_shift: AgentState,
}

struct AttentionQueue {
    id: QueueId,
    /// The agents who take its chats, by number.
    members: Vec<usize>,
}

struct CompanyLine {
    id: LineId,
    channel: Channel,
    routing: LineRouting,
    /// An API line's messages out reach its webhook and are recorded delivered; the widget's
    /// visitors read theirs in place.
    delivers: bool,
}

fn person(n: u64) -> String {
    let first = FIRST_NAMES[(n % FIRST_NAMES.len() as u64) as usize];
    let last = LAST_NAMES[(n / FIRST_NAMES.len() as u64 % LAST_NAMES.len() as u64) as usize];
    format!("{first} {last}")
}

/// The supervisor's password as sign-in checks it (argon2id, as the server hashes passwords).
fn password_hash() -> PasswordHash {
    let salt = SaltString::generate(&mut OsRng);
    let phc = Argon2::default().hash_password(PASSWORD.as_bytes(), &salt).expect("the password hashes").to_string();
    PasswordHash::new(phc)
}

/// A person registered as the server registers them: the e-mail address claimed, then the user.
fn register(
    history: &mut History,
    context: &CommandContext,
    user: UserId,
    email: &str,
    name: &str,
    role: Role,
    password: &PasswordHash,
) {
    let company = CompanyId::from_uuid(context.company_id);
    let email = Email::parse(email).expect("an e-mail address");
    let claim =
        ReservationCommand::Claim { owner: user.as_uuid(), name: email.to_string(), what: Reserved::EmailAddress };
    let claimed = decide::<Reservation>(&mut ReservationState::default(), &claim);
    history.record(context, &email_stream(&email), &claimed);
    let registration = UserCommand::Register {
        user_id: user,
        company_id: company,
        email,
        name: name.into(),
        role,
        password_hash: password.clone(),
    };
    let registered = decide::<User>(&mut UserState::default(), &registration);
    history.record(context, &user_stream(user), &registered);
}

/// The menu both the widget and the WhatsApp number greet new conversations with.
fn shop_menu(sales: QueueId, support: QueueId, billing: QueueId) -> Menu {
    let to = |queue: QueueId, message: &str| MenuAction::Queue {
        queue,
        message: Some(message.to_string()),
        on_assignment: None,
    };
    let option = |label: &str, action: MenuAction| MenuOption { label: label.to_string(), action };
    let tracking = MenuAction::Text {
        text: "Track your order at https://shop.example.com/orders with its number.".into(),
        resolve: false,
    };
    let buying = MenuAction::Submenu {
        header: "What are you looking for?".into(),
        options: vec![
            option("New order", to(sales, "Our sales team will write to you in a moment.")),
            option("Where is my order?", tracking),
        ],
    };
    let hours = MenuAction::Text { text: "We answer every day from 8:00 to 20:00.".into(), resolve: false };
    let options = vec![
        option("Buy something", buying),
        option("Technical support", to(support, "A technician will be with you shortly.")),
        option("Billing and invoices", to(billing, "Someone from billing will be with you shortly.")),
        option("Opening hours", hours),
    ];
    let mut menu = Menu::new("Hello! Welcome to the shop. How can we help you?", options);
    menu.agent_queue = Some(support);
    menu.farewell = Some("Thank you for writing to us. Have a nice day!".into());
    menu
}

fn webhook(line: &str) -> Webhook {
    Webhook {
        url: format!("https://crm.example.com/ikono/{line}"),
        secret: format!("{}{}", Uuid::now_v7().simple(), Uuid::now_v7().simple()),
    }
}

fn open_line(
    history: &mut History,
    context: &CommandContext,
    name: &str,
    channel: Channel,
    routing: LineRouting,
    webhook: Option<Webhook>,
) -> CompanyLine {
    let company = CompanyId::from_uuid(context.company_id);
    let line = LineId::from_uuid(Uuid::now_v7());
    let delivers = webhook.is_some();
    let mut state = LineState::default();
    let create = LineCommand::Create {
        line_id: line,
        company_id: company,
        name: name.into(),
        routing: routing.clone(),
        webhook,
    };
    let created = decide::<Line>(&mut state, &create);
    history.record(context, &line_stream(line), &created);
    if channel == Channel::Web {
        let key = format!("wk_{}", Uuid::new_v5(&line.as_uuid(), b"widget").simple());
        let opened = decide::<Line>(&mut state, &LineCommand::OpenWidget { line_id: line, company_id: company, key });
        history.record(context, &line_stream(line), &opened);
    }
    CompanyLine { id: line, channel, routing, delivers }
}

/// The company, its supervisor and agents, queues, pause reason and lines, the day before the
/// history begins.
fn set_up(history: &mut History, at: DateTime<Utc>) -> Shop {
    let company = bench_support::company();
    let operator = CommandContext::new(company.as_uuid(), "operator", at);
    let mut firm = CompanyState::default();
    let create = CompanyCommand::Create {
        company_id: company,
        name: "Ikono bench shop".into(),
        limits: CompanyLimits::default(),
    };
    let created = decide::<Company>(&mut firm, &create);
    history.record(&operator, &company_stream(company), &created);
    let password = password_hash();
    let supervisor = UserId::from_uuid(Uuid::now_v7());
    register(history, &operator, supervisor, EMAIL, "Sofía Supervisor", Role::Supervisor, &password);

    // What the supervisor set up next, a few minutes later.
    let boss =
        CommandContext::new(company.as_uuid(), Actor::Supervisor(supervisor).to_string(), at + TimeDelta::minutes(5));
    let mut agents = Vec::new();
    for n in 0..AGENTS {
        let agent = UserId::from_uuid(Uuid::now_v7());
        let email = format!("agent{n:02}@bench.example.com");
        register(history, &boss, agent, &email, &person(n as u64 * 7 + 3), Role::Agent, &password);
        let seat = decide::<Company>(&mut firm, &CompanyCommand::TakeSeat { company_id: company, agent });
        history.record(&boss, &company_stream(company), &seat);
        let capacity = decide::<Agent>(&mut AgentState::default(), &AgentCommand::SetCapacity { agent, capacity: 5 });
        history.record(&boss, &agent_stream(agent), &capacity);
        agents.push(agent);
    }
    let mut queues = Vec::new();
    for (name, members) in QUEUES {
        let queue = QueueId::from_uuid(Uuid::now_v7());
        let name = QueueName::parse(name).expect("a queue name");
        let claim =
            ReservationCommand::Claim { owner: queue.as_uuid(), name: name.to_string(), what: Reserved::QueueName };
        let claimed = decide::<Reservation>(&mut ReservationState::default(), &claim);
        history.record(&boss, &queue_name_stream(company, &name), &claimed);
        let mut state = QueueState::default();
        let created =
            decide::<Queue>(&mut state, &QueueCommand::CreateQueue { queue_id: queue, company_id: company, name });
        history.record(&boss, &queue_stream(queue), &created);
        for member in members.clone() {
            let add = QueueCommand::AddAgent { queue_id: queue, company_id: company, agent: agents[member] };
            let added = decide::<Queue>(&mut state, &add);
            history.record(&boss, &queue_stream(queue), &added);
        }
        queues.push(AttentionQueue { id: queue, members: members.collect() });
    }
    let lunch = Uuid::now_v7();
    let reason = PauseReasonCommand::Create { reason_id: lunch, name: LUNCH.into() };
    let reasons = decide::<PauseReasons>(&mut PauseReasonsState::default(), &reason);
    history.record(&boss, &pause_reasons_stream(company), &reasons);

    let (sales, support, billing) = (queues[0].id, queues[1].id, queues[2].id);
    let menu = shop_menu(sales, support, billing);
    let (widget_menu, whatsapp_menu) = (LineRouting::Menu(Box::new(menu.clone())), LineRouting::Menu(Box::new(menu)));
    let lines = vec![
        open_line(history, &boss, "Web shop", Channel::Web, widget_menu, None),
        open_line(history, &boss, "WhatsApp", Channel::Whatsapp, whatsapp_menu, Some(webhook("wa"))),
        open_line(history, &boss, "Instagram", Channel::Instagram, LineRouting::Queue(sales), Some(webhook("ig"))),
    ];
    let on_shift = Agent::fold(&[AgentEvent::CameOnline { agent: agents[0], node: NODE.into(), at }]);
    Shop { company, supervisor, agents, queues, lines, lunch, on_shift }
}

fn moment(date: NaiveDate, minute_of_day: u32, second: u32) -> DateTime<Utc> {
    date.and_hms_opt(minute_of_day / 60, minute_of_day % 60, second).expect("a time of the day").and_utc()
}

fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).expect("a day")
}

fn days_after(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).expect("a day")
}

/// Half as many customers write at weekends.
fn weight(date: NaiveDate) -> f64 {
    if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
        0.5
    } else {
        1.0
    }
}

/// The half hour or so each agent is paused for lunch, in minutes of the day: half of them
/// before the other half, so every queue has someone.
fn lunch_of(agent: usize) -> Range<u32> {
    if agent.is_multiple_of(2) {
        13 * 60..13 * 60 + 45
    } else {
        13 * 60 + 45..14 * 60 + 30
    }
}

/// Whether agent number `agent` is online and not paused at `at`: the router's condition.
fn on_shift(agent: usize, at: DateTime<Utc>) -> bool {
    let minute = at.hour() * 60 + at.minute();
    (SHIFT_STARTS..SHIFT_ENDS).contains(&minute) && !lunch_of(agent).contains(&minute)
}

/// One customer's account on one line, and the chat it has there.
struct Customer {
    account: Account,
    name: String,
    chat: ChatId,
    state: ChatState,
    /// The day of their latest conversation: a customer writes again on a later day.
    last_day: u64,
}

impl Customer {
    /// The `n`th customer the company meets, writing to `line`.
    fn first_seen(line: &CompanyLine, n: u64, day: u64) -> Self {
        let (id, name) = match line.channel {
            // As the widget names its visitors: an id of 32 hex digits, and its start.
            Channel::Web => {
                let visitor =
                    Uuid::new_v5(&Uuid::NAMESPACE_OID, format!("visitor {n}").as_bytes()).simple().to_string();
                let name = format!("Visitor {}", &visitor[..4]);
                (format!("web-{visitor}"), name)
            }
            Channel::Whatsapp => (format!("+34{}", 600_000_000 + n), person(n)),
            _ => ((17_841_400_000_000_000 + n).to_string(), person(n)),
        };
        let account = Account::parse(line.channel, &id, None).expect("the customer's account");
        let chat = chat_of(line.id, &account.id);
        Customer { account, name, chat, state: ChatState::default(), last_day: day }
    }
}

/// The company's days: its agents' shifts, and its customers' conversations.
struct Traffic<'s> {
    shop: &'s Shop,
    dice: Dice,
    /// Each line's customers, in the order they were met.
    customers: Vec<Vec<Customer>>,
    /// How many of each line's customers were met before today: those may write again.
    known_before_today: Vec<usize>,
    met: u64,
    /// Where each queue's round of its members stands.
    turns: Vec<usize>,
    /// Each agent's working state, from one day to the next.
    shifts: Vec<AgentState>,
}

impl<'s> Traffic<'s> {
    fn of(shop: &'s Shop) -> Self {
        Traffic {
            shop,
            dice: Dice(0x1C0_0C4A7),
            customers: shop.lines.iter().map(|_| Vec::new()).collect(),
            known_before_today: vec![0; shop.lines.len()],
            met: 0,
            turns: vec![0; shop.queues.len()],
            shifts: vec![AgentState::default(); shop.agents.len()],
        }
    }

    fn new_day(&mut self) {
        self.known_before_today = self.customers.iter().map(Vec::len).collect();
    }

    /// Every agent comes online before 8:00, pauses for lunch and goes offline after 20:00.
    fn shift(&mut self, history: &mut History, date: NaiveDate) {
        let shop = self.shop;
        for (index, &agent) in shop.agents.iter().enumerate() {
            let state = &mut self.shifts[index];
            let late = (index % 5) as u32;
            let lunch = lunch_of(index);
            let online = moment(date, SHIFT_STARTS - 5 + late, 0);
            let paused = moment(date, lunch.start, 0);
            let resumed = moment(date, lunch.end, 0);
            let offline = moment(date, SHIFT_ENDS + late, 0);
            let day = [
                (online, AgentCommand::ComeOnline { agent, node: NODE.into(), at: online }),
                (paused, AgentCommand::Pause { agent, reason_id: shop.lunch, reason: LUNCH.into(), at: paused }),
                (resumed, AgentCommand::Resume { agent, at: resumed }),
                (offline, AgentCommand::GoOffline { agent, node: NODE.into(), at: offline }),
            ];
            for (at, command) in day {
                let events = decide::<Agent>(state, &command);
                let context = CommandContext::new(shop.company.as_uuid(), Actor::Agent(agent).to_string(), at);
                history.record(&context, &agent_stream(agent), &events);
            }
        }
    }

    /// Which line the next customer writes to: the widget, WhatsApp or Instagram.
    fn line_for_next_customer(&mut self) -> usize {
        match self.dice.below(100) {
            0..=34 => 0,
            35..=84 => 1,
            _ => 2,
        }
    }

    /// A customer of `line` met before today (not yet back today), or one met now.
    fn customer(&mut self, line: usize, day: u64) -> (usize, bool) {
        let known = self.known_before_today[line];
        if known > 0 && self.dice.chance(RETURNING_PERCENT) {
            let index = self.dice.below(known as u64) as usize;
            if self.customers[line][index].last_day != day {
                return (index, false);
            }
        }
        self.met += 1;
        let customer = Customer::first_seen(&self.shop.lines[line], self.met, day);
        self.customers[line].push(customer);
        (self.customers[line].len() - 1, true)
    }

    /// One conversation, from the customer's first message at `start` to its resolution.
    fn conversation(&mut self, history: &mut History, day: u64, start: DateTime<Utc>) {
        let shop = self.shop;
        let line = self.line_for_next_customer();
        let (index, new) = self.customer(line, day);
        let customer = &mut self.customers[line][index];
        customer.last_day = day;
        let mut conversation = Conversation {
            shop,
            line: &shop.lines[line],
            chat: customer.chat,
            account: customer.account.clone(),
            name: customer.name.clone(),
            state: std::mem::take(&mut customer.state),
            now: start,
        };
        let first_words = self.dice.words(&FIRST_WORDS);
        conversation.customer_says(history, first_words);
        if new {
            conversation.meet(history);
        }
        let sorted_by_the_bot = conversation.line.routing.menu().is_some();
        if !sorted_by_the_bot || self.with_the_bot(&mut conversation, history) {
            self.with_agents(&mut conversation, history);
        }
        self.customers[line][index].state = conversation.state;
    }

    /// The menu bot's part: the customer chooses (a wrong answer first now and then). Answers
    /// whether the conversation goes on to an agent; otherwise it ended at the bot.
    fn with_the_bot(&mut self, conversation: &mut Conversation<'_>, history: &mut History) -> bool {
        self.wait(conversation, 10, 90);
        if self.dice.chance(WRONG_ANSWER_PERCENT) {
            conversation.customer_says(history, "hola??");
            self.wait(conversation, 10, 60);
        }
        match self.dice.below(100) {
            // Technical support.
            0..=44 => conversation.customer_says(history, "2"),
            // Buy something › New order.
            45..=69 => {
                conversation.customer_says(history, "1");
                self.wait(conversation, 5, 40);
                conversation.customer_says(history, "1");
            }
            // Buy something › Where is my order?, then "That's all, thanks": ended at the bot.
            70..=79 => {
                conversation.customer_says(history, "1");
                self.wait(conversation, 5, 40);
                conversation.customer_says(history, "2");
                self.wait(conversation, 20, 120);
                conversation.customer_says(history, "3");
            }
            // Billing and invoices.
            80..=91 => conversation.customer_says(history, "3"),
            // Opening hours, then "Talk to an agent".
            _ => {
                conversation.customer_says(history, "4");
                self.wait(conversation, 20, 120);
                conversation.customer_says(history, "2");
            }
        }
        conversation.state.conversation.is_some()
    }

    /// Waiting in a queue (told their place now and then), assigned, answered, sometimes passed
    /// on, tagged or noted, resolved.
    fn with_agents(&mut self, conversation: &mut Conversation<'_>, history: &mut History) {
        let Some(queue) = conversation.state.queue.filter(|_| conversation.state.is_waiting()) else { return };
        if self.dice.chance(WAITING_PERCENT) {
            self.wait(conversation, 2, 3);
            let position = self.dice.between(1, 4) as u32;
            conversation.tell_position(history, position);
            self.wait(conversation, 60, 900);
        } else {
            self.wait(conversation, 3, 60);
        }
        let mut agent = self.next_agent(queue, conversation.now);
        conversation.assign(history, agent, queue);
        self.wait(conversation, 10, 120);
        conversation.agent_says(history, agent, self.dice.words(&GREETINGS));
        for exchange in 0..self.dice.between(1, 5) {
            self.wait(conversation, 30, 240);
            conversation.customer_says(history, self.dice.words(&CUSTOMER_WORDS));
            self.wait(conversation, 20, 180);
            conversation.agent_says(history, agent, self.dice.words(&AGENT_WORDS));
            if exchange == 0 {
                agent = self.passed_on(conversation, history, agent);
            }
        }
        if self.dice.chance(TAG_PERCENT) {
            self.wait(conversation, 5, 30);
            conversation.tag(history, agent, self.dice.words(&TAGS));
        }
        if self.dice.chance(NOTE_PERCENT) {
            self.wait(conversation, 5, 60);
            conversation.note(history, agent, self.dice.words(&NOTES));
        }
        self.wait(conversation, 60, 600);
        let by = if self.dice.chance(SUPERVISOR_RESOLVES_PERCENT) {
            Resolver::Supervisor(self.shop.supervisor)
        } else {
            Resolver::Agent(agent)
        };
        conversation.resolve(history, by);
    }

    /// Now and then the agent passes the chat to another queue, or to a colleague of theirs:
    /// answers who has it then.
    fn passed_on(&mut self, conversation: &mut Conversation<'_>, history: &mut History, agent: UserId) -> UserId {
        let roll = self.dice.below(100);
        let here = conversation.state.queue;
        if roll < QUEUE_TRANSFER_PERCENT {
            let others: Vec<QueueId> = self.shop.queues.iter().map(|q| q.id).filter(|id| Some(*id) != here).collect();
            let to = others[self.dice.below(others.len() as u64) as usize];
            self.wait(conversation, 10, 60);
            conversation.transfer(history, agent, TransferTarget::Queue(to), self.dice.words(&QUEUE_NOTES));
            self.wait(conversation, 30, 300);
            let next = self.next_agent(to, conversation.now);
            conversation.assign(history, next, to);
            self.wait(conversation, 10, 90);
            conversation.agent_says(history, next, TAKING_OVER);
            return next;
        }
        if roll < QUEUE_TRANSFER_PERCENT + AGENT_TRANSFER_PERCENT {
            let Some(colleague) = here.and_then(|queue| self.colleague(queue, agent, conversation.now)) else {
                return agent;
            };
            self.wait(conversation, 10, 60);
            conversation.transfer(history, agent, TransferTarget::Agent(colleague), self.dice.words(&AGENT_NOTES));
            self.wait(conversation, 20, 180);
            conversation.assign(history, colleague, personal_queue(colleague));
            self.wait(conversation, 10, 90);
            conversation.agent_says(history, colleague, TAKING_OVER);
            return colleague;
        }
        agent
    }

    /// The next member of `queue` on shift at `at`, taking turns as the router does.
    fn next_agent(&mut self, queue: QueueId, at: DateTime<Utc>) -> UserId {
        let shop = self.shop;
        let place = shop.queues.iter().position(|q| q.id == queue).expect("one of the company's queues");
        let members = &shop.queues[place].members;
        let turn = self.turns[place];
        let free = (0..members.len()).map(|step| (turn + step) % members.len()).find(|i| on_shift(members[*i], at));
        let chosen = free.unwrap_or(turn % members.len());
        self.turns[place] = chosen + 1;
        shop.agents[members[chosen]]
    }

    /// Another member of `queue` on shift at `at`, if any.
    fn colleague(&mut self, queue: QueueId, agent: UserId, at: DateTime<Utc>) -> Option<UserId> {
        let shop = self.shop;
        let members = &shop.queues.iter().find(|q| q.id == queue)?.members;
        let free: Vec<UserId> =
            members.iter().filter(|m| on_shift(**m, at)).map(|m| shop.agents[*m]).filter(|a| *a != agent).collect();
        (!free.is_empty()).then(|| free[self.dice.below(free.len() as u64) as usize])
    }

    /// Time passes in the conversation: always more than the second its messages out take to be
    /// delivered, so that each chat's events stay in the order of their moments.
    fn wait(&mut self, conversation: &mut Conversation<'_>, least_seconds: i64, most_seconds: i64) {
        conversation.now += TimeDelta::seconds(self.dice.between(least_seconds, most_seconds));
    }
}

/// One conversation of one chat, decided step by step on the chat's state.
struct Conversation<'s> {
    shop: &'s Shop,
    line: &'s CompanyLine,
    chat: ChatId,
    account: Account,
    name: String,
    state: ChatState,
    now: DateTime<Utc>,
}

/// The id of a message to the customer, which delivery records the outcome of.
fn message_out(event: &ChatEvent) -> Option<Uuid> {
    match event {
        ChatEvent::AgentReplied { message_id, .. }
        | ChatEvent::WaitingPositionTold { message_id, .. }
        | ChatEvent::BotSaid { message_id, .. }
        | ChatEvent::MenuReminderSent { message_id, .. }
        | ChatEvent::MenuShown { message_id, .. }
        | ChatEvent::InputRequested { message_id, .. }
        | ChatEvent::ConsentAsked { message_id, .. }
        | ChatEvent::BotSentFile { message_id, .. } => Some(*message_id),
        ChatEvent::AgentReacted { reaction_id, .. } => Some(*reaction_id),
        _ => None,
    }
}

impl Conversation<'_> {
    /// A message from the customer, as their line hands it over.
    fn customer_says(&mut self, history: &mut History, text: &str) {
        let company = self.shop.company;
        let inbound = Inbound {
            company_id: company,
            line_id: self.line.id,
            channel: self.account.channel,
            contact_id: self.account.id.clone(),
            contact_name: self.name.clone(),
            name_source: NameSource::Profile,
            message_id: history.next_message_id(),
            text: text.into(),
            media: None,
            sticker: false,
            content: Box::new(Content::default()),
            queue: self.line.routing.queue_of(self.line.id),
            menu: self.line.routing.menu().cloned().map(Box::new),
            consent_on_record: false,
        };
        let command = ChatCommand::Receive {
            chat_id: self.chat,
            inbound,
            conversation_id: ConversationId::from_uuid(Uuid::now_v7()),
            at: self.now,
        };
        let context = CommandContext {
            company_id: company.as_uuid(),
            actor: Actor::Customer(self.chat.as_uuid()).to_string(),
            correlation_id: Uuid::now_v7(),
            causation_id: None,
            now: self.now,
        };
        self.act(history, &context, &command);
    }

    /// A customer met for the first time gets a contact a second later, as the contact keeper
    /// makes it: a server started on the history then finds every chat's contact made.
    fn meet(&self, history: &mut History) {
        let at = self.now + TimeDelta::seconds(1);
        let context = CommandContext::system(self.shop.company, at);
        let shown = ChannelName { name: &self.name, source: NameSource::Profile };
        let (contact, details) =
            channel_contact(self.shop.company, &self.account, shown).expect("the customer's contact");
        let accounts = [(self.account.clone(), Some(self.line.id))];
        for decided in first_contact(&context, contact, details, &accounts).expect("the contact is made") {
            history.keep(at, decided);
        }
    }

    /// The router tells a waiting customer their place in the queue's line.
    fn tell_position(&mut self, history: &mut History, position: u32) {
        let text = QueueSettings::default().waiting_text(position).expect("the default waiting message says something");
        let command = ChatCommand::TellPosition { message_id: Uuid::now_v7(), position, text, at: self.now };
        let context = self.system();
        self.act(history, &context, &command);
    }

    /// The router gives the chat to `agent`: the chat's assignment, and the agent's, together.
    fn assign(&mut self, history: &mut History, agent: UserId, queue: QueueId) {
        let context = self.system();
        self.act(history, &context, &ChatCommand::Assign { agent, queue, reply_by: None, at: self.now });
        let receive = AgentCommand::ReceiveChat { agent, chat: self.chat, own_agent: false };
        let received = decide::<Agent>(&mut self.shop.on_shift.clone(), &receive);
        history.record(&context, &agent_stream(agent), &received);
    }

    fn agent_says(&mut self, history: &mut History, agent: UserId, text: &str) {
        let command = ChatCommand::Reply {
            company_id: self.shop.company,
            agent,
            message_id: Uuid::now_v7(),
            text: text.into(),
            quoted: None,
            location: None,
            media: None,
            template: None,
            window: None,
            at: self.now,
        };
        let context = self.person(Actor::Agent(agent));
        self.act(history, &context, &command);
    }

    fn transfer(&mut self, history: &mut History, agent: UserId, to: TransferTarget, note: &str) {
        let command = ChatCommand::Transfer {
            company_id: self.shop.company,
            by: Resolver::Agent(agent),
            to,
            note: Some(note.into()),
            at: self.now,
        };
        let context = self.person(Actor::Agent(agent));
        self.act(history, &context, &command);
    }

    fn tag(&mut self, history: &mut History, agent: UserId, tag: &str) {
        let command = ChatCommand::Tag {
            company_id: self.shop.company,
            by: Resolver::Agent(agent),
            tag: tag.into(),
            on: true,
            at: self.now,
        };
        let context = self.person(Actor::Agent(agent));
        self.act(history, &context, &command);
    }

    fn note(&mut self, history: &mut History, agent: UserId, text: &str) {
        let command = ChatCommand::WriteNote {
            company_id: self.shop.company,
            by: Resolver::Agent(agent),
            note_id: Uuid::now_v7(),
            text: text.into(),
            at: self.now,
        };
        let context = self.person(Actor::Agent(agent));
        self.act(history, &context, &command);
    }

    fn resolve(&mut self, history: &mut History, by: Resolver) {
        let actor = match by {
            Resolver::Agent(agent) => Actor::Agent(agent),
            Resolver::Supervisor(supervisor) => Actor::Supervisor(supervisor),
            Resolver::Bot => Actor::Bot,
            Resolver::System => Actor::System,
        };
        let command = ChatCommand::Resolve { company_id: self.shop.company, by, at: self.now };
        let context = self.person(actor);
        self.act(history, &context, &command);
    }

    fn person(&self, actor: Actor) -> CommandContext {
        CommandContext::new(self.shop.company.as_uuid(), actor.to_string(), self.now)
    }

    fn system(&self) -> CommandContext {
        CommandContext::system(self.shop.company, self.now)
    }

    /// Decides `command` on the chat and records it; on an API line, each message out is then
    /// recorded delivered a second later, as delivery records its webhook's answer (a server
    /// started on the history then has nothing left to send).
    fn act(&mut self, history: &mut History, context: &CommandContext, command: &ChatCommand) {
        let events = decide::<Chat>(&mut self.state, command);
        history.record(context, &chat_stream(self.chat), &events);
        if !self.line.delivers {
            return;
        }
        let at = self.now + TimeDelta::seconds(1);
        let delivery = CommandContext::system(self.shop.company, at);
        for message_id in events.iter().filter_map(message_out) {
            let delivered = ChatCommand::RecordDelivery { message_id, outcome: Ok(None), at };
            let recorded = decide::<Chat>(&mut self.state, &delivered);
            history.record(&delivery, &chat_stream(self.chat), &recorded);
        }
    }
}

/// What the history came to: its events, of which types, its days, and the queue whose report
/// is timed.
struct Written {
    events: usize,
    kinds: BTreeMap<String, usize>,
    first_day: NaiveDate,
    last_day: NaiveDate,
    support: QueueId,
}

/// The company's set-up, then 90 days of conversations, each day's share of `events` (weekends
/// half), appended day by day.
async fn write_history(log: &dyn EventLog, events: usize) -> Written {
    let today = Utc::now().date_naive();
    let first_day = days_before(today, DAYS);
    let last_day = days_before(today, 1);
    let mut history = History::default();
    let shop = set_up(&mut history, moment(days_before(first_day, 1), 9 * 60, 0));
    history.append(log).await;
    let weights: Vec<f64> = (0..DAYS).map(|day| weight(days_after(first_day, day))).collect();
    let all_weights: f64 = weights.iter().sum();
    let mut traffic = Traffic::of(&shop);
    for (day, &share) in (0..DAYS).zip(&weights) {
        let date = days_after(first_day, day);
        let quota = (events as f64 * share / all_weights).round() as usize;
        let before = history.events;
        traffic.new_day();
        traffic.shift(&mut history, date);
        while history.events - before < quota {
            let minute = traffic.dice.between(i64::from(FIRST_CHAT), i64::from(LAST_CHAT)) as u32;
            let second = traffic.dice.between(0, 59) as u32;
            traffic.conversation(&mut history, day, moment(date, minute, second));
        }
        history.append(log).await;
        if (day + 1).is_multiple_of(10) {
            eprintln!("  day {} of {DAYS}: {} events", day + 1, history.events);
        }
    }
    Written { events: history.events, kinds: history.kinds, first_day, last_day, support: shop.queues[1].id }
}

/// The baseline: every event of the log read in its order as the rebuild reads it (one query,
/// handed on a page at a time), and counted.
async fn scan(log: &dyn EventLog) -> (usize, f64) {
    let started = Instant::now();
    let (sender, mut pages) = tokio::sync::mpsc::channel::<Vec<eventlog::RecordedEvent>>(1);
    let counting = async {
        let mut count = 0;
        while let Some(page) = pages.recv().await {
            count += page.len();
        }
        count
    };
    let (read, count) = tokio::join!(log.read_all_into(Position::START, SCAN_PAGE, sender), counting);
    read.expect("the log reads");
    (count, started.elapsed().as_secs_f64())
}

/// Every read model rebuilt from position 0 up to `head`, as time travel and `server audit`
/// rebuild them (one read of the log feeding them all); the seconds it took.
async fn rebuild(log: &Arc<dyn EventLog>, store: &ReadStore, head: Position) -> f64 {
    let started = Instant::now();
    server::time_travel::rebuild(log, store, head)
        .await
        .unwrap_or_else(|error| panic!("the read models could not be rebuilt: {error}"));
    started.elapsed().as_secs_f64()
}

/// Seals the whole history, as the server's sealer would have while it was written, so that the
/// audit checks seals as it does in production: the number of seals and the time.
async fn seal(log: &dyn EventLog) -> (usize, f64) {
    let key = server::seals::SealKey::of(&secrets_key());
    let started = Instant::now();
    let mut seals = 0;
    while server::seals::seal_next(log, &key, Utc::now()).await.expect("the log is sealed") {
        seals += 1;
    }
    (seals, started.elapsed().as_secs_f64())
}

/// The reports are timed in a database at rest, as the contact search is: not while PostgreSQL's
/// autovacuum analyses a million new rows, nor with SQLite's log holding every page written.
async fn digest(store: &ReadStore, backend: Backend) {
    let statement = match backend {
        Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
        Backend::Postgres => "VACUUM (ANALYZE)",
    };
    sqlx::query(statement).execute(store.pool()).await.expect("the database digests the history");
}

/// A client signed in as the supervisor, its session cookie sent back by hand.
async fn signed_in(address: &str) -> reqwest::Client {
    let signed = reqwest::Client::new()
        .post(format!("{address}/api/v1/session"))
        .json(&serde_json::json!({ "email": EMAIL, "password": PASSWORD }))
        .send()
        .await
        .expect("signs in");
    assert!(signed.status().is_success(), "the supervisor signs in: {}", signed.status());
    let cookie = signed
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().expect("a cookie header"));
    reqwest::Client::builder().default_headers(headers).build().expect("a client")
}

/// `t/s`, as `/healthz` writes the log's head.
fn position_of(text: &str) -> Option<(i64, i64)> {
    let (transaction, sequence) = text.split_once('/')?;
    Some((transaction.parse().ok()?, sequence.parse().ok()?))
}

/// Whether every worker following the log has acted on all of it, as `/healthz` tells the operator.
fn followers_at_head(health: &serde_json::Value) -> bool {
    let Some(head) = health["store"]["head"].as_str().and_then(position_of) else { return false };
    let Some(followers) = health["followers"].as_object() else { return false };
    !followers.is_empty()
        && followers.values().all(|progress| {
            let acted = &progress["acted"];
            match (acted["transaction"].as_i64(), acted["sequence"].as_i64()) {
                (Some(transaction), Some(sequence)) => (transaction, sequence) >= head,
                _ => false,
            }
        })
}

/// A server started on a long history has its workers (the router, delivery, the contact
/// keeper…) read all of it first; reports timed meanwhile would time that. Waits until they have
/// caught up: how long it took, or `None` after [`WORKERS_WAIT`].
async fn workers_caught_up(http: &reqwest::Client, address: &str) -> Option<f64> {
    let started = Instant::now();
    while started.elapsed() < WORKERS_WAIT {
        if let Ok(response) = http.get(format!("{address}/healthz")).send().await {
            if let Ok(health) = response.json::<serde_json::Value>().await {
                if followers_at_head(&health) {
                    return Some(started.elapsed().as_secs_f64());
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    None
}

struct Timing {
    p50: f64,
    p99: f64,
    /// The status of a report refused, if any was.
    refused: Option<u16>,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.0} / {:.0} ms", self.p50, self.p99)?;
        if let Some(status) = self.refused {
            write!(f, " (HTTP {status}!)")?;
        }
        Ok(())
    }
}

/// The report asked for `query`, [`REQUESTS`] times in a row, each read to its end.
async fn time_report(http: &reqwest::Client, address: &str, query: &str) -> Timing {
    let mut times = Vec::with_capacity(REQUESTS);
    let mut refused = None;
    for _ in 0..REQUESTS {
        let started = Instant::now();
        let response = http.get(format!("{address}/api/v1/reports?{query}")).send().await.expect("the report answers");
        let status = response.status();
        let _report = response.bytes().await.expect("the report's body");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        if !status.is_success() {
            refused = Some(status.as_u16());
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Timing { p50: percentile(&times, 0.5), p99: percentile(&times, 0.99), refused }
}

struct Audited {
    seconds: f64,
    code: i32,
    printed: String,
}

/// `server audit` run as an operator runs it, on the database, with the key it was sealed with.
async fn audit(database_url: &str) -> Audited {
    let database_url = database_url.to_string();
    tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("audit")
            .env("IKONO_DATABASE_URL", database_url)
            // The key bench_support's servers seal with, as the operator's environment gives it.
            .env("IKONO_SECRETS_KEY", "5e".repeat(32))
            .output()
            .expect("the server's binary runs");
        let seconds = started.elapsed().as_secs_f64();
        let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        Audited { seconds, code: output.status.code().unwrap_or(-1), printed }
    })
    .await
    .expect("the audit's thread")
}

struct Figures {
    /// The events in the log, as the raw scan counted them.
    events: usize,
    writing_seconds: f64,
    scan_seconds: f64,
    rebuild_seconds: f64,
    seals: usize,
    sealing_seconds: f64,
    start_seconds: f64,
    workers_seconds: Option<f64>,
    reports: Vec<(&'static str, Timing)>,
    audit: Audited,
}

async fn run(database: TestDatabase, events: usize) -> Figures {
    let log = eventlog::open(&database.url).await.expect("the log opens");
    eprintln!("{:?}: writing the history…", database.backend);
    let writing = Instant::now();
    let written = write_history(log.as_ref(), events).await;
    let writing_seconds = writing.elapsed().as_secs_f64();
    let mut mix: Vec<(&String, &usize)> = written.kinds.iter().collect();
    mix.sort_by_key(|(_, count)| std::cmp::Reverse(**count));
    eprintln!("{:?}: {} events written, by type:", database.backend, written.events);
    for (kind, count) in mix {
        eprintln!("  {kind}: {count}");
    }

    let (scanned, scan_seconds) = scan(log.as_ref()).await;
    let store = ReadStore::connect(&database.url).await.expect("the read store");
    let head = log.head().await.expect("the log's head");
    eprintln!("{:?}: rebuilding every read model…", database.backend);
    let rebuilt = rebuild(&log, &store, head).await;
    let (seals, sealing_seconds) = seal(log.as_ref()).await;
    digest(&store, database.backend).await;

    let starting = Instant::now();
    let admin = Some((EMAIL.to_string(), PASSWORD.to_string()));
    let (address, server) = start_server_with(&database.url, admin).await;
    let start_seconds = starting.elapsed().as_secs_f64();
    let http = signed_in(&address).await;
    let workers_seconds = workers_caught_up(&http, &address).await;
    settle(&http, &address).await;
    let (first, last) = (written.first_day, written.last_day);
    let spans = [
        ("7 days", format!("from={}&until={last}", days_before(last, 6))),
        ("30 days", format!("from={}&until={last}", days_before(last, 29))),
        ("90 days", format!("from={first}&until={last}")),
        ("one queue, 30 days", format!("from={}&until={last}&queue={}", days_before(last, 29), written.support)),
    ];
    let mut reports = Vec::new();
    for (span, query) in spans {
        reports.push((span, time_report(&http, &address, &query).await));
    }
    server.abort();
    // Until the server's task has ended, its workers may still write.
    let _ = server.await;

    eprintln!("{:?}: server audit…", database.backend);
    let audit = audit(&database.url).await;
    if let (Ok(kept), Backend::Sqlite) = (std::env::var("BENCH_KEEP"), database.backend) {
        sqlx::query("VACUUM INTO $1").bind(&kept).execute(store.pool()).await.expect("the database is copied");
        eprintln!("the database is kept in {kept}");
    }
    Figures {
        events: scanned,
        writing_seconds,
        scan_seconds,
        rebuild_seconds: rebuilt,
        seals,
        sealing_seconds,
        start_seconds,
        workers_seconds,
        reports,
        audit,
    }
}

#[tokio::main]
async fn main() {
    let wanted =
        std::env::var("EVENTS").ok().and_then(|text| text.replace(['_', ','], "").parse().ok()).unwrap_or(EVENTS);
    println!("| backend | events | history written | raw scan (baseline) | rebuild, every read model | rebuild ÷ scan | sealing the log | server start + workers caught up | report, 7 days (p50 / p99) | report, 30 days | report, 90 days | report, one queue, 30 days | `server audit` | goal |");
    println!("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|");
    for backend in backends() {
        let Figures {
            events,
            writing_seconds,
            scan_seconds,
            rebuild_seconds,
            seals,
            sealing_seconds,
            start_seconds,
            workers_seconds,
            reports,
            audit,
        } = run(fresh_database(backend).await, wanted).await;
        let scan_rate = events as f64 / scan_seconds;
        let rebuild_rate = events as f64 / rebuild_seconds;
        let ratio = rebuild_seconds / scan_seconds;
        let workers =
            workers_seconds.map_or_else(|| "not within 15 min".to_string(), |seconds| format!("{seconds:.1} s"));
        let timings: Vec<String> = reports.iter().map(|(_, timing)| timing.to_string()).collect();
        println!(
            "| {backend:?} | {events} | {writing_seconds:.0} s | {scan_rate:.0} ev/s ({scan_seconds:.1} s) | {rebuild_rate:.0} ev/s ({rebuild_seconds:.1} s) | {ratio:.1}× | {sealing_seconds:.1} s ({seals} seals) | {start_seconds:.1} s + {workers} | {} | {} | {} | {} | {:.1} s (exit {}) | rebuild < 30 s, report p99 < 200 ms, audit < 60 s |",
            timings[0],
            timings[1],
            timings[2],
            timings[3],
            audit.seconds,
            audit.code,
        );
        for (span, timing) in &reports {
            eprintln!("{backend:?}: report, {span}: {timing}");
        }
        eprintln!("{backend:?}: server audit said:\n{}", audit.printed);
    }
}
