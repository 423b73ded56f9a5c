//! The menu as forms (M1–M21): its levels and options of every kind, and what the whole menu
//! does — greeting, consent, opening hours, reminders, key phrases. Every field writes straight
//! into the menu's JSON, which the JSON view shows and the preview checks; a mistake the server
//! finds in an option is shown on that option.

use crate::i18n::use_words;
use crate::menu_json::{flag_at, len_at, lines_at, lines_of, push_at, set_at, swap_at, text_at};
use crate::pages::queues::list_queues;
use leptos::prelude::*;
use serde_json::{json, Value};

/// The menu being edited, shared by every field.
#[derive(Clone, Copy)]
pub struct Draft {
    pub menu: RwSignal<Value>,
    /// The JSON view's text, rewritten from `menu` on every change made in the forms.
    pub text: RwSignal<String>,
    /// Bumped when the menu changes shape (an option added, moved, removed, of another kind; the
    /// JSON edited by hand): the forms are drawn again. Typing in a field only changes its value,
    /// so the field keeps the keyboard.
    pub shape: RwSignal<u64>,
}

impl Draft {
    pub fn new(json: &str) -> Self {
        let menu = serde_json::from_str(json).unwrap_or_else(|_| json!({}));
        Draft { menu: RwSignal::new(menu), text: RwSignal::new(json.to_string()), shape: RwSignal::new(0) }
    }

    fn change(self, change: impl FnOnce(&mut Value)) {
        self.menu.update(change);
        let pretty = self.menu.with_untracked(|menu| serde_json::to_string_pretty(menu).unwrap_or_default());
        self.text.set(pretty);
    }

    fn set(self, pointer: &str, value: Option<Value>) {
        self.change(|menu| set_at(menu, pointer, value));
    }

    /// A change that redraws the forms.
    fn reshape(self, change: impl FnOnce(&mut Value)) {
        self.change(change);
        self.shape.update(|n| *n += 1);
    }

    fn read(self, pointer: &str) -> String {
        self.menu.with_untracked(|menu| text_at(menu, pointer))
    }

    fn flag(self, pointer: &str, default: bool) -> bool {
        self.menu.with_untracked(|menu| flag_at(menu, pointer, default))
    }

    fn len(self, pointer: &str) -> usize {
        self.menu.with_untracked(|menu| len_at(menu, pointer))
    }

    fn has(self, pointer: &str) -> bool {
        self.menu.with_untracked(|menu| menu.pointer(pointer).is_some())
    }

    /// The JSON view was edited: taken when it reads as JSON, and the forms redrawn; `Err` says
    /// why not, and the forms wait until it does.
    pub fn edit_json(self, text: String) -> Result<(), String> {
        let parsed = serde_json::from_str::<Value>(&text);
        self.text.set(text);
        let menu = parsed.map_err(|e| e.to_string())?;
        self.menu.set(menu);
        self.shape.update(|n| *n += 1);
        Ok(())
    }
}

/// A mistake the server found, and the option it is in (see `MenuPreview::problem_at`).
pub type Problem = Option<(String, Option<Vec<usize>>)>;

pub(crate) struct Words {
    visual: &'static str,
    greeting: &'static str,
    header: &'static str,
    number_emojis: &'static str,
    options: &'static str,
    option: &'static str,
    label: &'static str,
    kind: &'static str,
    kinds: [(&'static str, &'static str); 6],
    add_option: &'static str,
    up: &'static str,
    down: &'static str,
    remove: &'static str,
    text: &'static str,
    resolve_after: &'static str,
    queue: &'static str,
    said_when_queued: &'static str,
    said_when_assigned: &'static str,
    submenu_header: &'static str,
    questions: &'static str,
    question: &'static str,
    question_name: &'static str,
    question_text: &'static str,
    check: &'static str,
    checks: [(&'static str, &'static str); 6],
    pattern: &'static str,
    min: &'static str,
    max: &'static str,
    one_of: &'static str,
    wrong_answer: &'static str,
    add_question: &'static str,
    attempts: &'static str,
    give_up: &'static str,
    give_ups: [(&'static str, &'static str); 3],
    done: &'static str,
    email_to: &'static str,
    email_subject: &'static str,
    method: &'static str,
    url: &'static str,
    body: &'static str,
    answer: &'static str,
    error: &'static str,
    timeout: &'static str,
    files_text: &'static str,
    files: &'static str,
    agents: &'static str,
    on_assignment: &'static str,
    agent_queue: &'static str,
    none: &'static str,
    ending: &'static str,
    farewell: &'static str,
    resolve_minutes: &'static str,
    remind: &'static str,
    remind_minutes: &'static str,
    remind_text: &'static str,
    consent: &'static str,
    ask_consent: &'static str,
    consent_text: &'static str,
    yes: &'static str,
    no: &'static str,
    consent_farewell: &'static str,
    remember: &'static str,
    hours: &'static str,
    use_hours: &'static str,
    time_zone: &'static str,
    day: &'static str,
    days: [(&'static str, &'static str); 7],
    from: &'static str,
    to: &'static str,
    add_span: &'static str,
    closed_message: &'static str,
    phrases: &'static str,
    phrase: &'static str,
    add_phrase: &'static str,
    stop_phrase: &'static str,
    resume_phrase: &'static str,
    sticker_reply: &'static str,
    in_json: &'static str,
    json_broken: &'static str,
}

