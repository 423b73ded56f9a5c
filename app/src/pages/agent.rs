//! The agent's own page: their state, pausing with a reason and resuming (O2), and their chats.

use crate::contract::AgentStatus;
use crate::error::UiError;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "my_status")]
pub async fn my_status() -> Result<AgentStatus, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.my_status(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "pause_me")]
pub async fn pause_me(reason_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.pause(crate::ssr::session_token(), reason_id).await)
}

#[server(prefix = "/api", endpoint = "resume_me")]
pub async fn resume_me() -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.resume(crate::ssr::session_token()).await)
}

#[component]
pub fn AgentHome() -> impl IntoView {
    let pause = ServerAction::<PauseMe>::new();
    let resume = ServerAction::<ResumeMe>::new();
    let status = Resource::new(move || (pause.version().get(), resume.version().get()), |_| my_status());
    let failure = move || {
        pause.value().get().and_then(|outcome| outcome.err()).or_else(|| resume.value().get().and_then(|o| o.err()))
    };
    view! {
        <section class="card agent-home">
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e| e.to_string())}</p>
            </Show>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(me) => {
                            let heading = format!("Hello, {}", me.name);
                            match me.paused {
                                Some((reason, since)) => view! {
                                    <h1>{heading}</h1>
                                    <p class="state state-paused" role="status">{format!("Paused: {reason}")}</p>
                                    <p class="muted">"Since " <time datetime=since.clone()>{since.clone()}</time></p>
                                    <ActionForm action=resume>
                                        <button type="submit">"Resume"</button>
                                    </ActionForm>
                                }.into_any(),
                                None => view! {
                                    <h1>{heading}</h1>
                                    <p class="state state-available" role="status">"Available"</p>
                                    <ActionForm action=pause attr:class="inline-form" attr:aria-label="Pause">
                                        <label for="pause-reason">"Reason"</label>
                                        <select id="pause-reason" name="reason_id">
                                            {me.reasons.into_iter().map(|r| view! { <option value=r.id>{r.name}</option> }).collect_view()}
                                        </select>
                                        <button type="submit">"Pause"</button>
                                    </ActionForm>
                                }.into_any(),
                            }
                        }
                        Err(UiError::Unauthorized(reason)) => view! {
                            <p role="alert" class="form-error">{reason} " — " <a href="/login/agent">"sign in"</a></p>
                        }.into_any(),
                        Err(error) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <crate::pages::chats::MyChats />
    }
}
