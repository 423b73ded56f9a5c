//! The agent's state: pausing with a reason and resuming (O2).

use crate::components::{refusal, FormError, Refusal};
use crate::contract::AgentStatus;
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::use_words;
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

struct Words {
    loading: &'static str,
    hello: &'static str,
    paused: &'static str,
    since: &'static str,
    resume: &'static str,
    available: &'static str,
    pause_form: &'static str,
    reason: &'static str,
    pause: &'static str,
}

const ENGLISH: Words = Words {
    loading: "Loading…",
    hello: "Hello,",
    paused: "Paused",
    since: "Since",
    resume: "Resume",
    available: "Available",
    pause_form: "Pause",
    reason: "Reason",
    pause: "Pause",
};

const SPANISH: Words = Words {
    loading: "Cargando…",
    hello: "Hola,",
    paused: "En pausa",
    since: "Desde",
    resume: "Volver",
    available: "Disponible",
    pause_form: "Pausa",
    reason: "Motivo",
    pause: "Pausar",
};

#[component]
pub fn MyStatus() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let pause = ServerAction::<PauseMe>::new();
    let resume = ServerAction::<ResumeMe>::new();
    let status = Resource::new(move || (pause.version().get(), resume.version().get()), |_| my_status());
    let failure = Signal::derive(move || refusal(pause).or_else(|| refusal(resume)));
    view! {
        <section class="card agent-home">
            <FormError error=failure />
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match status.await {
                        Ok(me) => {
                            let heading = format!("{} {}", words.hello, me.name);
                            match me.paused {
                                Some((reason, since)) => view! {
                                    <h2>{heading}</h2>
                                    <p class="state state-paused" role="status">{format!("{}: {reason}", words.paused)}</p>
                                    <p class="muted">{words.since} " " <LocalTime at=since.clone() /></p>
                                    <ActionForm action=resume>
                                        <button type="submit">{words.resume}</button>
                                    </ActionForm>
                                }.into_any(),
                                None => view! {
                                    <h2>{heading}</h2>
                                    <p class="state state-available" role="status">{words.available}</p>
                                    <ActionForm action=pause attr:class="inline-form" attr:aria-label=words.pause_form>
                                        <label for="pause-reason">{words.reason}</label>
                                        <select id="pause-reason" name="reason_id">
                                            {me.reasons.into_iter().map(|r| view! { <option value=r.id>{r.name}</option> }).collect_view()}
                                        </select>
                                        <button type="submit">{words.pause}</button>
                                    </ActionForm>
                                }.into_any(),
                            }
                        }
                        Err(error) => view! { <Refusal error sign_in=Some("/login/agent") /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
