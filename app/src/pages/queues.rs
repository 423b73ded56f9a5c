//! The supervisor's queues (R2): the list, kept live, and the form that creates one.

use crate::error::UiError;
use crate::live::on_live_change;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueView {
    pub id: String,
    pub name: String,
}

#[server(prefix = "/api", endpoint = "queues")]
pub async fn list_queues() -> Result<Vec<QueueView>, UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?
            .queues(crate::ssr::session_token())
            .await,
    )
}

#[server(prefix = "/api", endpoint = "create_queue")]
pub async fn create_queue(name: String) -> Result<QueueView, UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?
            .create_queue(crate::ssr::session_token(), name)
            .await,
    )
}

#[component]
pub fn QueuesPage() -> impl IntoView {
    let create = ServerAction::<CreateQueue>::new();
    let pushed = RwSignal::new(0usize);
    on_live_change("queues", move || pushed.update(|n| *n += 1));
    let queues = Resource::new(
        move || (create.version().get(), pushed.get()),
        |_| list_queues(),
    );
    let failure = move || create.value().get().and_then(|outcome| outcome.err());

    view! {
        <section class="card">
            <h1>"Queues"</h1>
            <ActionForm action=create attr:class="inline-form" attr:aria-label="Create a queue">
                <label for="queue-name">"Queue name"</label>
                <input id="queue-name" name="name" type="text" autocomplete="off" maxlength="80" />
                <button type="submit" disabled=move || create.pending().get()>"Create queue"</button>
            </ActionForm>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <Transition fallback=|| view! { <p>"Loading queues…"</p> }>
                {move || Suspend::new(async move {
                    match queues.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">"No queues yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="queue-list" aria-label="Queues">
                                {list.into_iter().map(|q| view! { <li data-id=q.id>{q.name}</li> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(UiError::Unauthorized(reason)) => view! {
                            <p role="alert" class="form-error">
                                {reason} " — " <a href="/login/supervisor">"sign in"</a>
                            </p>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
