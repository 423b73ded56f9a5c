//! What pages ask of the server straight from the browser (files sent as they are): the answer, or
//! the reason the server gave for refusing.

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
