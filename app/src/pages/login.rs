//! Sign-in pages: one for supervisors and one for agents, each with its own look (W1, W17).

use crate::contract::Role;
use crate::error::UiError;
use leptos::prelude::*;

/// The role of whoever this request's session belongs to; nobody when not signed in.
#[server(prefix = "/api", endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<Role>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.who_am_i(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String) -> Result<(), UiError> {
    let signed_in = crate::ssr::with_status(crate::ssr::services()?.sign_in(email, password).await)?;
    crate::ssr::set_cookie(&signed_in.cookie);
    leptos_axum::redirect(signed_in.role.home());
    Ok(())
}

#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), UiError> {
    let expired = crate::ssr::with_status(crate::ssr::services()?.sign_out(crate::ssr::session_token()).await)?;
    crate::ssr::set_cookie(&expired);
    leptos_axum::redirect("/");
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Area {
    Supervisor,
    Agent,
}

#[component]
pub fn SupervisorLogin() -> impl IntoView {
    view! { <LoginForm area=Area::Supervisor /> }
}

#[component]
pub fn AgentLogin() -> impl IntoView {
    view! { <LoginForm area=Area::Agent /> }
}

#[component]
fn LoginForm(area: Area) -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let failure = move || action.value().get().and_then(|outcome| outcome.err());
    let (class, title, lead) = match area {
        Area::Supervisor => ("card login login-supervisor", "Supervisor sign-in", "Run queues, agents and channels."),
        Area::Agent => ("card login login-agent", "Agent sign-in", "Answer your customers' chats."),
    };
    view! {
        <section class=class>
            <h1>{title}</h1>
            <p class="lead">{lead}</p>
            <ActionForm action=action attr:class="stacked-form" attr:aria-label=title>
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="username" />
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" />
                <button type="submit" disabled=move || action.pending().get()>"Sign in"</button>
            </ActionForm>
            <Show when=move || failure().is_some()>
                <p role="alert" class="form-error">{move || failure().map(|e: UiError| e.to_string())}</p>
            </Show>
        </section>
    }
}

/// Ends the session from the top bar.
#[component]
pub fn SignOutButton(action: ServerAction<SignOut>, label: &'static str) -> impl IntoView {
    view! {
        <ActionForm action=action attr:class="sign-out">
            <button type="submit" class="link-button">{label}</button>
        </ActionForm>
    }
}
