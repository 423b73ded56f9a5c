//! The supervisor's pause reasons (O1): the list, the form that creates one, and retiring one.

use crate::contract::ReasonView;
use crate::error::UiError;

use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "pause_reasons")]
pub async fn pause_reasons() -> Result<Vec<ReasonView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.pause_reasons(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "create_pause_reason")]
pub async fn create_pause_reason(name: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.create_pause_reason(crate::ssr::session_token(), name).await)
}

#[server(prefix = "/api", endpoint = "retire_pause_reason")]
pub async fn retire_pause_reason(reason_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.retire_pause_reason(crate::ssr::session_token(), reason_id).await)
}

#[component]
pub fn PauseReasonsPage() -> impl IntoView {
    let create = ServerAction::<CreatePauseReason>::new();
    let retire = ServerAction::<RetirePauseReason>::new();
    let reasons = Resource::new(move || (create.version().get(), retire.version().get()), |_| pause_reasons());
    let failure = move || {
        create.value().get().and_then(|outcome| outcome.err()).or_else(|| retire.value().get().and_then(|o| o.err()))
    };
    view! {
        <section class="card">
            <h1>"Pause reasons"</h1>
            <ActionForm action=create attr:class="inline-form" attr:aria-label="Create a pause reason">
                <label for="reason-name">"Reason"</label>
                <input id="reason-name" name="name" type="text" autocomplete="off" maxlength="60" />
                <button type="submit" disabled=move || create.pending().get()>"Add reason"</button>
            </ActionForm>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match reasons.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No pause reasons yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="queue-list" aria-label="Pause reasons">
                                {list.into_iter().map(|reason| {
                                    let label = format!("Retire {}", reason.name);
                                    let id = reason.id.clone();
                                    view! {
                                        <li data-id=id>
                                            {reason.name}
                                            <ActionForm action=retire attr:class="member-remove">
                                                <input type="hidden" name="reason_id" value=reason.id />
                                                <button type="submit" class="link-button" aria-label=label>"retire"</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
