//! What every page repeats, written once: a list read from the server (loading, empty, the list,
//! or why not), the line that says why something was refused, and a file chosen to be sent.

use crate::error::UiError;
use crate::i18n::use_words;
use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use server_fn::ServerFn;

struct Words {
    sign_in: &'static str,
}

const ENGLISH: Words = Words { sign_in: "sign in" };
const SPANISH: Words = Words { sign_in: "acceder" };

/// Why something could not be read or done. When the session ended and `sign_in` is given, a
/// link to sign in again follows the reason.
#[component]
pub fn Refusal(error: UiError, #[prop(optional_no_strip)] sign_in: Option<&'static str>) -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    match (error, sign_in) {
        (UiError::Unauthorized(reason), Some(href)) => view! {
            <p role="alert" class="form-error">{reason} " — " <a href=href>{move || words.get().sign_in}</a></p>
        }
        .into_any(),
        (error, _) => view! { <p role="alert" class="form-error">{error.to_string()}</p> }.into_any(),
    }
}

/// Why the last action was refused, once one has been; nothing before.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<UiError>>) -> impl IntoView {
    move || error.get().map(|error| view! { <Refusal error /> })
}

/// What went well, said for a few seconds in a corner without moving the page (read out by screen
/// readers); `told` is cleared when it goes.
#[component]
pub fn Toast(told: RwSignal<Option<String>>) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(move || {
        if told.with(Option::is_some) {
            set_timeout(move || told.set(None), std::time::Duration::from_secs(4));
        }
    });
    view! {
        <div class="toast-place" aria-live="polite">
            {move || told.get().map(|words| view! { <p class="toast" role="status">{words}</p> })}
        </div>
    }
}

/// The refusal the last run of `action` met, if it failed; read reactively, so a page's
/// `FormError` shows it as soon as it comes.
pub fn refusal<S>(action: ServerAction<S>) -> Option<UiError>
where
    S: ServerFn<Error = UiError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    action.value().get().and_then(|outcome| outcome.err())
}

/// Whether the last run of `action` worked; read reactively, so an effect follows each success
/// (a toast, a list read again).
pub fn succeeded<S>(action: ServerAction<S>) -> bool
where
    S: ServerFn<Error = UiError> + Send + Sync + Clone + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    action.value().with(|outcome| matches!(outcome, Some(Ok(_))))
}

/// A list read from the server: `loading` while it comes, `empty` when it holds nothing, the list
/// as `draw` shows it, or why it could not be read (with a link to `sign_in` when the session
/// ended).
#[component]
pub fn Listing<T, V, F>(
    items: Resource<Result<Vec<T>, UiError>>,
    #[prop(into)] loading: Signal<&'static str>,
    #[prop(into)] empty: Signal<&'static str>,
    #[prop(optional)] sign_in: Option<&'static str>,
    draw: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(Vec<T>) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Transition fallback=move || view! { <p>{move || loading.get()}</p> }>
            {move || {
                let draw = draw.clone();
                Suspend::new(async move {
                    match items.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty">{empty.get()}</p> }.into_any(),
                        Ok(list) => draw(list).into_any(),
                        Err(error) => view! { <Refusal error sign_in /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

/// A labelled file input for the lists people bring (CSV, ours or Google Contacts', or Excel);
/// `chosen` gets the change event, whose file the browser's code reads.
#[component]
pub fn SpreadsheetInput<F>(id: &'static str, #[prop(into)] label: Signal<&'static str>, chosen: F) -> impl IntoView
where
    F: Fn(leptos::ev::Event) + Send + Sync + 'static,
{
    view! {
        <label for=id>{move || label.get()}</label>
        <input id=id type="file" accept=".csv,text/csv,.xlsx" on:change=chosen />
    }
}

/// A select that narrows a list to the items with one value: `options` are (value, shown) pairs;
/// the empty value, shown as `any`, admits every item.
#[component]
pub fn Narrow(
    id: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<(String, String)>,
    chosen: RwSignal<String>,
) -> impl IntoView {
    let now = chosen.get_untracked();
    view! {
        <label for=id>{label}</label>
        <select id=id on:change=move |event| chosen.set(event_target_value(&event))>
            <option value="">{any}</option>
            {options.into_iter().map(|(value, shown)| {
                let selected = value == now;
                view! { <option value=value selected=selected>{shown}</option> }
            }).collect_view()}
        </select>
    }
}

/// The distinct (value, shown) pairs of a list, in the order a person reads them: one per value.
pub fn choices_of(pairs: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()).then_with(|| a.0.cmp(&b.0)));
    pairs.dedup_by(|a, b| a.0 == b.0);
    pairs
}
