//! The agent's alerts of new messages (W2): a short sound, and the browser's notifications once the
//! agent allows them. Browser only; on the server each does nothing.

/// Whether the agent is looking at this page now: a message in the chat they have open then
/// needs no alert.
pub fn page_in_view() -> bool {
    #[cfg(feature = "hydrate")]
    {
        let document = leptos::prelude::document();
        document.visibility_state() == web_sys::VisibilityState::Visible && document.has_focus().unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    false
}

/// Whether the browser may show notifications: `Some(true)` allowed, `Some(false)` refused,
/// `None` not asked yet (or not supported).
pub fn notifications_allowed() -> Option<bool> {
    #[cfg(feature = "hydrate")]
    {
        use web_sys::{Notification, NotificationPermission};
        if !notifications_supported() {
            return None;
        }
        match Notification::permission() {
            NotificationPermission::Granted => Some(true),
            NotificationPermission::Denied => Some(false),
            _ => None,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Asks the browser to allow notifications; `answered` is called with the answer.
pub fn ask_for_notifications(answered: impl Fn(Option<bool>) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        if !notifications_supported() {
            return;
        }
        let Ok(asked) = web_sys::Notification::request_permission() else { return };
        leptos::task::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(asked).await;
            answered(notifications_allowed());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = answered;
}

/// A new message: a short tone, and a notification with who wrote and what (when allowed).
pub fn new_message(from: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    {
        tone();
        if notifications_allowed() == Some(true) {
            let options = web_sys::NotificationOptions::new();
            options.set_body(text);
            options.set_tag(from);
            let _ = web_sys::Notification::new_with_options(from, &options);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (from, text);
}

/// Some browsers (Safari on phones) have no notifications: calling them there would throw.
#[cfg(feature = "hydrate")]
fn notifications_supported() -> bool {
    js_sys::Reflect::has(&leptos::prelude::window(), &wasm_bindgen::JsValue::from_str("Notification")).unwrap_or(false)
}

/// Two short notes, made by the browser (no sound file to load).
#[cfg(feature = "hydrate")]
fn tone() {
    let Ok(audio) = web_sys::AudioContext::new() else { return };
    let now = audio.current_time();
    for (i, pitch) in [880.0_f32, 1320.0].into_iter().enumerate() {
        let (Ok(oscillator), Ok(gain)) = (audio.create_oscillator(), audio.create_gain()) else { return };
        oscillator.frequency().set_value(pitch);
        gain.gain().set_value(0.08);
        let start = now + 0.12 * i as f64;
        let _ = oscillator.connect_with_audio_node(&gain);
        let _ = gain.connect_with_audio_node(&audio.destination());
        let _ = oscillator.start_with_when(start);
        let _ = oscillator.stop_with_when(start + 0.1);
    }
}
