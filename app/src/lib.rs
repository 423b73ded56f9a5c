//! The Leptos app, rendered on the server and hydrated in the browser.
//!
//! - [`error`]: the typed error every server function returns.
//! - [`live`]: the browser's end of the WebSocket that pushes changes.
//! - [`pages`]: one module per screen, each with the server functions it calls.
//! - [`ssr`] (server only): what the server provides to server functions.

pub mod error;
pub mod live;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::{ParamSegment, StaticSegment};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Browser tests wait for this before they click, so a click never lands on a page that is
    // not interactive yet.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/ikono-chat.css" />
        <Title text="Ikono Chat" />
        <Router>
            <ConsoleBar />
            <main>
                <Routes fallback=|| view! { <p>"Page not found."</p> }>
                    <Route path=StaticSegment("") view=pages::home::HomePage />
                    <Route path=StaticSegment("agent") view=pages::agent::AgentHome />
                    <Route
                        path=(StaticSegment("agent"), StaticSegment("chats"), ParamSegment("id"))
                        view=pages::conversation::ConversationPage
                    />
                    <Route path=(StaticSegment("widget"), ParamSegment("key")) view=pages::widget::WidgetRoom />
                    <Route path=StaticSegment("contacts") view=pages::contacts::ContactsPage />
                    <Route
                        path=(StaticSegment("contacts"), ParamSegment("id"))
                        view=pages::contact_card::ContactCardPage
                    />
                    <Route
                        path=(StaticSegment("login"), StaticSegment("supervisor"))
                        view=pages::login::SupervisorLogin
                    />
                    <Route
                        path=(StaticSegment("login"), StaticSegment("agent"))
                        view=pages::login::AgentLogin
                    />
                    <Route
                        path=(StaticSegment("supervisor"), StaticSegment("agents"))
                        view=pages::agents::AgentsPage
                    />
                    <Route
                        path=(StaticSegment("supervisor"), StaticSegment("pause-reasons"))
                        view=pages::pauses::PauseReasonsPage
                    />
                    <Route
                        path=(StaticSegment("supervisor"), StaticSegment("monitor"))
                        view=pages::monitor::MonitorPage
                    />
                    <Route
                        path=(StaticSegment("supervisor"), StaticSegment("queues"))
                        view=pages::queues::QueuesPage
                    />
                    <Route
                        path=(StaticSegment("supervisor"), StaticSegment("lines"))
                        view=pages::lines::LinesPage
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// The console's top bar; the widget's room, shown inside other sites' pages, goes without it.
#[component]
fn ConsoleBar() -> impl IntoView {
    let location = use_location();
    let in_widget = move || location.pathname.get().starts_with("/widget/");
    view! {
        <Show when=move || !in_widget()>
            <header class="topbar">
                <A href="/">"Ikono Chat"</A>
                <nav aria-label="Main">
                    <A href="/supervisor/queues">"Queues"</A>
                    <A href="/supervisor/lines">"Lines"</A>
                    <A href="/contacts">"Contacts"</A>
                    <A href="/supervisor/agents">"Agents"</A>
                    <A href="/supervisor/monitor">"Monitor"</A>
                    <A href="/supervisor/pause-reasons">"Pause reasons"</A>
                    <A href="/login/supervisor">"Supervisor sign-in"</A>
                    <A href="/login/agent">"Agent sign-in"</A>
                </nav>
                <pages::login::SignOutButton />
            </header>
        </Show>
    }
}
