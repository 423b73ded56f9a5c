//! The Leptos app, rendered on the server and hydrated in the browser.
//!
//! - [`alerts`]: the agent's alerts of new messages (a sound, the browser's notifications).
//! - [`assets`]: where browsers find the bundle and the stylesheet.
//! - [`brand`]: the company's name and logo in the top bar, and the form that sets them (W5).
//! - [`charts`]: bar charts drawn as SVG with the page, each with the table behind it.
//! - [`browser`] (browser only): the answers of requests pages send straight from the browser.
//! - [`contract`]: the views and forms the pages and the server exchange.
//! - [`error`]: the typed error every server function returns.
//! - [`i18n`]: the one way pages translate (English, and Spanish with `?lang=es`).
//! - [`components`]: what every page repeats (a list read from the server, a refusal).
//! - [`live`]: the browser's end of the WebSocket that pushes changes.
//! - [`pages`]: one module per screen, each with the server functions it calls.
//! - [`preferences`]: the language and theme a person picks, remembered by their browser.
//! - [`ssr`] (server only): what the server provides to server functions.

pub mod alerts;
pub mod assets;
pub mod brand;
#[cfg(feature = "hydrate")]
pub mod browser;
pub mod charts;
pub mod components;
pub mod contract;
pub mod dates;
pub mod error;
pub mod i18n;
pub mod line_trouble;
pub mod live;
pub mod menu_json;
pub mod pages;
pub mod past;
pub mod preferences;
pub mod shortcuts;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::assets::Bundle;
use crate::i18n::{use_lang, use_words};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Html, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::{ParamSegment, StaticSegment};

/// The HTML document around the console, hydrated by its bundle.
pub fn console_shell(options: LeptosOptions) -> impl IntoView {
    page_document(options, Bundle::Console, view! { <Console /> })
}

/// The HTML document around the supervisors' settings, hydrated by its bundle.
pub fn settings_shell(options: LeptosOptions) -> impl IntoView {
    page_document(options, Bundle::Settings, view! { <Settings /> })
}

/// The HTML document around the supervisors' lines, hydrated by its bundle.
pub fn lines_shell(options: LeptosOptions) -> impl IntoView {
    page_document(options, Bundle::Lines, view! { <Lines /> })
}

/// The HTML document around what auditors read, hydrated by its bundle.
pub fn audit_shell(options: LeptosOptions) -> impl IntoView {
    page_document(options, Bundle::Audit, view! { <Audit /> })
}

/// The HTML document around the agents' workspace, hydrated by its bundle.
pub fn workspace_shell(options: LeptosOptions) -> impl IntoView {
    page_document(options, Bundle::Workspace, view! { <Workspace /> })
}

fn page_document(mut options: LeptosOptions, bundle: Bundle, app: impl IntoView) -> impl IntoView {
    options.output_name = bundle.name().into();
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>{app}</body>
        </html>
    }
}

/// Supervisors', auditors' and visitors' pages.
#[component]
pub fn Console() -> impl IntoView {
    view! {
        <Frame supervisors_warnings=line_trouble::warnings>
            <Routes fallback=|| view! { <Elsewhere here=Bundle::Console /> }>
                <Route path=StaticSegment("") view=pages::home::HomePage />
                <Route path=StaticSegment("contacts") view=pages::contacts::ContactsPage />
                <Route path=(StaticSegment("contacts"), ParamSegment("id")) view=pages::contact_card::ContactCardPage />
                <Route path=(StaticSegment("login"), StaticSegment("supervisor")) view=pages::login::SupervisorLogin />
                <Route path=(StaticSegment("supervisor"), StaticSegment("monitor")) view=pages::monitor::MonitorPage />
                <Route path=(StaticSegment("supervisor"), StaticSegment("chats"), ParamSegment("id")) view=pages::supervised_chat::SupervisedChatPage />
                <Route path=(StaticSegment("account"), StaticSegment("password")) view=pages::account::PasswordPage />
                <Route path=StaticSegment("whats-new") view=pages::whats_new::WhatsNewPage />
            </Routes>
        </Frame>
    }
}

