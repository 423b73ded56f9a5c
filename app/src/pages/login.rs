//! Sign-in pages: one for supervisors and one for agents, each with its own look (W1, W17).

use crate::components::{refusal, FormError};
use crate::contract::Role;
use crate::error::UiError;
use crate::i18n::use_words;
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
    let next = if signed_in.password_to_change { super::account::FIRST_CHANGE } else { signed_in.role.home() };
    leptos_axum::redirect(next);
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

struct Words {
    supervisor_title: &'static str,
    supervisor_lead: &'static str,
    agent_title: &'static str,
    agent_lead: &'static str,
    email: &'static str,
    password: &'static str,
    sign_in: &'static str,
}

const ENGLISH: Words = Words {
    supervisor_title: "Supervisor sign-in",
    supervisor_lead: "Run queues, agents and channels.",
    agent_title: "Agent sign-in",
    agent_lead: "Answer your customers' chats.",
    email: "E-mail",
    password: "Password",
    sign_in: "Sign in",
};

const SPANISH: Words = Words {
    supervisor_title: "Acceso de supervisores",
    supervisor_lead: "Gestiona colas, agentes y canales.",
    agent_title: "Acceso de agentes",
    agent_lead: "Responde los chats de tus clientes.",
    email: "Correo electrónico",
    password: "Contraseña",
    sign_in: "Acceder",
};

#[component]
fn LoginForm(area: Area) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let action = ServerAction::<SignIn>::new();
    let failure = Signal::derive(move || refusal(action));
    let class = match area {
        Area::Supervisor => "card login login-supervisor",
        Area::Agent => "card login login-agent",
    };
    let title = move || match area {
        Area::Supervisor => words.get().supervisor_title,
        Area::Agent => words.get().agent_title,
    };
    let lead = move || match area {
        Area::Supervisor => words.get().supervisor_lead,
        Area::Agent => words.get().agent_lead,
    };
    view! {
        <section class=class>
            <h1>{title}</h1>
            <p class="lead">{lead}</p>
            <ActionForm action=action attr:class="stacked-form" attr:aria-label=title>
                <label for="email">{move || words.get().email}</label>
                <input id="email" name="email" type="email" autocomplete="username" />
                <label for="password">{move || words.get().password}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" />
                <button type="submit" disabled=move || action.pending().get()>{move || words.get().sign_in}</button>
            </ActionForm>
            <FormError error=failure />
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