const ENGLISH: Words = Words {
    visual: "Menu",
    greeting: "Greeting",
    header: "What the bot says first, above the options",
    number_emojis: "Number the options with emojis (1️⃣ 2️⃣ …)",
    options: "Options",
    option: "Option",
    label: "Label",
    kind: "What it does",
    kinds: [
        ("text", "Shows a text"),
        ("queue", "Talk to an agent"),
        ("submenu", "Opens another level"),
        ("form", "Asks for data"),
        ("query", "Asks a web service"),
        ("files", "Sends files"),
    ],
    add_option: "Add an option",
    up: "Move up",
    down: "Move down",
    remove: "Remove",
    text: "Text",
    resolve_after: "Resolve the chat right after this answer (instead of offering the menu, an agent or the end)",
    queue: "Queue",
    said_when_queued: "Said as the chat joins the queue (optional)",
    said_when_assigned: "Said when an agent takes it (optional)",
    submenu_header: "Header of this level",
    questions: "Questions",
    question: "Question",
    question_name: "Name (a-z, 0-9, _)",
    question_text: "Question",
    check: "The answer must be",
    checks: [
        ("any", "Any text"),
        ("email", "An e-mail"),
        ("number", "A number"),
        ("date", "A date"),
        ("one_of", "One of some options"),
        ("regex", "Like a pattern"),
    ],
    pattern: "Pattern (regular expression)",
    min: "At least",
    max: "At most",
    one_of: "The options, one per line",
    wrong_answer: "Said after a wrong answer (optional)",
    add_question: "Add a question",
    attempts: "Wrong answers before giving up",
    give_up: "Then",
    give_ups: [("menu", "Back to the menu"), ("queue", "To an agent"), ("end", "End the conversation")],
    done: "Said once the answers are in (optional)",
    email_to: "E-mail the answers to (optional)",
    email_subject: "Subject of the e-mail",
    method: "Method",
    url: "Address ({{name}}: an answer)",
    body: "Body (optional)",
    answer: "What the customer reads ({{field}} of the answer)",
    error: "Said when the service fails",
    timeout: "Give up after (ms)",
    files_text: "Words with the files (optional)",
    files: "Files: one address per line (https:// or /media/)",
    agents: "Agents",
    on_assignment: "Said when an agent takes a chat (optional)",
    agent_queue: "Queue for “talk to an agent” after a text",
    none: "None",
    ending: "Ending",
    farewell: "Farewell (optional)",
    resolve_minutes: "Resolve after this many minutes without an answer (optional)",
    remind: "Remind a customer who does not answer",
    remind_minutes: "After minutes",
    remind_text: "Reminder",
    consent: "Consent",
    ask_consent: "Ask for consent before the menu",
    consent_text: "Question",
    yes: "Yes",
    no: "No",
    consent_farewell: "Said when the customer refuses (optional)",
    remember: "Remember the answer (otherwise asked at every conversation)",
    hours: "Opening hours",
    use_hours: "The menu knows opening hours",
    time_zone: "Time zone",
    day: "Day",
    days: [
        ("mon", "Monday"),
        ("tue", "Tuesday"),
        ("wed", "Wednesday"),
        ("thu", "Thursday"),
        ("fri", "Friday"),
        ("sat", "Saturday"),
        ("sun", "Sunday"),
    ],
    from: "From",
    to: "To",
    add_span: "Add opening hours",
    closed_message: "Said when closed (optional)",
    phrases: "Key phrases",
    phrase: "Phrase that sends the chat to an agent",
    add_phrase: "Add a key phrase",
    stop_phrase: "Phrase that stops the bot (optional)",
    resume_phrase: "Phrase that starts it again (optional)",
    sticker_reply: "Answer to a sticker (optional)",
    in_json: "More — the bot's own words, routes of forms, exceptional days, the menu when closed — in the JSON view.",
    json_broken: "The JSON view has a mistake; the forms come back once it reads as JSON:",
};

