//! What pages ask of the server straight from the browser (files sent as they are): the file a
//! person chose, sending it, and the answer or the reason the server gave for refusing.

use wasm_bindgen::JsCast;

#[derive(serde::Deserialize)]
struct Refused {
    error: String,
}

/// The answer's body, or the reason the server gave for refusing.
pub async fn answer<T: serde::de::DeserializeOwned>(response: gloo_net::http::Response) -> Result<T, String> {
    if response.ok() {
        response.json::<T>().await.map_err(|e| e.to_string())
    } else {
        Err(response.json::<Refused>().await.map_or_else(|e| e.to_string(), |refused| refused.error))
    }
}

/// The file chosen in the file input an event came from, if any.
pub fn chosen_file(event: &leptos::ev::Event) -> Option<web_sys::File> {
    let input = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok());
    input.and_then(|input| input.files()).and_then(|files| files.get(0))
}

/// The first file dropped, if any.
pub fn dropped_file(event: &web_sys::DragEvent) -> Option<web_sys::File> {
    event.data_transfer().and_then(|data| data.files()).and_then(|files| files.get(0))
}

/// The first file pasted, if any (pasted text is no file).
pub fn pasted_file(event: &web_sys::ClipboardEvent) -> Option<web_sys::File> {
    event.clipboard_data().and_then(|data| data.files()).and_then(|files| files.get(0))
}

/// Sends `file` as it is to `url` (with `query`), typed as the browser typed it (CSV when it did
/// not); answers what the server answered.
pub async fn send_file<T: serde::de::DeserializeOwned>(
    url: &str,
    query: Vec<(&str, String)>,
    file: web_sys::File,
) -> Result<T, String> {
    let content_type = file.type_();
    let request = gloo_net::http::Request::post(url)
        .query(query)
        .header("Content-Type", if content_type.is_empty() { "text/csv" } else { &content_type })
        .body(file.unchecked_into::<web_sys::Blob>())
        .map_err(|e| e.to_string())?;
    answer(request.send().await.map_err(|e| e.to_string())?).await
}
