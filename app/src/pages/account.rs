//! The signed-in person's own account: changing their password (everyone; and whoever signed in
//! with the installation's default password is sent here first).

use crate::components::{refusal, FormError};
use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Where sign-in sends whoever must change their password.
pub const FIRST_CHANGE: &str = "/account/password?first=1";

#[server(prefix = "/api", endpoint = "change_password")]
pub async fn change_password(current: String, new: String, repeated: String) -> Result<(), UiError> {
    if new != repeated {
        return crate::ssr::with_status(Err(UiError::Invalid("the two new passwords differ".into())));
    }
    let services = crate::ssr::services()?;
    let token = crate::ssr::session_token();
    crate::ssr::with_status(services.change_password(token.clone(), current, new).await)?;
    let role = crate::ssr::with_status(services.who_am_i(token).await)?;
    leptos_axum::redirect(role.map_or("/", |role| role.home()));
    Ok(())
}

struct Words {
    title: &'static str,
    first: &'static str,
    current: &'static str,
    new: &'static str,
    repeated: &'static str,
    change: &'static str,
}

const ENGLISH: Words = Words {
    title: "Change your password",
    first: "You signed in with the installation's default password, which others may know: choose your own.",
    current: "Current password",
    new: "New password",
    repeated: "New password, again",
    change: "Change password",
};

const SPANISH: Words = Words {
    title: "Cambia tu contraseña",
    first: "Accediste con la contraseña predeterminada de la instalación, que otros pueden conocer: elige la tuya.",
    current: "Contraseña actual",
    new: "Contraseña nueva",
    repeated: "Contraseña nueva, otra vez",
    change: "Cambiar la contraseña",
};

#[component]
pub fn PasswordPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let query = use_query_map();
    let first = move || query.with(|query| query.get("first").is_some());
    let action = ServerAction::<ChangePassword>::new();
    let failure = Signal::derive(move || refusal(action));
    let title = move || words.get().title;
    view! {
        <section class="card login">
            <h1>{title}</h1>
            {move || first().then(|| view! { <p role="status" class="lead">{words.get().first}</p> })}
            <ActionForm action=action attr:class="stacked-form" attr:aria-label=title>
                <label for="current">{move || words.get().current}</label>
                <input id="current" name="current" type="password" autocomplete="current-password" />
                <label for="new">{move || words.get().new}</label>
                <input id="new" name="new" type="password" autocomplete="new-password" />
                <label for="repeated">{move || words.get().repeated}</label>
                <input id="repeated" name="repeated" type="password" autocomplete="new-password" />
                <button type="submit" disabled=move || action.pending().get()>{move || words.get().change}</button>
            </ActionForm>
            <FormError error=failure />
        </section>
    }
}