const SPANISH: Words = Words {
    visual: "Menú",
    greeting: "Saludo",
    header: "Lo primero que dice el bot, sobre las opciones",
    number_emojis: "Numerar las opciones con emojis (1️⃣ 2️⃣ …)",
    options: "Opciones",
    option: "Opción",
    label: "Texto de la opción",
    kind: "Qué hace",
    kinds: [
        ("text", "Muestra un texto"),
        ("queue", "Hablar con un agente"),
        ("submenu", "Abre otro nivel"),
        ("form", "Pide datos"),
        ("query", "Consulta un servicio web"),
        ("files", "Envía archivos"),
    ],
    add_option: "Añadir una opción",
    up: "Subir",
    down: "Bajar",
    remove: "Quitar",
    text: "Texto",
    resolve_after: "Resolver el chat justo después de esta respuesta (en vez de ofrecer el menú, un agente o el final)",
    queue: "Cola",
    said_when_queued: "Se dice al entrar en la cola (opcional)",
    said_when_assigned: "Se dice cuando lo toma un agente (opcional)",
    submenu_header: "Encabezado de este nivel",
    questions: "Preguntas",
    question: "Pregunta",
    question_name: "Nombre (a-z, 0-9, _)",
    question_text: "Pregunta",
    check: "La respuesta debe ser",
    checks: [
        ("any", "Cualquier texto"),
        ("email", "Un e-mail"),
        ("number", "Un número"),
        ("date", "Una fecha"),
        ("one_of", "Una de varias opciones"),
        ("regex", "Como un patrón"),
    ],
    pattern: "Patrón (expresión regular)",
    min: "Como mínimo",
    max: "Como máximo",
    one_of: "Las opciones, una por línea",
    wrong_answer: "Se dice tras una respuesta incorrecta (opcional)",
    add_question: "Añadir una pregunta",
    attempts: "Respuestas incorrectas antes de desistir",
    give_up: "Después",
    give_ups: [("menu", "Volver al menú"), ("queue", "A un agente"), ("end", "Terminar la conversación")],
    done: "Se dice al tener las respuestas (opcional)",
    email_to: "Enviar las respuestas por e-mail a (opcional)",
    email_subject: "Asunto del e-mail",
    method: "Método",
    url: "Dirección ({{nombre}}: una respuesta)",
    body: "Cuerpo (opcional)",
    answer: "Lo que lee el cliente ({{campo}} de la respuesta)",
    error: "Se dice si el servicio falla",
    timeout: "Desistir tras (ms)",
    files_text: "Palabras con los archivos (opcional)",
    files: "Archivos: una dirección por línea (https:// o /media/)",
    agents: "Agentes",
    on_assignment: "Se dice cuando un agente toma un chat (opcional)",
    agent_queue: "Cola para «hablar con un agente» tras un texto",
    none: "Ninguna",
    ending: "Final",
    farewell: "Despedida (opcional)",
    resolve_minutes: "Resolver tras estos minutos sin respuesta (opcional)",
    remind: "Recordar al cliente que no responde",
    remind_minutes: "Tras minutos",
    remind_text: "Recordatorio",
    consent: "Consentimiento",
    ask_consent: "Pedir consentimiento antes del menú",
    consent_text: "Pregunta",
    yes: "Sí",
    no: "No",
    consent_farewell: "Se dice si el cliente lo rechaza (opcional)",
    remember: "Recordar la respuesta (si no, se pregunta en cada conversación)",
    hours: "Horario de atención",
    use_hours: "El menú conoce el horario de atención",
    time_zone: "Zona horaria",
    day: "Día",
    days: [
        ("mon", "Lunes"),
        ("tue", "Martes"),
        ("wed", "Miércoles"),
        ("thu", "Jueves"),
        ("fri", "Viernes"),
        ("sat", "Sábado"),
        ("sun", "Domingo"),
    ],
    from: "Desde",
    to: "Hasta",
    add_span: "Añadir horario",
    closed_message: "Se dice fuera de horario (opcional)",
    phrases: "Frases clave",
    phrase: "Frase que pasa el chat a un agente",
    add_phrase: "Añadir una frase clave",
    stop_phrase: "Frase que detiene el bot (opcional)",
    resume_phrase: "Frase que lo reanuda (opcional)",
    sticker_reply: "Respuesta a un sticker (opcional)",
    in_json: "Más — las palabras propias del bot, rutas de formularios, días excepcionales, el menú fuera de horario — en la vista JSON.",
    json_broken: "La vista JSON tiene un error; los formularios vuelven cuando se lea como JSON:",
};

