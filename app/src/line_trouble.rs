//! The supervisors' warning, at the top of every page of theirs, of each line that cannot send
//! (W15): its provider refuses the line itself, so customers get nothing until it is mended.
//! Kept live: it comes and goes as the line fails and sends again.

use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use leptos::prelude::*;

/// Each line that cannot send: its name, and why.
#[server(prefix = "/api", endpoint = "lines_that_cannot_send")]
pub async fn lines_that_cannot_send() -> Result<Vec<(String, String)>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.lines_that_cannot_send(crate::ssr::session_token()).await)
}

struct Words {
    cannot_send: &'static str,
    see: &'static str,
}

const ENGLISH: Words = Words { cannot_send: "cannot send — its customers get nothing:", see: "See the line" };
const SPANISH: Words = Words { cannot_send: "no puede enviar — sus clientes no reciben nada:", see: "Ver la línea" };

/// The warning as the apps' frame takes it.
pub fn warnings() -> AnyView {
    view! { <LineTrouble /> }.into_any()
}

#[component]
pub fn LineTrouble() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let changed = RwSignal::new(0u64);
    on_live_change("lines", move || changed.update(|n| *n += 1));
    // Asked by the browser only, like the top bar around it.
    let lines = LocalResource::new(move || {
        changed.get();
        lines_that_cannot_send()
    });
    move || {
        let words = words.get();
        let failing = lines.get().and_then(Result::ok).unwrap_or_default();
        (!failing.is_empty()).then(|| {
            view! {
                <div role="alert" class="line-trouble">
                    {failing.into_iter().map(|(name, reason)| view! {
                        <p><strong>{name}</strong>" "{words.cannot_send}" "{reason}" · "
                            <a href="/supervisor/lines">{words.see}</a></p>
                    }).collect_view()}
                </div>
            }
        })
    }
}
