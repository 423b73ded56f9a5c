//! Changes pushed by the server: the page names a topic and runs a callback on every change of it.
//! Server-sent events from `/api/v1/live`; the browser reconnects by itself.

/// Calls `changed` whenever the server reports a change of `topic`. Does nothing on the server.
#[cfg(feature = "hydrate")]
pub fn on_live_change(topic: &'static str, changed: impl Fn() + 'static) {
    use leptos::prelude::{on_cleanup, Effect};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let changed = std::rc::Rc::new(changed);
    Effect::new(move |_| {
        let Ok(source) = web_sys::EventSource::new("/api/v1/live") else {
            return;
        };
        let changed = changed.clone();
        let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_event: web_sys::MessageEvent| changed());
        let _ = source.add_event_listener_with_callback(topic, listener.as_ref().unchecked_ref());
        // Changes made while the stream was (re)connecting were not pushed: refetch on every open.
        let _ = source.add_event_listener_with_callback("open", listener.as_ref().unchecked_ref());
        let source = send_wrapper::SendWrapper::new((source, listener));
        on_cleanup(move || source.0.close());
    });
}

#[cfg(not(feature = "hydrate"))]
pub fn on_live_change(_topic: &'static str, _changed: impl Fn() + 'static) {}