/// A field's element id, from where it writes.
fn field_id(pointer: &str) -> String {
    format!("menu{}", pointer.replace('/', "-"))
}

/// What a field writes: the text as typed, or none when it may be left out and is blank.
fn text_value(text: String, optional: bool) -> Option<Value> {
    if optional && text.trim().is_empty() {
        None
    } else {
        Some(Value::String(text))
    }
}

fn text_field(draft: Draft, pointer: String, label: &'static str, optional: bool) -> AnyView {
    let id = field_id(&pointer);
    let value = draft.read(&pointer);
    view! {
        <p class="field">
            <label for=id.clone()>{label}</label>
            <input id=id autocomplete="off" prop:value=value
                on:input=move |event| draft.set(&pointer, text_value(event_target_value(&event), optional)) />
        </p>
    }
    .into_any()
}

fn long_text_field(draft: Draft, pointer: String, label: &'static str, optional: bool) -> AnyView {
    let id = field_id(&pointer);
    let value = draft.read(&pointer);
    view! {
        <p class="field">
            <label for=id.clone()>{label}</label>
            <textarea id=id rows="3" prop:value=value
                on:input=move |event| draft.set(&pointer, text_value(event_target_value(&event), optional))></textarea>
        </p>
    }
    .into_any()
}

/// A whole number; blank leaves it out (the menu's default), anything else that is not one is
/// written as typed for the server to refuse in words.
fn number_field(draft: Draft, pointer: String, label: &'static str) -> AnyView {
    let id = field_id(&pointer);
    let value = draft.read(&pointer);
    view! {
        <p class="field">
            <label for=id.clone()>{label}</label>
            <input id=id type="number" min="0" inputmode="numeric" autocomplete="off" prop:value=value
                on:input=move |event| {
                    let typed = event_target_value(&event);
                    let value = match typed.trim() {
                        "" => None,
                        number => Some(number.parse::<i64>().map_or_else(|_| Value::String(typed.clone()), Value::from)),
                    };
                    draft.set(&pointer, value);
                } />
        </p>
    }
    .into_any()
}

fn check_field(draft: Draft, pointer: String, label: &'static str, default: bool) -> AnyView {
    let id = field_id(&pointer);
    let checked = draft.flag(&pointer, default);
    view! {
        <p class="field check">
            <input id=id.clone() type="checkbox" prop:checked=checked
                on:change=move |event| draft.set(&pointer, Some(Value::Bool(event_target_checked(&event)))) />
            " "
            <label for=id>{label}</label>
        </p>
    }
    .into_any()
}

/// One of `choices` (value, label); with `none`, a first choice that leaves the value out.
fn select_field(
    draft: Draft,
    pointer: String,
    label: &'static str,
    choices: Vec<(String, String)>,
    none: Option<&'static str>,
) -> AnyView {
    let id = field_id(&pointer);
    let current = draft.read(&pointer);
    view! {
        <p class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |event| {
                let chosen = event_target_value(&event);
                draft.set(&pointer, (!chosen.is_empty()).then_some(Value::String(chosen)));
            }>
                {none.map(|none| view! { <option value="" selected=current.is_empty()>{none}</option> })}
                {choices.into_iter().map(|(value, label)| {
                    let selected = value == current;
                    view! { <option value=value selected=selected>{label}</option> }
                }).collect_view()}
            </select>
        </p>
    }
    .into_any()
}

/// A list of strings, one per line.
fn lines_field(draft: Draft, pointer: String, label: &'static str) -> AnyView {
    let id = field_id(&pointer);
    let value = draft.menu.with_untracked(|menu| lines_at(menu, &pointer));
    view! {
        <p class="field">
            <label for=id.clone()>{label}</label>
            <textarea id=id rows="3" prop:value=value
                on:input=move |event| draft.set(&pointer, Some(lines_of(&event_target_value(&event))))></textarea>
        </p>
    }
    .into_any()
}

/// A choice that changes the shape of what follows (an option's kind, a check, a give-up):
/// `shape` makes the value it writes.
fn shape_select(
    draft: Draft,
    pointer: String,
    label: &'static str,
    current: String,
    choices: &[(&'static str, &'static str)],
    shape: impl Fn(&str) -> Value + 'static,
) -> AnyView {
    let id = field_id(&format!("{pointer}-kind"));
    let choices: Vec<(&'static str, &'static str)> = choices.to_vec();
    view! {
        <p class="field">
            <label for=id.clone()>{label}</label>
            <select id=id on:change=move |event| {
                let value = shape(&event_target_value(&event));
                draft.reshape(|menu| set_at(menu, &pointer, Some(value)));
            }>
                {choices.into_iter().map(|(value, label)| view! {
                    <option value=value selected={value == current}>{label}</option>
                }).collect_view()}
            </select>
        </p>
    }
    .into_any()
}

