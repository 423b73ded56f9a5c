//! What's new (P8): every feature of the product with its state and the test that proves it, and
//! the changelog — the project's own documents, as the server built them in.

use crate::components::Refusal;
use crate::contract::WhatsNewView;
use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "whats_new")]
pub async fn whats_new() -> Result<WhatsNewView, UiError> {
    crate::ssr::services()?.whats_new().await
}

struct Words {
    title: &'static str,
    intro: &'static str,
    loading: &'static str,
    changes: &'static str,
    features: &'static str,
    in_english: &'static str,
}

const ENGLISH: Words = Words {
    title: "What's new",
    intro: "What changed in Ikono Chat, newest first, and every feature of the product with its state.",
    loading: "Loading…",
    changes: "Changes",
    features: "Features",
    in_english: "",
};

const SPANISH: Words = Words {
    title: "Novedades",
    intro: "Lo que cambió en Ikono Chat, lo más reciente primero, y cada función del producto con su estado.",
    loading: "Cargando…",
    changes: "Cambios",
    features: "Funciones",
    in_english: "(Estas notas se escriben en inglés.)",
};

#[component]
pub fn WhatsNewPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let page = Resource::new(|| (), |_| whats_new());
    view! {
        <section class="card whats-new">
            <h1>{move || words.get().title}</h1>
            <p>{move || words.get().intro} " " {move || words.get().in_english}</p>
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match page.await {
                        Ok(page) => view! {
                            <section aria-label=words.changes class="changelog" inner_html=page.changelog_html></section>
                            <section aria-label=words.features class="features" inner_html=page.features_html></section>
                        }.into_any(),
                        Err(error) => view! { <Refusal error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
