//! The start page: the ways to sign in for a visitor, the way to one's own pages once signed in.

use crate::i18n::use_words;
use crate::pages::login::who_am_i;
use leptos::prelude::*;
use leptos_router::components::A;

struct HomeWords {
    lead: &'static str,
    supervisor_sign_in: &'static str,
    agent_sign_in: &'static str,
    continue_to: &'static str,
}

const ENGLISH: HomeWords = HomeWords {
    lead: "Customer-service chat for every channel, with a history nobody can lose or bend.",
    supervisor_sign_in: "Sign in as a supervisor",
    agent_sign_in: "Sign in as an agent",
    continue_to: "Go to your pages",
};

const SPANISH: HomeWords = HomeWords {
    lead: "Chat de atención al cliente para todos los canales, con una historia que nadie puede perder ni torcer.",
    supervisor_sign_in: "Acceder como supervisor",
    agent_sign_in: "Acceder como agente",
    continue_to: "Ir a tus páginas",
};

#[component]
pub fn HomePage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    // Asked by the browser, and read as the top bar reads it.
    let viewer = LocalResource::new(who_am_i);
    view! {
        <section class="card">
            <h1>"Ikono Chat"</h1>
            <p>{move || words.get().lead}</p>
            {move || {
                let words = words.get();
                match viewer.get().map(|viewer| viewer.ok().flatten()) {
                    None => ().into_any(),
                    Some(Some(role)) => view! { <p><A href=role.home()>{words.continue_to}</A></p> }.into_any(),
                    Some(None) => view! {
                        <ul class="sign-in-choices">
                            <li><A href="/login/supervisor">{words.supervisor_sign_in}</A></li>
                            <li><A href="/login/agent">{words.agent_sign_in}</A></li>
                        </ul>
                    }
                    .into_any(),
                }
            }}
        </section>
    }
}