/// The supervisors' settings: who works, in which queues and pauses, on which lines.
#[component]
pub fn Settings() -> impl IntoView {
    view! {
        <Frame supervisors_warnings=line_trouble::warnings>
            <Routes fallback=|| view! { <Elsewhere here=Bundle::Settings /> }>
                <Route path=(StaticSegment("supervisor"), StaticSegment("agents")) view=pages::agents::AgentsPage />
                <Route
                    path=(StaticSegment("supervisor"), StaticSegment("pause-reasons"))
                    view=pages::pauses::PauseReasonsPage
                />
                <Route path=(StaticSegment("supervisor"), StaticSegment("queues")) view=pages::queues::QueuesPage />
                <Route path=(StaticSegment("supervisor"), StaticSegment("blacklist")) view=pages::blacklist::BlacklistPage />
                <Route
                    path=(StaticSegment("supervisor"), StaticSegment("quick-replies"))
                    view=pages::quick_replies::QuickRepliesPage
                />
            </Routes>
        </Frame>
    }
}

/// The supervisors' lines: where chats go, menus, channels, API keys.
#[component]
pub fn Lines() -> impl IntoView {
    view! {
        <Frame supervisors_warnings=line_trouble::warnings>
            <Routes fallback=|| view! { <Elsewhere here=Bundle::Lines /> }>
                <Route path=(StaticSegment("supervisor"), StaticSegment("lines")) view=pages::lines::LinesPage />
            </Routes>
        </Frame>
    }
}

/// What auditors (and supervisors) read: histories as the log holds them.
#[component]
pub fn Audit() -> impl IntoView {
    view! {
        <Frame supervisors_warnings=line_trouble::warnings>
            <Routes fallback=|| view! { <Elsewhere here=Bundle::Audit /> }>
                <Route path=StaticSegment("audit") view=pages::history::AuditIndexPage />
                <Route path=(StaticSegment("audit"), StaticSegment("reports")) view=pages::reports::ReportsPage />
                <Route path=(StaticSegment("audit"), ParamSegment("kind"), ParamSegment("id")) view=pages::history::HistoryPage />
            </Routes>
        </Frame>
    }
}

/// The agents' workspace.
#[component]
pub fn Workspace() -> impl IntoView {
    view! {
        <Frame>
            <Routes fallback=|| view! { <Elsewhere here=Bundle::Workspace /> }>
                <ParentRoute path=StaticSegment("agent") view=pages::workspace::WorkspacePage>
                    <Route path=StaticSegment("") view=pages::workspace::NoChatOpen />
                    <Route path=(StaticSegment("chats"), ParamSegment("id")) view=pages::conversation::ConversationPage />
                    <Route path=(StaticSegment("colleagues"), ParamSegment("id")) view=pages::colleagues::ColleagueChatPage />
                    <Route path=StaticSegment("new") view=pages::start::StartPage />
                </ParentRoute>
                <Route path=(StaticSegment("login"), StaticSegment("agent")) view=pages::login::AgentLogin />
            </Routes>
        </Frame>
    }
}

/// What both apps put around their pages.
#[component]
/// `supervisors_warnings`: what the apps supervisors use show every supervisor below the bar
/// (the workspace leaves it out, and its bundle its code).
fn Frame(children: Children, #[prop(optional)] supervisors_warnings: Option<fn() -> AnyView>) -> impl IntoView {
    provide_meta_context();
    preferences::provide_preferences();
    mark_hydrated();
    view! {
        <Stylesheet id="leptos" href=assets::STYLESHEET />
        <Title text="Ikono Chat" />
        <Router>
            <DocumentLanguage />
            <ConsoleBar supervisors_warnings />
            <main>{children()}</main>
        </Router>
    }
}

