//! Calls Meta's Graph API for a WhatsApp Cloud line: sends a message to a customer, and reads
//! Meta's answer as a sent message's id, or a refusal that says whether to try again.
//!
//! Meta's address is the operator's configuration (`--whatsapp-graph-url`), outside the rule for
//! tenants' addresses; its answers are still read up to a cap, and redirects are not followed.

use crate::outbound::read_up_to;
use bridges::whatsapp_cloud::outbound::{refusal, sent_message_id, Refusal};
use std::time::Duration;

/// How long one call may take, its answer included.
const CALL_DEADLINE: Duration = Duration::from_secs(10);
/// Meta's answers to a send are a few hundred bytes.
const ANSWER_MAX_BYTES: usize = 64 * 1024;

/// What a WhatsApp Cloud line sends through: Meta's API, the line's number and its token.
#[derive(Clone)]
pub struct WhatsappRoute {
    pub graph_url: String,
    pub phone_number_id: String,
    pub access_token: String,
}

impl std::fmt::Debug for WhatsappRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhatsappRoute").field("phone_number_id", &self.phone_number_id).finish_non_exhaustive()
    }
}

/// The client for Meta's API.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default()
}

/// Posts `body` (built by the bridge) to the line's number; answers Meta's id of the message.
pub async fn send_message(
    http: &reqwest::Client,
    route: &WhatsappRoute,
    body: &serde_json::Value,
) -> Result<String, Refusal> {
    let unreachable = |words: String| Refusal { code: None, words, transient: true };
    let url = format!("{}/{}/messages", route.graph_url, route.phone_number_id);
    let mut answer =
        http.post(url).bearer_auth(&route.access_token).json(body).timeout(CALL_DEADLINE).send().await.map_err(
            |error| {
                tracing::warn!(%error, "Meta's API could not be reached");
                unreachable("WhatsApp could not be reached".into())
            },
        )?;
    let status = answer.status();
    let read = read_up_to(&mut answer, ANSWER_MAX_BYTES)
        .await
        .map_err(|_| unreachable("WhatsApp's answer broke off".into()))?;
    let Some(read) = read else {
        return Err(Refusal {
            code: None,
            words: "WhatsApp answered more than a send's answer".into(),
            transient: false,
        });
    };
    if !status.is_success() {
        return Err(refusal(status.as_u16(), &read));
    }
    // Sent, whatever else the answer says: trying again would send it twice.
    Ok(sent_message_id(&read).unwrap_or_default())
}
