//! The menu bot's menus (M1, M3, M4, M6, M9, M10, M19, R3): what a line's customers are offered
//! before an agent, as a tree of 1 to 3 levels, and where a customer's answer takes them. Pure:
//! the chat decides its events from it.

use crate::errand::Answers;
use crate::errand::{ErrandRejection, WebQuery};
use crate::form::{Form, FormRejection, GiveUp};
use crate::hours::{HoursRejection, OpeningHours};
use crate::ids::QueueId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const MAX_LEVELS: usize = 3;
/// Options are answered with one digit; 0 is "back".
pub const MAX_OPTIONS: usize = 9;
pub const LABEL_MAX_CHARS: usize = 80;
pub const WORDS_MAX_CHARS: usize = 1000;

/// A line's menu: a tree, so it cannot loop.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Menu {
    /// The words above the first level's options (M4).
    pub header: String,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub options: Vec<MenuOption>,
    /// 1️⃣ 2️⃣ … instead of "1." "2." … (M19).
    #[serde(default)]
    pub number_emojis: bool,
    /// Where "talk to an agent" goes after a text (M9); without it that choice is not offered.
    #[serde(default)]
    pub agent_queue: Option<QueueId>,
    /// Said when a customer ends the conversation after a text (M10).
    #[serde(default)]
    pub farewell: Option<String>,
    /// Phrases that hand the chat to a queue at once, whatever the customer's place (M11): e.g.
    /// the words an order page puts in the message it opens.
    #[serde(default)]
    pub agent_phrases: Vec<AgentPhrase>,
    /// A customer who writes this stops the bot for the conversation (G12); it goes to
    /// `agent_queue` when there is one.
    #[serde(default)]
    pub stop_phrase: Option<String>,
    /// …and this brings it back, while no agent has the chat.
    #[serde(default)]
    pub resume_phrase: Option<String>,
    /// Said when an agent takes a chat the menu sent to a queue (M5), unless its option has words
    /// of its own.
    #[serde(default)]
    pub on_assignment: Option<String>,
    /// Said once when a customer has not answered the bot for a while (M7).
    #[serde(default)]
    pub reminder: Option<MenuReminder>,
    /// Minutes without an answer (after the reminder, when there is one) before the bot resolves
    /// the conversation (M8), with the farewell when there is one.
    #[serde(default)]
    pub resolve_after_minutes: Option<u32>,
    /// When the company answers (G15). Outside them a new conversation hears `closed_message`
    /// and gets `closed_menu` (a reduced menu) instead of this one, when there is one.
    #[serde(default)]
    pub opening_hours: Option<OpeningHours>,
    #[serde(default)]
    pub closed_message: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub closed_menu: Option<Box<Menu>>,
    /// Asked before the menu (M12): the customer's consent to be contacted.
    #[serde(default)]
    pub consent: Option<ConsentQuestion>,
    /// Said when a customer sends the bot a sticker (M15); without it a sticker is an answer
    /// like any other.
    #[serde(default)]
    pub sticker_reply: Option<String>,
    #[serde(default)]
    pub words: MenuWords,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MenuOption {
    pub label: String,
    #[cfg_attr(feature = "openapi", schema(no_recursion))]
    pub action: MenuAction,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MenuAction {
    /// Talk to an agent of a queue (R3); `message` is said as the chat joins it, `on_assignment`
    /// when an agent takes it (M5; instead of the menu's own).
    Queue {
        queue: QueueId,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        on_assignment: Option<String>,
    },
    /// Shows a text (M1), then offers the menu again, an agent, or the end (M9) — or, with
    /// `resolve`, resolves the chat right after it (G13).
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        resolve: bool,
    },
    /// Another level, with its own header (M3, M4).
    Submenu {
        header: String,
        #[cfg_attr(feature = "openapi", schema(no_recursion))]
        options: Vec<MenuOption>,
    },
    /// Asks for data (M21), then keeps, e-mails, queries or routes on the answers (G20).
    Form(Box<Form>),
    /// Queries a web service and says its answer (M1), then offers what a text does.
    Query(Box<WebQuery>),
    /// Sends pictures, videos, audio or documents (addresses), with words (M18, M20), then offers
    /// what a text does.
    Files {
        #[serde(default)]
        text: Option<String>,
        files: Vec<String>,
    },
}

pub const MAX_FILES: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MenuReminder {
    pub after_minutes: u32,
    pub text: String,
}

/// The longest a bot timer may wait: a week.
pub const TIMER_MAX_MINUTES: u32 = 7 * 24 * 60;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentPhrase {
    pub phrase: String,
    pub queue: QueueId,
}

/// A key phrase found in a customer's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyPhrase {
    ToQueue { phrase: String, queue: QueueId },
    StopBot,
    ResumeBot,
}

/// The bot's own words, in the company's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct MenuWords {
    pub not_an_option: String,
    pub back: String,
    pub after_text: String,
    pub menu_again: String,
    pub talk_to_an_agent: String,
    pub end: String,
    pub agent_away: String,
    pub another_agent: String,
    /// Said before a question again when its answer did not pass.
    pub not_an_answer: String,
    /// Said when a form gives up after too many wrong answers, before what happens next: the
    /// menu again, an agent, or the end of the conversation.
    pub gave_up_to_menu: String,
    pub gave_up_to_agent: String,
    pub gave_up_to_end: String,
}