/// Buttons that move, or remove, item `i` of the list at `list`.
fn item_buttons(draft: Draft, list: String, i: usize, words: &'static Words, what: String) -> AnyView {
    let count = draft.len(&list);
    let (up, down, gone) = (list.clone(), list.clone(), list);
    view! {
        <span class="item-buttons">
            <button type="button" class="link-button" disabled={i == 0} aria-label=format!("{} {what}", words.up)
                on:click=move |_| draft.reshape(|menu| swap_at(menu, &up, i, i.wrapping_sub(1)))>"↑"</button>
            <button type="button" class="link-button" disabled={i + 1 >= count} aria-label=format!("{} {what}", words.down)
                on:click=move |_| draft.reshape(|menu| swap_at(menu, &down, i, i + 1))>"↓"</button>
            <button type="button" class="link-button danger" aria-label=format!("{} {what}", words.remove)
                on:click=move |_| draft.reshape(|menu| set_at(menu, &format!("{gone}/{i}"), None))>{words.remove}</button>
        </span>
    }
    .into_any()
}

/// Everything a builder's parts need.
#[derive(Clone)]
struct Parts {
    draft: Draft,
    words: &'static Words,
    queues: Vec<(String, String)>,
    problem: Signal<Problem>,
}

impl Parts {
    fn first_queue(&self) -> String {
        self.queues.first().map(|(id, _)| id.clone()).unwrap_or_default()
    }

    fn queue_select(&self, pointer: String, label: &'static str, none: Option<&'static str>) -> AnyView {
        select_field(self.draft, pointer, label, self.queues.clone(), none)
    }

    /// The mistake the server found at `place`, shown there.
    fn problem_at(&self, place: Vec<usize>) -> impl IntoView {
        let problem = self.problem;
        move || {
            problem.get().filter(|(_, at)| at.as_ref() == Some(&place)).map(|(problem, _)| {
                view! { <p role="alert" class="form-error option-problem">{problem}</p> }
            })
        }
    }
}

/// The options of a level at `list`; `place`: the options leading to it; `depth`: 0 for the first
/// level (a menu has at most three).
fn options_editor(parts: &Parts, list: String, place: Vec<usize>, depth: usize) -> AnyView {
    let (draft, words) = (parts.draft, parts.words);
    let count = draft.len(&list);
    let options = (0..count)
        .map(|i| {
            let mut here = place.clone();
            here.push(i);
            option_editor(parts, list.clone(), i, here, depth)
        })
        .collect_view();
    let added = list.clone();
    view! {
        <ol class="menu-options">{options}</ol>
        <button type="button" on:click=move |_| draft.reshape(|menu| push_at(menu, &added, json!({
            "label": "", "action": { "kind": "text", "text": "" }
        })))>{words.add_option}</button>
    }
    .into_any()
}

