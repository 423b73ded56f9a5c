//! The company's blacklist (G19): accounts that must never be written to, why, and how many of
//! their messages were dropped; supervisors add and remove them.

use crate::components::{refusal, FormError, Listing};
use crate::contract::BlacklistEntryView;
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::{use_words, word};
use crate::pages::contact_words::channel_label;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "blacklist")]
pub async fn blacklist() -> Result<Vec<BlacklistEntryView>, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.blacklist(crate::ssr::session_token()).await)
}

#[server(prefix = "/api", endpoint = "add_to_blacklist")]
pub async fn add_to_blacklist(channel: String, account_id: String, reason: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.add_to_blacklist(crate::ssr::session_token(), channel, account_id, reason).await,
    )
}

#[server(prefix = "/api", endpoint = "remove_from_blacklist")]
pub async fn remove_from_blacklist(channel: String, account_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.remove_from_blacklist(crate::ssr::session_token(), channel, account_id).await,
    )
}

struct Words {
    title: &'static str,
    intro: &'static str,
    add_form: &'static str,
    channel: &'static str,
    account: &'static str,
    account_hint: &'static str,
    reason: &'static str,
    add: &'static str,
    loading: &'static str,
    empty: &'static str,
    list: &'static str,
    dropped: &'static str,
    since: &'static str,
    remove: &'static str,
    remove_which: &'static str,
}

const ENGLISH: Words = Words {
    title: "Blacklist",
    intro: "Nobody writes to these accounts: an agent's message is refused with the reason, and what they send is dropped before any chat is made.",
    add_form: "Add to the blacklist",
    channel: "Channel",
    account: "Number or account",
    account_hint: "A WhatsApp number in any notation, with its country code.",
    reason: "Why",
    add: "Add to the blacklist",
    loading: "Loading…",
    empty: "Nobody is on the blacklist.",
    list: "Accounts on the blacklist",
    dropped: "messages dropped",
    since: "since",
    remove: "remove",
    remove_which: "Remove from the blacklist",
};

const SPANISH: Words = Words {
    title: "Lista negra",
    intro: "Nadie escribe a estas cuentas: el mensaje de un agente se rechaza con el motivo, y lo que envían se descarta antes de abrir un chat.",
    add_form: "Añadir a la lista negra",
    channel: "Canal",
    account: "Número o cuenta",
    account_hint: "Un número de WhatsApp escrito como sea, con su código de país.",
    reason: "Motivo",
    add: "Añadir a la lista negra",
    loading: "Cargando…",
    empty: "No hay nadie en la lista negra.",
    list: "Cuentas en la lista negra",
    dropped: "mensajes descartados",
    since: "desde",
    remove: "quitar",
    remove_which: "Quitar de la lista negra a",
};

#[component]
pub fn BlacklistPage() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let add = ServerAction::<AddToBlacklist>::new();
    let remove = ServerAction::<RemoveFromBlacklist>::new();
    let entries = Resource::new(move || (add.version().get(), remove.version().get()), |_| blacklist());
    let failure = Signal::derive(move || refusal(add).or_else(|| refusal(remove)));
    let draw = move |list: Vec<BlacklistEntryView>| {
        let words = words.get();
        view! {
            <ul class="queue-list" aria-label=words.list>
                {list.into_iter().map(|entry| {
                    let label = format!("{} {}", words.remove_which, entry.account_id);
                    let (channel, account) = (entry.channel.clone(), entry.account_id.clone());
                    view! {
                        <li>
                            <strong>{channel_label(&entry.channel)}</strong> " " <span class="account">{entry.account_id.clone()}</span>
                            " · " <span class="reason">{entry.reason.clone()}</span>
                            <span class="muted">
                                " · " <span class="dropped">{entry.dropped}</span> " " {words.dropped}
                                " · " {words.since} " " <LocalTime at=entry.added_at.clone() />
                            </span>
                            <ActionForm action=remove attr:class="member-remove">
                                <input type="hidden" name="channel" value=channel />
                                <input type="hidden" name="account_id" value=account />
                                <button type="submit" class="link-button" aria-label=label>{words.remove}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
    };
    view! {
        <section class="card">
            <h1>{move || words.get().title}</h1>
            <p class="hint">{move || words.get().intro}</p>
            <ActionForm action=add attr:class="stacked-form" attr:aria-label=move || words.get().add_form>
                <label for="blacklist-channel">{move || words.get().channel}</label>
                <select id="blacklist-channel" name="channel">
                    {["whatsapp", "instagram", "messenger", "web", "api"].into_iter().map(|c| view! {
                        <option value=c>{channel_label(c)}</option>
                    }).collect_view()}
                </select>
                <label for="blacklist-account">{move || words.get().account}</label>
                <input id="blacklist-account" name="account_id" type="text" autocomplete="off" required
                    aria-describedby="blacklist-account-hint" />
                <p class="hint" id="blacklist-account-hint">{move || words.get().account_hint}</p>
                <label for="blacklist-reason">{move || words.get().reason}</label>
                <input id="blacklist-reason" name="reason" type="text" autocomplete="off" maxlength="200" required />
                <button type="submit" disabled=move || add.pending().get()>{move || words.get().add}</button>
            </ActionForm>
            <FormError error=failure />
            <Listing items=entries loading=word(words, |w| w.loading) empty=word(words, |w| w.empty) draw />
        </section>
    }
}