/// A path no route of this app matches: the other app's page (reached by a link, a navigation or
/// a server function's redirect) is loaded from the server with its own bundle; anything else
/// was never a page.
#[component]
fn Elsewhere(here: Bundle) -> impl IntoView {
    let location = use_location();
    let words = use_words(&"Page not found.", &"No existe esa página.");
    move || {
        let path = location.pathname.get();
        if Bundle::owning(&path) == here {
            return Some(*words.get());
        }
        #[cfg(feature = "hydrate")]
        {
            // The router has already put the address in the history: load it in its place.
            let search = location.search.get_untracked();
            let target = if search.is_empty() { path } else { format!("{path}?{search}") };
            let _ = window().location().replace(&target);
        }
        None
    }
}

/// The document's `lang` follows the page's language, so screen readers speak it; its
/// `data-theme` is the theme the person picked (none: the system's).
#[component]
fn DocumentLanguage() -> impl IntoView {
    let lang = use_lang();
    let theme = preferences::use_preferences().map(|p| p.theme);
    let picked = move || {
        theme.map(|theme| theme.get()).filter(|theme| *theme != preferences::Theme::System).map(|theme| theme.name())
    };
    view! { <Html {..} lang=move || lang.get().tag() data-theme=picked /> }
}

/// The language and theme pickers (W9, W3), on every page of both apps.
#[component]
fn Pickers() -> impl IntoView {
    use crate::i18n::Lang;
    use crate::preferences::{choose_lang, choose_theme, use_preferences, Theme};
    let words = use_words(&NAV_ENGLISH, &NAV_SPANISH);
    let lang = use_lang();
    let theme = use_preferences().map(|p| p.theme);
    let theme_label = move |theme: Theme| {
        let words = words.get();
        match theme {
            Theme::System => words.system,
            Theme::Light => words.light,
            Theme::Dark => words.dark,
        }
    };
    view! {
        <div class="pickers">
            <label for="pick-language">{move || words.get().language}</label>
            <select id="pick-language" on:change=move |event| choose_lang(Lang::from_tag(&event_target_value(&event)).tag())>
                <option value="en" selected=move || lang.get() == Lang::English>"English"</option>
                <option value="es" selected=move || lang.get() == Lang::Spanish>"Español"</option>
            </select>
            <label for="pick-theme">{move || words.get().theme}</label>
            <select id="pick-theme" on:change=move |event| choose_theme(Theme::from_name(&event_target_value(&event)))>
                {Theme::ALL.into_iter().map(|this| view! {
                    <option value=this.name() selected=move || theme.map(|t| t.get()) == Some(this)>
                        {move || theme_label(this)}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// Browser tests wait for this before they click, so a click never lands on a page that is not
/// interactive yet; it appears only once the bundle has hydrated the page (the widget's room,
/// which has no bundle, sets it once its script is ready).
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// The console's top bar: the pages of whoever is signed in, or the ways to sign in.
#[component]
fn ConsoleBar(supervisors_warnings: Option<fn() -> AnyView>) -> impl IntoView {
    let location = use_location();
    let sign_out = ServerAction::<pages::login::SignOut>::new();
    // Asked by the browser (the server renders the bar empty), again on every page change and
    // sign-out: signing in or out changes who is here. Asked during server rendering, it
    // sometimes held a page's whole answer back under load (a test hung on it).
    let viewer = LocalResource::new(move || {
        let _ = (location.pathname.get(), sign_out.version().get());
        pages::login::who_am_i()
    });
    let brand = LocalResource::new(move || {
        let _ = (location.pathname.get(), sign_out.version().get());
        brand::branding()
    });
    let words = use_words(&NAV_ENGLISH, &NAV_SPANISH);
    view! {
        <header class="topbar">
            <brand::Brand brand />
            <Pickers />
            // Read, not awaited: a local resource is never ready on the server, and awaiting one
            // there panics. Until it answers, the bar is empty (as the server rendered it).
            {move || {
                let words = words.get();
                let Some(viewer) = viewer.get() else {
                    return view! { <nav aria-label=words.main></nav> }.into_any();
                };
                let role = viewer.ok().flatten();
                view! {
                    <nav aria-label=words.main>
                        {nav_links(role, words)
                            .into_iter()
                            .map(|(href, label)| view! { <A href=href>{label}</A> })
                            .collect_view()}
                    </nav>
                    <A href="/whats-new" attr:class="whats-new-link">{words.whats_new}</A>
                    {role.is_some().then(|| view! {
                        <A href="/account/password" attr:class="account-link">{words.password}</A>
                        <pages::login::SignOutButton action=sign_out label=words.sign_out />
                    })}
                }
                .into_any()
            }}
        </header>
        {move || {
            let supervisor = viewer.get().and_then(Result::ok).flatten() == Some(contract::Role::Supervisor);
            supervisors_warnings.filter(|_| supervisor).map(|warnings| warnings())
        }}
    }
}

/// The top bar's words.
struct NavWords {
    main: &'static str,
    queues: &'static str,
    lines: &'static str,
    contacts: &'static str,
    people: &'static str,
    monitor: &'static str,
    reports: &'static str,
    pause_reasons: &'static str,
    blacklist: &'static str,
    quick_replies: &'static str,
    my_chats: &'static str,
    supervisor_sign_in: &'static str,
    agent_sign_in: &'static str,
    sign_out: &'static str,
    password: &'static str,
    whats_new: &'static str,
    language: &'static str,
    theme: &'static str,
    system: &'static str,
    light: &'static str,
    dark: &'static str,
}

const NAV_ENGLISH: NavWords = NavWords {
    main: "Main",
    queues: "Queues",
    lines: "Lines",
    contacts: "Contacts",
    people: "People",
    monitor: "Monitor",
    reports: "Reports",
    pause_reasons: "Pause reasons",
    blacklist: "Blacklist",
    quick_replies: "Quick replies",
    my_chats: "My chats",
    supervisor_sign_in: "Supervisor sign-in",
    agent_sign_in: "Agent sign-in",
    sign_out: "Sign out",
    password: "Password",
    whats_new: "What's new",
    language: "Language",
    theme: "Theme",
    system: "As the system",
    light: "Light",
    dark: "Dark",
};

const NAV_SPANISH: NavWords = NavWords {
    main: "Principal",
    queues: "Colas",
    lines: "Líneas",
    contacts: "Contactos",
    people: "Personas",
    monitor: "Monitor",
    reports: "Informes",
    pause_reasons: "Motivos de pausa",
    blacklist: "Lista negra",
    quick_replies: "Respuestas rápidas",
    my_chats: "Mis chats",
    supervisor_sign_in: "Acceso de supervisores",
    agent_sign_in: "Acceso de agentes",
    sign_out: "Cerrar sesión",
    password: "Contraseña",
    whats_new: "Novedades",
    language: "Idioma",
    theme: "Tema",
    system: "Como el sistema",
    light: "Claro",
    dark: "Oscuro",
};

/// The pages a role may open today, in the order the top bar shows them; a visitor's are the
/// ways to sign in. Auditors read: the monitor, the reports and the contacts.
fn nav_links(role: Option<contract::Role>, words: &NavWords) -> Vec<(&'static str, &'static str)> {
    use crate::contract::Role;
    match role {
        None => vec![("/login/supervisor", words.supervisor_sign_in), ("/login/agent", words.agent_sign_in)],
        Some(Role::Agent) => vec![("/agent", words.my_chats), ("/contacts", words.contacts)],
        Some(Role::Supervisor) => vec![
            ("/supervisor/queues", words.queues),
            ("/supervisor/lines", words.lines),
            ("/contacts", words.contacts),
            ("/supervisor/agents", words.people),
            ("/supervisor/monitor", words.monitor),
            ("/audit/reports", words.reports),
            ("/supervisor/pause-reasons", words.pause_reasons),
            ("/supervisor/quick-replies", words.quick_replies),
            ("/supervisor/blacklist", words.blacklist),
        ],
        Some(Role::Auditor) => {
            vec![
                ("/supervisor/monitor", words.monitor),
                ("/audit/reports", words.reports),
                ("/contacts", words.contacts),
            ]
        }
    }
}