fn option_editor(parts: &Parts, list: String, i: usize, place: Vec<usize>, depth: usize) -> AnyView {
    let (draft, words) = (parts.draft, parts.words);
    let at = format!("{list}/{i}");
    let action = format!("{at}/action");
    let kind = draft.read(&format!("{action}/kind"));
    let name = place.iter().map(|n| (n + 1).to_string()).collect::<Vec<_>>().join(" › ");
    let title = format!("{} {name}", words.option);
    // A third level opens no other.
    let kinds: Vec<(&'static str, &'static str)> =
        words.kinds.iter().copied().filter(|(kind, _)| *kind != "submenu" || depth < 2).collect();
    let first_queue = parts.first_queue();
    let new_action = move |kind: &str| match kind {
        "queue" => json!({ "kind": "queue", "queue": first_queue }),
        "submenu" => json!({ "kind": "submenu", "header": "", "options": [
            { "label": "", "action": { "kind": "text", "text": "" } }
        ] }),
        "form" => json!({ "kind": "form", "questions": [{ "name": "answer", "text": "" }] }),
        "query" => json!({ "kind": "query", "url": "https://", "answer": "{{body}}", "error": "" }),
        "files" => json!({ "kind": "files", "files": [] }),
        _ => json!({ "kind": "text", "text": "" }),
    };
    let details = match kind.as_str() {
        "queue" => view! {
            {parts.queue_select(format!("{action}/queue"), words.queue, None)}
            {text_field(draft, format!("{action}/message"), words.said_when_queued, true)}
            {text_field(draft, format!("{action}/on_assignment"), words.said_when_assigned, true)}
        }
        .into_any(),
        "submenu" => view! {
            {long_text_field(draft, format!("{action}/header"), words.submenu_header, false)}
            {options_editor(parts, format!("{action}/options"), place.clone(), depth + 1)}
        }
        .into_any(),
        "form" => form_editor(parts, action.clone()),
        "query" => query_editor(parts, action.clone()),
        "files" => view! {
            {text_field(draft, format!("{action}/text"), words.files_text, true)}
            {lines_field(draft, format!("{action}/files"), words.files)}
        }
        .into_any(),
        _ => view! {
            {long_text_field(draft, format!("{action}/text"), words.text, false)}
            {check_field(draft, format!("{action}/resolve"), words.resolve_after, false)}
        }
        .into_any(),
    };
    view! {
        <li class="menu-option" data-place=name.clone()>
            <fieldset>
                <legend>{title.clone()}</legend>
                {parts.problem_at(place.clone())}
                {item_buttons(draft, list, i, words, title)}
                {text_field(draft, format!("{at}/label"), words.label, false)}
                {shape_select(draft, action, words.kind, kind, &kinds, new_action)}
                {details}
            </fieldset>
        </li>
    }
    .into_any()
}

fn form_editor(parts: &Parts, action: String) -> AnyView {
    let (draft, words) = (parts.draft, parts.words);
    let list = format!("{action}/questions");
    let questions = (0..draft.len(&list))
        .map(|i| {
            let at = format!("{list}/{i}");
            let check = format!("{at}/check");
            let kind = Some(draft.read(&format!("{check}/kind"))).filter(|k| !k.is_empty()).unwrap_or("any".into());
            let title = format!("{} {}", words.question, i + 1);
            let check_details = match kind.as_str() {
                "regex" => text_field(draft, format!("{check}/pattern"), words.pattern, false),
                "number" => view! {
                    {number_field(draft, format!("{check}/min"), words.min)}
                    {number_field(draft, format!("{check}/max"), words.max)}
                }
                .into_any(),
                "one_of" => lines_field(draft, format!("{check}/options"), words.one_of),
                _ => ().into_any(),
            };
            let new_check = |kind: &str| match kind {
                "regex" => json!({ "kind": "regex", "pattern": ".+" }),
                "one_of" => json!({ "kind": "one_of", "options": [] }),
                kind => json!({ "kind": kind }),
            };
            view! {
                <li class="menu-question">
                    <fieldset>
                        <legend>{title.clone()}</legend>
                        {item_buttons(draft, list.clone(), i, words, title)}
                        {text_field(draft, format!("{at}/name"), words.question_name, false)}
                        {long_text_field(draft, format!("{at}/text"), words.question_text, false)}
                        {shape_select(draft, check, words.check, kind, &words.checks, new_check)}
                        {check_details}
                        {text_field(draft, format!("{at}/error"), words.wrong_answer, true)}
                    </fieldset>
                </li>
            }
        })
        .collect_view();
    let give_up = format!("{action}/on_give_up");
    let then = Some(draft.read(&format!("{give_up}/then"))).filter(|t| !t.is_empty()).unwrap_or("menu".into());
    let first_queue = parts.first_queue();
    let new_give_up = move |then: &str| match then {
        "queue" => json!({ "then": "queue", "queue": first_queue }),
        then => json!({ "then": then }),
    };
    let added = list.clone();
    let email = format!("{action}/email");
    view! {
        <h4>{words.questions}</h4>
        <ol class="menu-questions">{questions}</ol>
        <button type="button" on:click=move |_| {
            let n = draft.len(&added) + 1;
            draft.reshape(|menu| push_at(menu, &added, json!({ "name": format!("answer_{n}"), "text": "" })));
        }>{words.add_question}</button>
        {number_field(draft, format!("{action}/max_attempts"), words.attempts)}
        {shape_select(draft, give_up.clone(), words.give_up, then.clone(), &words.give_ups, new_give_up)}
        {(then == "queue").then(|| parts.queue_select(format!("{give_up}/queue"), words.queue, None))}
        {text_field(draft, format!("{action}/done"), words.done, true)}
        {email_fields(draft, email, words)}
    }
    .into_any()
}