impl Default for MenuWords {
    fn default() -> Self {
        Self {
            not_an_option: "Please answer with the number of an option.".into(),
            back: "Back".into(),
            after_text: "Anything else?".into(),
            menu_again: "Show the menu again".into(),
            talk_to_an_agent: "Talk to an agent".into(),
            end: "That's all, thanks".into(),
            agent_away: "Your agent is not available right now.".into(),
            another_agent: "Talk to another agent".into(),
            not_an_answer: "That answer does not look right; please try again.".into(),
            gave_up_to_menu: "Let's leave that question; here is the menu again.".into(),
            gave_up_to_agent: "Let's leave that question; an agent will help you with it.".into(),
            gave_up_to_end: "Let's leave that question for now; write to us again whenever you like.".into(),
        }
    }
}

/// Where a customer is in the menu: at a level (the options chosen to get there, from 0), or at
/// the choice offered after a text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "at", content = "where")]
pub enum MenuPlace {
    Level(Vec<u8>),
    AfterText,
    /// Asked what to do now that their agent has gone (G6); `queue` is where another agent is.
    AgentAway(QueueId),
    /// At a level of the reduced menu shown outside opening hours.
    OutOfHours(Vec<u8>),
    /// Answering the form of the option at `option` (a path, as levels are; in the reduced menu
    /// when `out_of_hours`): question `asked` (from 0), after `attempts` wrong answers to it.
    Form {
        option: Vec<u8>,
        out_of_hours: bool,
        asked: u8,
        attempts: u8,
        answers: Answers,
    },
    /// Waiting for a web service's answer.
    Waiting,
    /// Asked for consent before the menu (M12).
    Consent,
}

impl MenuPlace {
    pub fn top() -> Self {
        MenuPlace::Level(vec![])
    }
}

/// The question of consent before the menu (M12–M14).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentQuestion {
    pub text: String,
    #[serde(default = "default_yes")]
    pub yes: String,
    #[serde(default = "default_no")]
    pub no: String,
    /// Said when the customer refuses; the conversation then ends without the menu (M13).
    #[serde(default)]
    pub farewell: Option<String>,
    /// Keep a given consent for the customer's next conversations on the line; `false` asks
    /// every time they write (M14).
    #[serde(default = "default_remember")]
    pub remember: bool,
}

fn default_yes() -> String {
    "Yes".into()
}

fn default_no() -> String {
    "No".into()
}

fn default_remember() -> bool {
    true
}

/// An option offered, for channels that show buttons or lists (C7, M16): the customer's tap
/// answers `answer`, as if they had typed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    pub answer: String,
    pub label: String,
}

fn numbered(labels: &[&str]) -> Vec<Choice> {
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| Choice { answer: (i + 1).to_string(), label: label.trim().to_string() })
        .collect()
}

