//! One contact's card (K1, K2, K4, K9, K13): details to edit, accounts and the lines each talked
//! to, consent at each level with what it decides per account, the contact's chats, and merging a
//! duplicate into it.

use crate::components::{refusal, FormError, Refusal};
use crate::contract::{ContactCardView, ContactEditForm};
use crate::dates::LocalTime;
use crate::error::UiError;
use crate::i18n::use_words;
use crate::pages::chats::{self, state_label};
use crate::pages::contact_owner::ContactOwner;
use crate::pages::contact_words::{channel_label, contact_words};
use crate::pages::contacts::find_contacts;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[server(prefix = "/api", endpoint = "contact")]
pub async fn contact_card(contact_id: String) -> Result<ContactCardView, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.contact(crate::ssr::session_token(), contact_id).await)
}

#[server(prefix = "/api", endpoint = "edit_contact")]
pub async fn edit_contact(contact_id: String, details: ContactEditForm) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.edit_contact(crate::ssr::session_token(), contact_id, details).await,
    )
}

#[server(prefix = "/api", endpoint = "add_contact_account")]
pub async fn add_contact_account(contact_id: String, channel: String, account_id: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?.add_contact_account(crate::ssr::session_token(), contact_id, channel, account_id).await,
    )
}

/// `about`: empty for the general level, a channel, or `channel:id` for an account.
#[server(prefix = "/api", endpoint = "record_contact_consent")]
pub async fn record_contact_consent(contact_id: String, about: String, given: String) -> Result<(), UiError> {
    crate::ssr::with_status(
        crate::ssr::services()?
            .record_contact_consent(crate::ssr::session_token(), contact_id, about, given == "yes")
            .await,
    )
}

#[server(prefix = "/api", endpoint = "split_contact")]
pub async fn split_contact(contact_id: String, merge: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.split_contact(crate::ssr::session_token(), contact_id, merge).await)
}

#[server(prefix = "/api", endpoint = "merge_contact")]
pub async fn merge_contact(contact_id: String, from: String) -> Result<(), UiError> {
    crate::ssr::with_status(crate::ssr::services()?.merge_contact(crate::ssr::session_token(), contact_id, from).await)
}