/// Where a form's answers are e-mailed: blank leaves the e-mail out.
fn email_fields(draft: Draft, email: String, words: &'static Words) -> AnyView {
    let (to_id, subject_id) = (field_id(&format!("{email}/to")), field_id(&format!("{email}/subject")));
    let (to, subject) = (draft.read(&format!("{email}/to")), draft.read(&format!("{email}/subject")));
    let subject_email = email.clone();
    view! {
        <p class="field">
            <label for=to_id.clone()>{words.email_to}</label>
            <input id=to_id type="email" autocomplete="off" prop:value=to on:input=move |event| {
                let to = event_target_value(&event);
                if to.trim().is_empty() {
                    draft.set(&email, None);
                } else {
                    let subject = draft.read(&format!("{email}/subject"));
                    draft.set(&email, Some(json!({ "to": to, "subject": subject })));
                }
            } />
        </p>
        <p class="field">
            <label for=subject_id.clone()>{words.email_subject}</label>
            <input id=subject_id autocomplete="off" prop:value=subject on:input=move |event| {
                if draft.has(&format!("{subject_email}/to")) {
                    draft.set(&format!("{subject_email}/subject"), Some(Value::String(event_target_value(&event))));
                }
            } />
        </p>
    }
    .into_any()
}

fn query_editor(parts: &Parts, action: String) -> AnyView {
    let (draft, words) = (parts.draft, parts.words);
    let methods = ["GET", "POST", "PUT", "PATCH", "DELETE"].map(|m| (m.to_string(), m.to_string())).to_vec();
    view! {
        {select_field(draft, format!("{action}/method"), words.method, methods, None)}
        {text_field(draft, format!("{action}/url"), words.url, false)}
        {long_text_field(draft, format!("{action}/body"), words.body, true)}
        {long_text_field(draft, format!("{action}/answer"), words.answer, false)}
        {text_field(draft, format!("{action}/error"), words.error, false)}
        {number_field(draft, format!("{action}/timeout_ms"), words.timeout)}
        {check_field(draft, format!("{action}/resolve"), words.resolve_after, false)}
    }
    .into_any()
}

/// A part of the menu that is there or not (consent, a reminder, opening hours): ticking it puts
/// `start` in, unticking takes it away.
fn toggle(draft: Draft, pointer: &'static str, label: &'static str, start: Value) -> AnyView {
    let id = field_id(&format!("{pointer}-on"));
    let on = draft.has(pointer);
    view! {
        <p class="field check">
            <input id=id.clone() type="checkbox" prop:checked=on on:change=move |event| {
                let value = event_target_checked(&event).then(|| start.clone());
                draft.reshape(|menu| set_at(menu, pointer, value));
            } />
            " "
            <label for=id>{label}</label>
        </p>
    }
    .into_any()
}

