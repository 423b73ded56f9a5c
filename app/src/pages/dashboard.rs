//! The agent's own dashboard (P11): their chats pending and following now, and what they resolved
//! and how fast they first answered today, in their own time zone; kept live.

use crate::contract::MyDay;
use crate::error::UiError;
use crate::i18n::use_words;
use crate::live::on_live_change;
use leptos::prelude::*;

#[server(prefix = "/api", endpoint = "my_figures")]
pub async fn my_figures() -> Result<MyDay, UiError> {
    crate::ssr::with_status(crate::ssr::services()?.my_day(crate::ssr::session_token(), crate::ssr::time_zone()).await)
}

struct Words {
    title: &'static str,
    pending: &'static str,
    following: &'static str,
    resolved: &'static str,
    first_response: &'static str,
    nothing_yet: &'static str,
    minutes: &'static str,
    seconds: &'static str,
}

const ENGLISH: Words = Words {
    title: "My day",
    pending: "Pending",
    following: "Following",
    resolved: "Resolved today",
    first_response: "Average first response today",
    nothing_yet: "—",
    minutes: "min",
    seconds: "s",
};

const SPANISH: Words = Words {
    title: "Mi día",
    pending: "Pendientes",
    following: "En seguimiento",
    resolved: "Resueltos hoy",
    first_response: "Primera respuesta media hoy",
    nothing_yet: "—",
    minutes: "min",
    seconds: "s",
};

/// A span of seconds as a person reads it: `45 s`, `3 min 05 s`.
fn duration(words: &Words, seconds: i64) -> String {
    match (seconds / 60, seconds % 60) {
        (0, seconds) => format!("{seconds} {}", words.seconds),
        (minutes, seconds) => format!("{minutes} {} {seconds:02} {}", words.minutes, words.seconds),
    }
}

#[component]
pub fn MyDashboard() -> impl IntoView {
    let words = use_words(&ENGLISH, &SPANISH);
    let pushed = RwSignal::new(0u64);
    on_live_change("chats", move || pushed.update(|n| *n += 1));
    let day = Resource::new(move || pushed.get(), |_| my_figures());
    view! {
        <section class="card dashboard" aria-labelledby="my-day">
            <h2 id="my-day">{move || words.get().title}</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let words = words.get();
                    day.await.ok().map(|day| {
                        let first = day
                            .average_first_response
                            .map_or_else(|| words.nothing_yet.to_string(), |seconds| duration(words, seconds));
                        view! {
                            <dl class="figures">
                                <div class="figure"><dt>{words.pending}</dt><dd data-figure="pending">{day.pending}</dd></div>
                                <div class="figure"><dt>{words.following}</dt><dd data-figure="following">{day.following}</dd></div>
                                <div class="figure"><dt>{words.resolved}</dt><dd data-figure="resolved">{day.resolved_today}</dd></div>
                                <div class="figure"><dt>{words.first_response}</dt><dd data-figure="first-response">{first}</dd></div>
                            </dl>
                        }
                    })
                })}
            </Transition>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_reads_in_seconds_then_minutes_and_seconds() {
        assert_eq!(duration(&ENGLISH, 45), "45 s");
        assert_eq!(duration(&ENGLISH, 185), "3 min 05 s");
    }
}