#[component]
pub fn ContactCardPage() -> impl IntoView {
    let words = contact_words();
    // Supervisors and auditors read the contact's history; agents have no such page.
    let viewer = LocalResource::new(crate::pages::login::who_am_i);
    let reads_history = move || {
        matches!(viewer.get(), Some(Ok(Some(crate::contract::Role::Supervisor | crate::contract::Role::Auditor))))
    };
    let chat_words = use_words(&chats::ENGLISH, &chats::SPANISH);
    let params = use_params_map();
    let contact_id = move || params.read().get("id").unwrap_or_default();
    let edit = ServerAction::<EditContact>::new();
    let account = ServerAction::<AddContactAccount>::new();
    let consent = ServerAction::<RecordContactConsent>::new();
    let merge = ServerAction::<MergeContact>::new();
    let split = ServerAction::<SplitContact>::new();
    let owner_changed = RwSignal::new(0u64);
    let card = Resource::new(
        move || {
            (
                contact_id(),
                edit.version().get(),
                account.version().get(),
                consent.version().get(),
                merge.version().get(),
                split.version().get(),
                owner_changed.get(),
            )
        },
        |(id, ..)| contact_card(id),
    );
    let failure = Signal::derive(move || {
        refusal(edit)
            .or_else(|| refusal(account))
            .or_else(|| refusal(consent))
            .or_else(|| refusal(merge))
            .or_else(|| refusal(split))
    });
    view! {
        <section class="card contact-card">
            <p><a href=move || format!("/contacts?lang={}", words.get().lang)>{move || words.get().back}</a></p>
            <FormError error=failure />
            <Transition fallback=move || view! { <p>{words.get().loading}</p> }>
                {move || Suspend::new(async move {
                    let words = words.get();
                    match card.await {
                        Ok(card) => {
                            let id = card.id.clone();
                            let (id_for_account, id_for_consent, id_for_merge) = (id.clone(), id.clone(), id.clone());
                            let to_split: Vec<_> = card
                                .merges
                                .iter()
                                .map(|m| (m.clone(), id.clone(), format!("{} {}", words.split, m.name)))
                                .collect();
                            let merges = (!to_split.is_empty()).then(|| view! {
                                <h2>{words.merged}</h2>
                                <ul class="queue-list merges" aria-label=words.merged>
                                    {to_split.into_iter().map(|(m, survivor, label)| view! {
                                        <li>
                                            <a href=format!("/contacts/{}?lang={}", m.contact_id, words.lang)>{m.name}</a>
                                            <ActionForm action=split attr:class="member-remove">
                                                <input type="hidden" name="contact_id" value=survivor />
                                                <input type="hidden" name="merge" value=m.merge />
                                                <button type="submit" class="link-button" aria-label=label>{words.split}</button>
                                            </ActionForm>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            });
                            view! {
                                <h1>{card.name.clone()}</h1>
                                {let history = format!("/audit/contacts/{id}");
                                move || reads_history().then(|| view! { <p><a href=history.clone()>{words.history}</a></p> })}
                                {card.merged_into.clone().map(|into| view! {
                                    <p class="merged">{words.merged_into} " " <a href=format!("/contacts/{into}?lang={}", words.lang)>{into.clone()}</a></p>
                                })}
                                <h2>{words.details}</h2>
                                <ActionForm action=edit attr:class="stacked-form" attr:aria-label=words.details>
                                    <input type="hidden" name="contact_id" value=id />
                                    <label for="contact-name">{words.name}</label>
                                    <input id="contact-name" name="details[name]" type="text" value=card.name.clone() />
                                    <label for="contact-email">{words.email}</label>
                                    <input id="contact-email" name="details[email]" type="email" value=card.email.clone().unwrap_or_default() />
                                    <label for="contact-notes">{words.notes}</label>
                                    <textarea id="contact-notes" name="details[notes]" rows="3">{card.notes.clone()}</textarea>
                                    <label for="contact-business">{words.business}</label>
                                    <select id="contact-business" name="details[business_id]">
                                        <option value="" selected=card.business_id.is_none()>{words.none}</option>
                                        {card.businesses.iter().map(|b| view! {
                                            <option value=b.id.clone() selected=card.business_id.as_deref() == Some(b.id.as_str())>{b.name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit">{words.save}</button>
                                </ActionForm>

                                <ContactOwner contact_id=card.id.clone() owner=card.owner.clone()
                                    owner_name=card.owner_name.clone() choices=card.owner_choices.clone()
                                    changed=owner_changed />

                                <h2>{words.accounts}</h2>
                                <ul class="accounts" aria-label=words.accounts>
                                    {card.accounts.iter().map(|a| view! {
                                        <li class=format!("account channel-{}", a.channel)>
                                            <strong>{channel_label(&a.channel)}</strong> " " {a.id.clone()}
                                            <span class="muted">{format!(" · {} {} · ", a.lines, words.lines)}</span>
                                            <span class="consent">{match a.consented {
                                                Some(true) => words.given,
                                                Some(false) => words.withdrawn,
                                                None => words.unknown,
                                            }}</span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <ActionForm action=account attr:class="inline-form" attr:aria-label=words.add_account>
                                    <input type="hidden" name="contact_id" value=id_for_account />
                                    <label for="account-channel">{words.channel}</label>
                                    <select id="account-channel" name="channel">
                                        {["whatsapp", "instagram", "messenger", "web", "api"].into_iter().map(|c| view! {
                                            <option value=c>{channel_label(c)}</option>
                                        }).collect_view()}
                                    </select>
                                    <label for="account-id">{words.account_id}</label>
                                    <input id="account-id" name="account_id" type="text" autocomplete="off" />
                                    <button type="submit">{words.add_account}</button>
                                </ActionForm>

                                <h2>{words.consent}</h2>
                                <ul class="consents" aria-label=words.consents>
                                    {card.consents.iter().map(|c| view! {
                                        <li>
                                            {match c.level.as_str() { "general" => words.general, "channel" => words.per_channel, _ => words.per_account }}
                                            {(!c.about.is_empty()).then(|| format!(" ({})", c.about))}
                                            ": " <strong>{if c.given { words.given } else { words.withdrawn }}</strong>
                                            <span class="muted">{format!(" · {} · ", c.source)}<LocalTime at=c.at.clone() /></span>
                                        </li>
                                    }).collect_view()}
                                </ul>
                                <ActionForm action=consent attr:class="inline-form" attr:aria-label=words.consent>
                                    <input type="hidden" name="contact_id" value=id_for_consent />
                                    <label for="consent-about">{words.level}</label>
                                    <select id="consent-about" name="about">
                                        <option value="">{words.general}</option>
                                        {["whatsapp", "instagram", "messenger"].into_iter().map(|c| view! {
                                            <option value=c>{format!("{}: {}", words.per_channel, channel_label(c))}</option>
                                        }).collect_view()}
                                        {card.accounts.iter().map(|a| view! {
                                            <option value=format!("{}:{}", a.channel, a.id)>{format!("{}: {} {}", words.per_account, channel_label(&a.channel), a.id)}</option>
                                        }).collect_view()}
                                    </select>
                                    <select name="given" aria-label=words.consent>
                                        <option value="yes">{words.given}</option>
                                        <option value="no">{words.withdrawn}</option>
                                    </select>
                                    <button type="submit">{words.record}</button>
                                </ActionForm>

                                <h2>{words.chats}</h2>
                                {if card.chats.is_empty() {
                                    view! { <p class="empty">{words.no_chats}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="queue-list" aria-label=words.chats>
                                            {card.chats.iter().map(|c| view! {
                                                <li>
                                                    <a href=format!("/agent/chats/{}", c.id)>{c.line.clone()}</a>
                                                    <span class="muted">{format!(" · {} · {}", state_label(chat_words.get(), &c.state), c.last_text)}</span>
                                                </li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                {merges}
                                <MergeDuplicate into=id_for_merge merge=merge />
                            }.into_any()
                        }
                        Err(error) => view! { <Refusal error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Finds a duplicate by search and merges it into the contact shown (K9).
#[component]
fn MergeDuplicate(into: String, merge: ServerAction<MergeContact>) -> impl IntoView {
    let words = contact_words();
    let query = RwSignal::new(String::new());
    let candidates = Resource::new(
        move || query.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(vec![])
            } else {
                find_contacts(q).await
            }
        },
    );
    let into_for_list = into.clone();
    view! {
        <h2>{move || words.get().merge}</h2>
        <label for="merge-search">{move || words.get().merge_hint}</label>
        <input id="merge-search" type="search" autocomplete="off" on:input=move |ev| query.set(event_target_value(&ev)) />
        <Transition fallback=|| ()>
            {move || {
                let into = into_for_list.clone();
                Suspend::new(async move {
                    let words = words.get();
                    let list = candidates.await.unwrap_or_default();
                    let target = into.clone();
                    view! {
                        <ul class="queue-list merge-candidates">
                            {list.into_iter().filter(|c| c.id != target).map(|c| {
                                let into_value = target.clone();
                                let label = format!("{} {}", words.merge_into_this, c.name);
                                let accounts: String =
                                    c.accounts.iter().map(|a| format!(" · {} {}", channel_label(&a.channel), a.id)).collect();
                                view! {
                                    <li>
                                        {c.name}
                                        <span class="muted">{accounts}</span>
                                        <ActionForm action=merge attr:class="member-remove">
                                            <input type="hidden" name="contact_id" value=into_value />
                                            <input type="hidden" name="from" value=c.id />
                                            <button type="submit" aria-label=label>{words.merge_into_this}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }
                })
            }}
        </Transition>
    }
}