fn menu_settings(parts: &Parts) -> AnyView {
    let (draft, words) = (parts.draft, parts.words);
    let reminder = draft.has("/reminder").then(|| {
        view! {
            {number_field(draft, "/reminder/after_minutes".into(), words.remind_minutes)}
            {text_field(draft, "/reminder/text".into(), words.remind_text, false)}
        }
    });
    let consent = draft.has("/consent").then(|| {
        view! {
            {long_text_field(draft, "/consent/text".into(), words.consent_text, false)}
            {text_field(draft, "/consent/yes".into(), words.yes, false)}
            {text_field(draft, "/consent/no".into(), words.no, false)}
            {text_field(draft, "/consent/farewell".into(), words.consent_farewell, true)}
            {check_field(draft, "/consent/remember".into(), words.remember, true)}
        }
    });
    let days: Vec<(String, String)> = words.days.iter().map(|(d, l)| (d.to_string(), l.to_string())).collect();
    let hours = draft.has("/opening_hours").then(|| {
        let spans = (0..draft.len("/opening_hours/week"))
            .map(|i| {
                let at = format!("/opening_hours/week/{i}");
                let (from_id, to_id) = (field_id(&format!("{at}/from")), field_id(&format!("{at}/to")));
                let (from, to) = (draft.read(&format!("{at}/from")), draft.read(&format!("{at}/to")));
                let (from_at, to_at) = (format!("{at}/from"), format!("{at}/to"));
                let title = format!("{} {}", words.day, i + 1);
                view! {
                    <li class="menu-span">
                        {select_field(draft, format!("{at}/day"), words.day, days.clone(), None)}
                        <p class="field">
                            <label for=from_id.clone()>{words.from}</label>
                            <input id=from_id type="time" prop:value=from
                                on:input=move |event| draft.set(&from_at, Some(Value::String(event_target_value(&event)))) />
                        </p>
                        <p class="field">
                            <label for=to_id.clone()>{words.to}</label>
                            <input id=to_id type="time" prop:value=to
                                on:input=move |event| draft.set(&to_at, Some(Value::String(event_target_value(&event)))) />
                        </p>
                        {item_buttons(draft, "/opening_hours/week".into(), i, words, title)}
                    </li>
                }
            })
            .collect_view();
        view! {
            {text_field(draft, "/opening_hours/time_zone".into(), words.time_zone, false)}
            <ol class="menu-spans">{spans}</ol>
            <button type="button" on:click=move |_| draft.reshape(|menu| push_at(menu, "/opening_hours/week",
                json!({ "day": "mon", "from": "09:00", "to": "18:00" })))>{words.add_span}</button>
            {text_field(draft, "/closed_message".into(), words.closed_message, true)}
        }
    });
    let phrases = (0..draft.len("/agent_phrases"))
        .map(|i| {
            let at = format!("/agent_phrases/{i}");
            let title = format!("{} {}", words.phrase, i + 1);
            view! {
                <li class="menu-phrase">
                    {text_field(draft, format!("{at}/phrase"), words.phrase, false)}
                    {parts.queue_select(format!("{at}/queue"), words.queue, None)}
                    {item_buttons(draft, "/agent_phrases".into(), i, words, title)}
                </li>
            }
        })
        .collect_view();
    let first_queue = parts.first_queue();
    view! {
        <details class="menu-part">
            <summary>{words.agents}</summary>
            {text_field(draft, "/on_assignment".into(), words.on_assignment, true)}
            {parts.queue_select("/agent_queue".into(), words.agent_queue, Some(words.none))}
        </details>
        <details class="menu-part">
            <summary>{words.ending}</summary>
            {text_field(draft, "/farewell".into(), words.farewell, true)}
            {number_field(draft, "/resolve_after_minutes".into(), words.resolve_minutes)}
            {toggle(draft, "/reminder", words.remind, json!({ "after_minutes": 10, "text": "" }))}
            {reminder}
        </details>
        <details class="menu-part">
            <summary>{words.consent}</summary>
            {toggle(draft, "/consent", words.ask_consent, json!({ "text": "" }))}
            {consent}
        </details>
        <details class="menu-part">
            <summary>{words.hours}</summary>
            {toggle(draft, "/opening_hours", words.use_hours, json!({
                "time_zone": "UTC", "week": [{ "day": "mon", "from": "09:00", "to": "18:00" }]
            }))}
            {hours}
        </details>
        <details class="menu-part">
            <summary>{words.phrases}</summary>
            <ol class="menu-phrases">{phrases}</ol>
            <button type="button" on:click=move |_| {
                let queue = first_queue.clone();
                draft.reshape(|menu| push_at(menu, "/agent_phrases", json!({ "phrase": "", "queue": queue })));
            }>{words.add_phrase}</button>
            {text_field(draft, "/stop_phrase".into(), words.stop_phrase, true)}
            {text_field(draft, "/resume_phrase".into(), words.resume_phrase, true)}
            {text_field(draft, "/sticker_reply".into(), words.sticker_reply, true)}
        </details>
    }
    .into_any()
}

/// The menu as forms; `broken`: why the JSON view does not read as JSON, when it does not.
#[component]
pub fn MenuBuilder(draft: Draft, problem: Signal<Problem>, broken: Signal<Option<String>>) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let queues = Resource::new(|| (), |_| list_queues());
    view! {
        <section class="menu-builder" aria-label=move || words.get().visual>
            <Suspense fallback=|| view! { <p>"…"</p> }>
                {move || Suspend::new(async move {
                    let queues: Vec<(String, String)> =
                        queues.await.unwrap_or_default().into_iter().map(|q| (q.id, q.name)).collect();
                    move || {
                        draft.shape.get();
                        let words = words.get();
                        if let Some(why) = broken.get() {
                            return view! { <p role="alert" class="form-error">{format!("{} {why}", words.json_broken)}</p> }.into_any();
                        }
                        let parts = Parts { draft, words, queues: queues.clone(), problem };
                        view! {
                            <h3>{words.greeting}</h3>
                            {long_text_field(draft, "/header".into(), words.header, false)}
                            {check_field(draft, "/number_emojis".into(), words.number_emojis, false)}
                            <h3>{words.options}</h3>
                            {parts.problem_at(Vec::new())}
                            {options_editor(&parts, "/options".into(), Vec::new(), 0)}
                            {menu_settings(&parts)}
                            <p class="hint">{words.in_json}</p>
                        }
                        .into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