/// The choices of a customer whose agent went away.
pub fn agent_away_buttons(menu: Option<&Menu>) -> Vec<Choice> {
    let words = menu.map(|m| m.words.clone()).unwrap_or_default();
    let choices = agent_away_choices(menu, &words);
    numbered(&choices.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A customer whose agent went away chose…
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AwayChoice {
    AnotherAgent,
    MenuAgain,
}

/// The question the bot asks a customer whose agent went away (G6): another agent, or the menu
/// again when the line has one.
pub fn agent_away_question(menu: Option<&Menu>) -> String {
    let words = menu.map(|m| m.words.clone()).unwrap_or_default();
    let mut lines = vec![words.agent_away.trim().to_string()];
    for (i, choice) in agent_away_choices(menu, &words).iter().enumerate() {
        lines.push(format!("{} {choice}", number(menu.is_some_and(|m| m.number_emojis), i + 1)));
    }
    lines.join("\n")
}

fn agent_away_choices(menu: Option<&Menu>, words: &MenuWords) -> Vec<String> {
    let mut choices = vec![words.another_agent.clone()];
    if menu.is_some() {
        choices.push(words.menu_again.clone());
    }
    choices
}

/// What a customer whose agent went away answered, if it is one of the choices offered; with the
/// choice's number (from 1) and words.
fn agent_away_answer(menu: Option<&Menu>, text: &str) -> Option<(u8, String, AwayChoice)> {
    let words = menu.map(|m| m.words.clone()).unwrap_or_default();
    let choices = agent_away_choices(menu, &words);
    let labels: Vec<&str> = choices.iter().map(String::as_str).collect();
    let index = pick(&normalized(text), &labels)?;
    let choice = if index == 0 { AwayChoice::AnotherAgent } else { AwayChoice::MenuAgain };
    Some((u8::try_from(index + 1).unwrap_or(u8::MAX), choices[index].clone(), choice))
}

/// Where the answer of a customer whose agent went away takes them.
pub fn agent_away_move(menu: Option<&Menu>, queue: QueueId, text: &str) -> MenuMove {
    match agent_away_answer(menu, text) {
        None => MenuMove::NotAnOption,
        Some((option, label, AwayChoice::AnotherAgent)) => {
            let on_assignment = menu.and_then(|m| m.on_assignment.clone());
            MenuMove::Chose { option, label, then: MenuOutcome::Queue { queue, message: None, on_assignment } }
        }
        Some((option, label, AwayChoice::MenuAgain)) => {
            MenuMove::Chose { option, label, then: MenuOutcome::Show(MenuPlace::top()) }
        }
    }
}

/// An answer as typed, without what phones add to a digit: "1.", " 1 ", "1️⃣" all read "1".
fn normalized(text: &str) -> String {
    text.trim().trim_end_matches('.').replace(['\u{fe0f}', '\u{20e3}'], "")
}

fn number(emojis: bool, n: usize) -> String {
    const EMOJIS: [&str; 10] = ["0️⃣", "1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣"];
    match EMOJIS.get(n) {
        Some(emoji) if emojis => (*emoji).to_string(),
        _ => format!("{n}."),
    }
}

/// Where an answer takes the customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MenuMove {
    /// The answer is none of the options shown.
    NotAnOption,
    /// The customer's place is no longer in the menu (it was changed meanwhile): start again.
    Restart,
    /// Option `option` (from 1) was chosen at the customer's place; `label` for the record.
    Chose { option: u8, label: String, then: MenuOutcome },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MenuOutcome {
    Show(MenuPlace),
    /// To a queue: `message` said now, `on_assignment` when an agent takes the chat.
    Queue {
        queue: QueueId,
        message: Option<String>,
        on_assignment: Option<String>,
    },
    /// Said; then the choice after a text, or the chat resolved at once (G13).
    Text {
        text: String,
        resolve: bool,
    },
    End,
    /// The first question of the form at this place.
    Ask(MenuPlace),
    Query(Box<WebQuery>),
    Files {
        text: Option<String>,
        files: Vec<String>,
    },
    /// The customer gave (true) or refused their consent.
    Consent(bool),
}

/// Where a customer's answer to a form's question takes them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormMove {
    /// The form changed meanwhile: start again.
    Restart,
    Accepted {
        question: String,
        value: String,
        next: FormNext,
    },
    Rejected {
        question: String,
        attempts: u8,
        next: FormNext,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormNext {
    /// Ask question `question` (again, after an error) at `place`.
    Ask {
        place: MenuPlace,
        question: String,
        text: String,
    },
    /// Every answer is in.
    Complete {
        form: Box<Form>,
        answers: Answers,
    },
    GiveUp(GiveUp),
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MenuRejection {
    #[error("the menu needs a header of at most {WORDS_MAX_CHARS} characters")]
    InvalidHeader,
    #[error("{at}: a level has 1 to {MAX_OPTIONS} options")]
    OptionCount { at: Place },
    #[error("{at}: an option needs a label of at most {LABEL_MAX_CHARS} characters")]
    InvalidLabel { at: Place },
    #[error("{at}: a text option needs a text of at most {WORDS_MAX_CHARS} characters")]
    InvalidText { at: Place },
    #[error("{at}: a menu has at most {MAX_LEVELS} levels")]
    TooDeep { at: Place },
    #[error("{at}: a message has at most {WORDS_MAX_CHARS} characters")]
    InvalidWords { at: Place },
    #[error("a key phrase has 1 to {LABEL_MAX_CHARS} characters, and each is different")]
    InvalidKeyPhrase,
    #[error("a reminder or resolution comes after 1 to {TIMER_MAX_MINUTES} minutes, and a reminder has words")]
    InvalidTimer,
    #[error("opening hours: {0}")]
    Hours(#[from] HoursRejection),
    #[error("the menu outside opening hours: {0}")]
    ClosedMenu(Box<MenuRejection>),
    #[error("{at}: {reason}")]
    Form { at: Place, reason: FormRejection },
    #[error("{at}: {reason}")]
    Errand { at: Place, reason: ErrandRejection },
    #[error("{at}: an option sends 1 to {MAX_FILES} files, each an http(s):// or /media/ address")]
    InvalidFiles { at: Place },
}

fn words_ok(text: &str) -> bool {
    !text.trim().is_empty() && text.chars().count() <= WORDS_MAX_CHARS
}

/// Where in a menu a mistake is: the options that lead to it from the first level (none: the
/// first level itself), or a part of the menu named in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Options(Vec<usize>),
    Part(&'static str),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Options(path) if path.is_empty() => f.write_str("the first level"),
            Place::Options(path) => {
                let steps: Vec<String> = path.iter().map(|i| format!("option {}", i + 1)).collect();
                f.write_str(&steps.join(" › "))
            }
            Place::Part(part) => f.write_str(part),
        }
    }
}

impl MenuRejection {
    /// The option the mistake is in (none: the first level; no place: elsewhere in the menu), so
    /// that an editor can show it there.
    pub fn option(&self) -> Option<&[usize]> {
        match self {
            MenuRejection::OptionCount { at: Place::Options(path) }
            | MenuRejection::InvalidLabel { at: Place::Options(path) }
            | MenuRejection::InvalidText { at: Place::Options(path) }
            | MenuRejection::TooDeep { at: Place::Options(path) }
            | MenuRejection::InvalidWords { at: Place::Options(path) }
            | MenuRejection::InvalidFiles { at: Place::Options(path) }
            | MenuRejection::Form { at: Place::Options(path), .. }
            | MenuRejection::Errand { at: Place::Options(path), .. } => Some(path),
            _ => None,
        }
    }
}

impl Menu {
    /// `options` under `header`, and nothing else set: no timers, hours, phrases or consent.
    pub fn new(header: impl Into<String>, options: Vec<MenuOption>) -> Self {
        Menu {
            header: header.into(),
            options,
            number_emojis: false,
            agent_queue: None,
            farewell: None,
            agent_phrases: vec![],
            stop_phrase: None,
            resume_phrase: None,
            on_assignment: None,
            reminder: None,
            resolve_after_minutes: None,
            opening_hours: None,
            closed_message: None,
            closed_menu: None,
            consent: None,
            sticker_reply: None,
            words: MenuWords::default(),
        }
    }

    /// Refuses a menu a customer could not use: empty levels or labels, too deep, words too long.
    pub fn check(&self) -> Result<(), MenuRejection> {
        if !words_ok(&self.header) {
            return Err(MenuRejection::InvalidHeader);
        }
        let words = &self.words;
        let all_words = [
            &words.not_an_option,
            &words.back,
            &words.after_text,
            &words.menu_again,
            &words.talk_to_an_agent,
            &words.end,
            &words.agent_away,
            &words.another_agent,
            &words.not_an_answer,
        ];
        let consent_ok = self.consent.as_ref().is_none_or(|c| {
            [&c.text, &c.yes, &c.no].iter().all(|w| words_ok(w)) && c.farewell.as_deref().is_none_or(words_ok)
        });
        let farewell_ok = self.farewell.as_deref().is_none_or(words_ok)
            && self.sticker_reply.as_deref().is_none_or(words_ok)
            && consent_ok;
        if !farewell_ok || !all_words.iter().all(|w| words_ok(w)) {
            return Err(MenuRejection::InvalidWords { at: Place::Part("the bot's words") });
        }
        let mut phrases: Vec<String> = self.agent_phrases.iter().map(|p| p.phrase.clone()).collect();
        phrases.extend(self.stop_phrase.iter().chain(&self.resume_phrase).cloned());
        let mut folded: Vec<String> = phrases.iter().map(|p| p.trim().to_lowercase()).collect();
        folded.sort();
        folded.dedup();
        let phrase_ok = |p: &String| !p.trim().is_empty() && p.trim().chars().count() <= LABEL_MAX_CHARS;
        if folded.len() != phrases.len() || !phrases.iter().all(phrase_ok) {
            return Err(MenuRejection::InvalidKeyPhrase);
        }
        if let Some(hours) = &self.opening_hours {
            hours.check()?;
        }
        if !self.closed_message.as_deref().is_none_or(words_ok) {
            return Err(MenuRejection::InvalidWords { at: Place::Part("the message outside opening hours") });
        }
        if let Some(closed) = &self.closed_menu {
            // One level of hours: the reduced menu has none of its own.
            let plain = Menu { opening_hours: None, closed_menu: None, ..(**closed).clone() };
            plain.check().map_err(|e| MenuRejection::ClosedMenu(Box::new(e)))?;
        }
        let minutes_ok = |m: u32| (1..=TIMER_MAX_MINUTES).contains(&m);
        let reminder_ok = self.reminder.as_ref().is_none_or(|r| minutes_ok(r.after_minutes) && words_ok(&r.text));
        if !reminder_ok || !self.resolve_after_minutes.is_none_or(minutes_ok) {
            return Err(MenuRejection::InvalidTimer);
        }
        check_level(&self.options, &mut vec![])
    }

    /// Every queue the menu sends customers to, for the edge to check that they exist.
    pub fn queues(&self) -> Vec<QueueId> {
        fn collect(options: &[MenuOption], found: &mut Vec<QueueId>) {
            for option in options {
                match &option.action {
                    MenuAction::Queue { queue, .. } => found.push(*queue),
                    MenuAction::Submenu { options, .. } => collect(options, found),
                    MenuAction::Form(form) => {
                        found.extend(form.routes.iter().map(|route| route.queue));
                        if let GiveUp::Queue { queue } = form.on_give_up {
                            found.push(queue);
                        }
                    }
                    MenuAction::Text { .. } | MenuAction::Query(_) | MenuAction::Files { .. } => {}
                }
            }
        }
        let mut found: Vec<QueueId> = self.agent_queue.into_iter().collect();
        found.extend(self.agent_phrases.iter().map(|p| p.queue));
        collect(&self.options, &mut found);
        if let Some(closed) = &self.closed_menu {
            found.extend(closed.queues());
        }
        found.sort();
        found.dedup();
        found
    }

    /// Whether `at` is outside the menu's opening hours (never, without hours).
    pub fn is_closed_at(&self, at: DateTime<Utc>) -> bool {
        self.opening_hours.as_ref().is_some_and(|hours| !hours.is_open(at))
    }

    /// The place a customer greeted at `at` starts from: the top of the reduced menu outside
    /// opening hours, when there is one; else the top.
    pub fn greeting_place(&self, at: DateTime<Utc>) -> MenuPlace {
        if self.closed_menu.is_some() && self.is_closed_at(at) {
            MenuPlace::OutOfHours(vec![])
        } else {
            MenuPlace::top()
        }
    }

    /// The key phrase a customer's message carries, if any (case and spacing aside).
    pub fn key_phrase_in(&self, text: &str) -> Option<KeyPhrase> {
        let text = crate::text::single_spaced(text).to_lowercase();
        let said = |phrase: &str| {
            let phrase = crate::text::single_spaced(phrase).to_lowercase();
            !phrase.is_empty() && text.contains(&phrase)
        };
        if self.stop_phrase.as_deref().is_some_and(said) {
            return Some(KeyPhrase::StopBot);
        }
        if self.resume_phrase.as_deref().is_some_and(said) {
            return Some(KeyPhrase::ResumeBot);
        }
        self.agent_phrases
            .iter()
            .find(|p| said(&p.phrase))
            .map(|p| KeyPhrase::ToQueue { phrase: p.phrase.clone(), queue: p.queue })
    }

    /// The header and options of a level, or `None` when the path leads nowhere (the menu changed).
    fn level(&self, path: &[u8]) -> Option<(&str, &[MenuOption])> {
        let mut header = self.header.as_str();
        let mut options = self.options.as_slice();
        for step in path {
            match &options.get(usize::from(*step).checked_sub(1)?)?.action {
                MenuAction::Submenu { header: h, options: o } => {
                    header = h;
                    options = o;
                }
                _ => return None,
            }
        }
        Some((header, options))
    }

    /// What the customer reads at `place`.
    pub fn render(&self, place: &MenuPlace) -> String {
        let (header, labels, back) = match place {
            MenuPlace::Level(path) => {
                let (header, options) = self.level(path).unwrap_or((&self.header, &self.options));
                let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
                (header, labels, !path.is_empty())
            }
            MenuPlace::AfterText => (self.words.after_text.as_str(), self.after_text_choices(), false),
            MenuPlace::AgentAway(_) => return agent_away_question(Some(self)),
            MenuPlace::OutOfHours(path) => match &self.closed_menu {
                Some(closed) => return closed.render(&MenuPlace::Level(path.clone())),
                None => return self.render(&MenuPlace::top()),
            },
            MenuPlace::Consent => match &self.consent {
                Some(consent) => (consent.text.as_str(), vec![consent.yes.as_str(), consent.no.as_str()], false),
                None => return String::new(),
            },
            MenuPlace::Form { .. } | MenuPlace::Waiting => return String::new(),
        };
        let mut lines = vec![header.trim().to_string()];
        for (i, label) in labels.iter().enumerate() {
            lines.push(format!("{} {label}", self.number(i + 1)));
        }
        if back {
            lines.push(format!("{} {}", self.number(0), self.words.back));
        }
        lines.join("\n")
    }

    fn number(&self, n: usize) -> String {
        number(self.number_emojis, n)
    }

    /// The choices offered at `place`, as buttons.
    pub fn choices(&self, place: &MenuPlace) -> Vec<Choice> {
        match place {
            MenuPlace::Level(path) => {
                let Some((_, options)) = self.level(path) else { return vec![] };
                let mut choices = numbered(&options.iter().map(|o| o.label.as_str()).collect::<Vec<_>>());
                if !path.is_empty() {
                    choices.push(Choice { answer: "0".into(), label: self.words.back.trim().to_string() });
                }
                choices
            }
            MenuPlace::AfterText => numbered(&self.after_text_choices()),
            MenuPlace::AgentAway(_) => agent_away_buttons(Some(self)),
            MenuPlace::OutOfHours(path) => self
                .closed_menu
                .as_ref()
                .map_or_else(Vec::new, |closed| closed.choices(&MenuPlace::Level(path.clone()))),
            MenuPlace::Form { option, out_of_hours, asked, .. } => self
                .form_at(option, *out_of_hours)
                .and_then(|form| form.questions.get(usize::from(*asked)))
                .map(|question| match &question.check {
                    crate::form::AnswerCheck::OneOf { options } => {
                        numbered(&options.iter().map(String::as_str).collect::<Vec<_>>())
                    }
                    _ => vec![],
                })
                .unwrap_or_default(),
            MenuPlace::Waiting => vec![],
            MenuPlace::Consent => {
                self.consent.as_ref().map(|c| numbered(&[c.yes.as_str(), c.no.as_str()])).unwrap_or_default()
            }
        }
    }

    fn after_text_choices(&self) -> Vec<&str> {
        let mut choices = vec![self.words.menu_again.as_str()];
        if self.agent_queue.is_some() {
            choices.push(&self.words.talk_to_an_agent);
        }
        choices.push(&self.words.end);
        choices
    }

    /// Where the customer's answer at `place` takes them. Answers are a digit (also as its emoji
    /// or with a dot) or an option's label, in any case.
    pub fn answer(&self, place: &MenuPlace, text: &str) -> MenuMove {
        let answer = normalized(text);
        match place {
            MenuPlace::Level(path) => {
                let Some((_, options)) = self.level(path) else { return MenuMove::Restart };
                let labels: Vec<&str> = options.iter().map(|o| o.label.as_str()).collect();
                if answer == "0" && !path.is_empty() {
                    let back = path[..path.len() - 1].to_vec();
                    return MenuMove::Chose {
                        option: 0,
                        label: self.words.back.clone(),
                        then: MenuOutcome::Show(MenuPlace::Level(back)),
                    };
                }
                let Some(index) = pick(&answer, &labels) else { return MenuMove::NotAnOption };
                let option = &options[index];
                let number = u8::try_from(index + 1).unwrap_or(u8::MAX);
                let then = match &option.action {
                    MenuAction::Queue { queue, message, on_assignment } => MenuOutcome::Queue {
                        queue: *queue,
                        message: message.clone(),
                        on_assignment: on_assignment.clone().or_else(|| self.on_assignment.clone()),
                    },
                    MenuAction::Text { text, resolve } => MenuOutcome::Text { text: text.clone(), resolve: *resolve },
                    MenuAction::Query(query) => MenuOutcome::Query(query.clone()),
                    MenuAction::Files { text, files } => {
                        MenuOutcome::Files { text: text.clone(), files: files.clone() }
                    }
                    MenuAction::Form(_) => {
                        let mut option = path.clone();
                        option.push(number);
                        MenuOutcome::Ask(MenuPlace::Form {
                            option,
                            out_of_hours: false,
                            asked: 0,
                            attempts: 0,
                            answers: Answers::new(),
                        })
                    }
                    MenuAction::Submenu { .. } => {
                        let mut deeper = path.clone();
                        deeper.push(number);
                        MenuOutcome::Show(MenuPlace::Level(deeper))
                    }
                };
                MenuMove::Chose { option: number, label: option.label.clone(), then }
            }
            MenuPlace::AgentAway(queue) => agent_away_move(Some(self), *queue, text),
            MenuPlace::OutOfHours(path) => {
                let Some(closed) = &self.closed_menu else { return MenuMove::Restart };
                match closed.answer(&MenuPlace::Level(path.clone()), text) {
                    MenuMove::Chose { option, label, then: MenuOutcome::Show(MenuPlace::Level(path)) } => {
                        MenuMove::Chose { option, label, then: MenuOutcome::Show(MenuPlace::OutOfHours(path)) }
                    }
                    MenuMove::Chose { option, label, then: MenuOutcome::Ask(MenuPlace::Form { option: at, .. }) } => {
                        let place = MenuPlace::Form {
                            option: at,
                            out_of_hours: true,
                            asked: 0,
                            attempts: 0,
                            answers: Answers::new(),
                        };
                        MenuMove::Chose { option, label, then: MenuOutcome::Ask(place) }
                    }
                    other => other,
                }
            }
            MenuPlace::Consent => {
                let Some(consent) = &self.consent else { return MenuMove::Restart };
                let Some(index) = pick(&answer, &[consent.yes.as_str(), consent.no.as_str()]) else {
                    return MenuMove::NotAnOption;
                };
                let (option, label) = if index == 0 { (1, consent.yes.clone()) } else { (2, consent.no.clone()) };
                MenuMove::Chose { option, label, then: MenuOutcome::Consent(index == 0) }
            }
            // Answers to forms go through `answer_form`; while a service is asked, nothing moves.
            MenuPlace::Form { .. } | MenuPlace::Waiting => MenuMove::NotAnOption,
            MenuPlace::AfterText => {
                let choices = self.after_text_choices();
                let Some(index) = pick(&answer, &choices) else { return MenuMove::NotAnOption };
                let label = choices[index].to_string();
                let then = match (index, self.agent_queue) {
                    (0, _) => MenuOutcome::Show(MenuPlace::top()),
                    (1, Some(queue)) => {
                        MenuOutcome::Queue { queue, message: None, on_assignment: self.on_assignment.clone() }
                    }
                    _ => MenuOutcome::End,
                };
                MenuMove::Chose { option: u8::try_from(index + 1).unwrap_or(u8::MAX), label, then }
            }
        }
    }
}

impl Menu {
    /// The form of the option at `option` (a path of option numbers).
    pub fn form_at(&self, option: &[u8], out_of_hours: bool) -> Option<&Form> {
        let menu = if out_of_hours { self.closed_menu.as_deref()? } else { self };
        let (last, level) = option.split_last()?;
        let (_, options) = menu.level(level)?;
        match &options.get(usize::from(*last).checked_sub(1)?)?.action {
            MenuAction::Form(form) => Some(form),
            _ => None,
        }
    }

    /// What the customer reads when asked question `asked` of the form at `place` (after an
    /// error, the error first).
    pub fn question_text(&self, place: &MenuPlace, error: bool) -> String {
        let MenuPlace::Form { option, out_of_hours, asked, .. } = place else { return String::new() };
        let Some(question) = self.form_at(option, *out_of_hours).and_then(|f| f.questions.get(usize::from(*asked)))
        else {
            return String::new();
        };
        let mut lines = Vec::new();
        if error {
            lines.push(question.error.clone().unwrap_or_else(|| self.words.not_an_answer.clone()));
            lines.push(String::new());
        }
        lines.push(question.text.trim().to_string());
        lines.extend(question.check.options_text());
        lines.join("\n")
    }

    /// Where a customer's answer to the question they were asked at `place` takes them.
    pub fn answer_form(&self, place: &MenuPlace, text: &str) -> FormMove {
        let MenuPlace::Form { option, out_of_hours, asked, attempts, answers } = place else {
            return FormMove::Restart;
        };
        let Some(form) = self.form_at(option, *out_of_hours) else { return FormMove::Restart };
        let Some(question) = form.questions.get(usize::from(*asked)) else { return FormMove::Restart };
        let at = |asked: u8, attempts: u8, answers: Answers| MenuPlace::Form {
            option: option.clone(),
            out_of_hours: *out_of_hours,
            asked,
            attempts,
            answers,
        };
        match question.check.accept(text) {
            Ok(value) => {
                let mut answers = answers.clone();
                answers.insert(question.name.clone(), value.clone());
                let next = if usize::from(*asked) + 1 < form.questions.len() {
                    let place = at(asked + 1, 0, answers);
                    let question = form.questions[usize::from(*asked) + 1].name.clone();
                    FormNext::Ask { text: self.question_text(&place, false), place, question }
                } else {
                    FormNext::Complete { form: Box::new(form.clone()), answers }
                };
                FormMove::Accepted { question: question.name.clone(), value, next }
            }
            Err(_) => {
                let attempts = attempts.saturating_add(1);
                let next = if attempts >= form.max_attempts {
                    FormNext::GiveUp(form.on_give_up.clone())
                } else {
                    let place = at(*asked, attempts, answers.clone());
                    FormNext::Ask { text: self.question_text(&place, true), place, question: question.name.clone() }
                };
                FormMove::Rejected { question: question.name.clone(), attempts, next }
            }
        }
    }
}

/// The index of the option an answer names: its number from 1, or its label.
fn pick(answer: &str, labels: &[&str]) -> Option<usize> {
    if let Ok(number) = answer.parse::<usize>() {
        return (1..=labels.len()).contains(&number).then(|| number - 1);
    }
    let answer = answer.to_lowercase();
    labels.iter().position(|label| label.trim().to_lowercase() == answer)
}

fn check_level(options: &[MenuOption], path: &mut Vec<usize>) -> Result<(), MenuRejection> {
    if path.len() >= MAX_LEVELS {
        return Err(MenuRejection::TooDeep { at: Place::Options(path.clone()) });
    }
    if options.is_empty() || options.len() > MAX_OPTIONS {
        return Err(MenuRejection::OptionCount { at: Place::Options(path.clone()) });
    }
    for (i, option) in options.iter().enumerate() {
        path.push(i);
        let label_chars = option.label.trim().chars().count();
        if label_chars == 0 || label_chars > LABEL_MAX_CHARS {
            return Err(MenuRejection::InvalidLabel { at: Place::Options(path.clone()) });
        }
        match &option.action {
            MenuAction::Text { text, .. } if !words_ok(text) => {
                return Err(MenuRejection::InvalidText { at: Place::Options(path.clone()) })
            }
            MenuAction::Queue { message, on_assignment, .. }
                if !message.iter().chain(on_assignment).all(|words| words_ok(words)) =>
            {
                return Err(MenuRejection::InvalidWords { at: Place::Options(path.clone()) })
            }
            MenuAction::Submenu { header, options } => {
                if !words_ok(header) {
                    return Err(MenuRejection::InvalidWords { at: Place::Options(path.clone()) });
                }
                check_level(options, path)?;
            }
            MenuAction::Form(form) => {
                form.check(words_ok)
                    .map_err(|reason| MenuRejection::Form { at: Place::Options(path.clone()), reason })?;
                let errands = form
                    .query
                    .as_ref()
                    .map(|q| q.check(words_ok))
                    .transpose()
                    .and_then(|_| form.email.as_ref().map(|e| e.check()).transpose());
                errands.map_err(|reason| MenuRejection::Errand { at: Place::Options(path.clone()), reason })?;
            }
            MenuAction::Query(query) => query
                .check(words_ok)
                .map_err(|reason| MenuRejection::Errand { at: Place::Options(path.clone()), reason })?,
            MenuAction::Files { text, files } => {
                let address_ok = |f: &String| {
                    let f = f.trim();
                    crate::media::is_showable(f) && f.chars().count() <= crate::errand::URL_MAX_CHARS
                };
                let text_ok = text.as_deref().is_none_or(words_ok);
                if files.is_empty() || files.len() > MAX_FILES || !files.iter().all(address_ok) || !text_ok {
                    return Err(MenuRejection::InvalidFiles { at: Place::Options(path.clone()) });
                }
            }
            MenuAction::Queue { .. } | MenuAction::Text { .. } => {}
        }
        path.pop();
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use uuid::Uuid;

    fn queue(n: u128) -> QueueId {
        QueueId::from_uuid(Uuid::from_u128(n))
    }

    fn option(label: &str, action: MenuAction) -> MenuOption {
        MenuOption { label: label.into(), action }
    }

    /// Sales (a queue) · Help › (Opening hours (a text) · Orders › (Track (a queue)))
    pub(crate) fn three_levels() -> Menu {
        Menu {
            header: "Welcome to Ikono!".into(),
            options: vec![
                option(
                    "Sales",
                    MenuAction::Queue {
                        queue: queue(1),
                        message: Some("Connecting you with Sales".into()),
                        on_assignment: Some("You are talking with Sales".into()),
                    },
                ),
                option(
                    "Help",
                    MenuAction::Submenu {
                        header: "How can we help?".into(),
                        options: vec![
                            option(
                                "Opening hours",
                                MenuAction::Text { text: "Mon–Fri 9 to 18".into(), resolve: false },
                            ),
                            option(
                                "Orders",
                                MenuAction::Submenu {
                                    header: "Orders".into(),
                                    options: vec![option(
                                        "Track",
                                        MenuAction::Queue { queue: queue(2), message: None, on_assignment: None },
                                    )],
                                },
                            ),
                        ],
                    },
                ),
            ],
            agent_queue: Some(queue(1)),
            farewell: Some("Bye!".into()),
            agent_phrases: vec![AgentPhrase { phrase: "My order number is".into(), queue: queue(3) }],
            stop_phrase: Some("#human".into()),
            resume_phrase: Some("#bot".into()),
            on_assignment: Some("An agent is with you now".into()),
            reminder: Some(MenuReminder { after_minutes: 5, text: "Still there?".into() }),
            resolve_after_minutes: Some(10),
            ..Menu::new("", vec![])
        }
    }

    #[test]
    fn a_level_shows_its_header_numbered_options_and_back_below_the_first() {
        let menu = three_levels();
        assert_eq!(menu.render(&MenuPlace::top()), "Welcome to Ikono!\n1. Sales\n2. Help");
        assert_eq!(menu.render(&MenuPlace::Level(vec![2])), "How can we help?\n1. Opening hours\n2. Orders\n0. Back");
        let emojis = Menu { number_emojis: true, ..three_levels() };
        assert_eq!(emojis.render(&MenuPlace::top()), "Welcome to Ikono!\n1️⃣ Sales\n2️⃣ Help");
    }

    #[test]
    fn answers_walk_down_back_up_and_reach_queues_and_texts() {
        let menu = three_levels();
        let top = MenuPlace::top();
        assert_eq!(
            menu.answer(&top, " 2 "),
            MenuMove::Chose { option: 2, label: "Help".into(), then: MenuOutcome::Show(MenuPlace::Level(vec![2])) }
        );
        assert_eq!(
            menu.answer(&MenuPlace::Level(vec![2, 2]), "1️⃣"),
            MenuMove::Chose {
                option: 1,
                label: "Track".into(),
                then: MenuOutcome::Queue {
                    queue: queue(2),
                    message: None,
                    on_assignment: Some("An agent is with you now".into())
                }
            }
        );
        assert_eq!(
            menu.answer(&MenuPlace::Level(vec![2]), "0"),
            MenuMove::Chose { option: 0, label: "Back".into(), then: MenuOutcome::Show(top.clone()) }
        );
        assert_eq!(
            menu.answer(&MenuPlace::Level(vec![2]), "opening HOURS"),
            MenuMove::Chose {
                option: 1,
                label: "Opening hours".into(),
                then: MenuOutcome::Text { text: "Mon–Fri 9 to 18".into(), resolve: false }
            }
        );
        assert_eq!(menu.answer(&top, "0"), MenuMove::NotAnOption, "no back from the first level");
        assert_eq!(menu.answer(&top, "3"), MenuMove::NotAnOption);
        assert_eq!(menu.answer(&top, "hello"), MenuMove::NotAnOption);
        assert_eq!(menu.answer(&MenuPlace::Level(vec![1]), "1"), MenuMove::Restart, "Sales has no level below");
    }

    #[test]
    fn after_a_text_the_customer_chooses_the_menu_an_agent_or_the_end() {
        let menu = three_levels();
        assert_eq!(
            menu.render(&MenuPlace::AfterText),
            "Anything else?\n1. Show the menu again\n2. Talk to an agent\n3. That's all, thanks"
        );
        let then = |answer: &str| match menu.answer(&MenuPlace::AfterText, answer) {
            MenuMove::Chose { then, .. } => Some(then),
            MenuMove::NotAnOption | MenuMove::Restart => None,
        };
        assert_eq!(then("1"), Some(MenuOutcome::Show(MenuPlace::top())));
        assert_eq!(
            then("2"),
            Some(MenuOutcome::Queue {
                queue: queue(1),
                message: None,
                on_assignment: Some("An agent is with you now".into())
            })
        );
        assert_eq!(then("3"), Some(MenuOutcome::End));
        let no_agent = Menu { agent_queue: None, ..three_levels() };
        assert_eq!(
            no_agent.render(&MenuPlace::AfterText),
            "Anything else?\n1. Show the menu again\n2. That's all, thanks"
        );
        assert!(matches!(no_agent.answer(&MenuPlace::AfterText, "2"), MenuMove::Chose { then: MenuOutcome::End, .. }));
    }

    #[test]
    fn menus_a_customer_could_not_use_are_refused_with_where_and_why() {
        assert_eq!(three_levels().check(), Ok(()));
        assert_eq!(three_levels().queues(), vec![queue(1), queue(2), queue(3)]);
        let twice = Menu { resume_phrase: Some(" #HUMAN ".into()), ..three_levels() };
        assert_eq!(twice.check(), Err(MenuRejection::InvalidKeyPhrase));
        let empty = Menu { options: vec![], ..three_levels() };
        assert_eq!(empty.check(), Err(MenuRejection::OptionCount { at: Place::Options(vec![]) }));
        let mut no_label = three_levels();
        no_label.options[1] = option(" ", MenuAction::Text { text: "x".into(), resolve: false });
        assert_eq!(no_label.check(), Err(MenuRejection::InvalidLabel { at: Place::Options(vec![1]) }));
        let mut too_deep = three_levels();
        if let MenuAction::Submenu { options, .. } = &mut too_deep.options[1].action {
            if let MenuAction::Submenu { options, .. } = &mut options[1].action {
                options[0] = option(
                    "Deeper",
                    MenuAction::Submenu {
                        header: "4".into(),
                        options: vec![option("x", MenuAction::Text { text: "x".into(), resolve: false })],
                    },
                );
            }
        }
        let deep = too_deep.check().unwrap_err();
        assert_eq!(deep, MenuRejection::TooDeep { at: Place::Options(vec![1, 1, 0]) });
        assert_eq!(deep.option(), Some(&[1, 1, 0][..]), "an editor finds the option");
        assert!(deep.to_string().starts_with("option 2 › option 2 › option 1: "), "{deep}");
        let mut empty_text = three_levels();
        empty_text.options[0] = option("Hours", MenuAction::Text { text: "".into(), resolve: false });
        assert_eq!(empty_text.check(), Err(MenuRejection::InvalidText { at: Place::Options(vec![0]) }));
        let ten =
            (0..10).map(|i| option(&format!("o{i}"), MenuAction::Text { text: "x".into(), resolve: false })).collect();
        assert_eq!(
            Menu { options: ten, ..three_levels() }.check(),
            Err(MenuRejection::OptionCount { at: Place::Options(vec![]) })
        );
    }
}
