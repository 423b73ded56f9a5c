//! Calls Meta's Graph API for a WhatsApp Cloud line: sends a message to a customer (Meta's answer
//! read as the sent message's id, or a refusal that says whether to try again), uploads one of our
//! files, fetches a customer's file, and submits a template.
//!
//! Meta's address is the operator's configuration (`--whatsapp-graph-url`), outside the rule for
//! tenants' addresses; its answers are still read up to a cap, and redirects are not followed.

use crate::outbound::{read_up_to, TenantHttp};
use crate::secrets::line_secret;
use crate::secrets::SecretsKey;
use bridges::whatsapp_cloud::outbound::{
    file_address, refusal, sent_message_id, submitted_template, uploaded_file_id, Refusal,
};
use domain::ids::LineId;
use domain::line::{ChannelLink, LineEvent};
use std::collections::HashMap;
use std::time::Duration;

/// How long one call may take, its answer included.
const CALL_DEADLINE: Duration = Duration::from_secs(10);
/// Meta's answers to a send are a few hundred bytes.
const ANSWER_MAX_BYTES: usize = 64 * 1024;

/// What a WhatsApp Cloud line is reached through: where Meta's API is, and the key its
/// credentials are sealed with (none: WhatsApp lines cannot be reached).
#[derive(Clone, Debug)]
pub struct Channels {
    pub graph_url: String,
    pub secrets: Option<SecretsKey>,
}

impl Channels {
    /// As the operator configured them.
    pub fn of(settings: &crate::config::Settings) -> Self {
        Self { graph_url: settings.whatsapp_graph_url.clone(), secrets: settings.secrets_key.clone() }
    }

    /// A WhatsApp Cloud line's route, its token opened; none when this server cannot open it.
    pub fn route(&self, line_id: LineId, link: &ChannelLink) -> Option<WhatsappRoute> {
        let ChannelLink::WhatsappCloud { phone_number_id, access_token, .. } = link;
        let opened = self.secrets.as_ref().map(|key| key.open(&line_secret(line_id, "access_token"), access_token));
        let why = match opened {
            Some(Ok(access_token)) => {
                return Some(WhatsappRoute {
                    graph_url: self.graph_url.clone(),
                    phone_number_id: phone_number_id.clone(),
                    access_token,
                })
            }
            Some(Err(error)) => error.to_string(),
            None => "no secrets key is set".to_string(),
        };
        tracing::error!(%line_id, %why, "a WhatsApp line's token cannot be opened: it can neither send nor fetch");
        None
    }
}

/// The WhatsApp Cloud lines a worker reaches, as the log links and unlinks them.
pub struct WhatsappLines {
    channels: Channels,
    routes: HashMap<LineId, WhatsappRoute>,
}

impl WhatsappLines {
    pub fn new(channels: Channels) -> Self {
        Self { channels, routes: HashMap::new() }
    }

    /// Follows a line's event: a link opens the line's route (none when its token cannot be
    /// opened here), an unlink forgets it.
    pub fn learn(&mut self, event: &LineEvent) {
        match event {
            LineEvent::ChannelLinked { line_id, link } => match self.channels.route(*line_id, link) {
                Some(route) => {
                    self.routes.insert(*line_id, route);
                }
                None => {
                    self.routes.remove(line_id);
                }
            },
            LineEvent::ChannelUnlinked { line_id } => {
                self.routes.remove(line_id);
            }
            _ => {}
        }
    }

    pub fn route(&self, line: LineId) -> Option<&WhatsappRoute> {
        self.routes.get(&line)
    }
}

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

/// One call to Meta's API with the line's token: its answer, read up to what an API answer is, or
/// Meta's refusal in words.
async fn call(request: reqwest::RequestBuilder, route: &WhatsappRoute) -> Result<Vec<u8>, Refusal> {
    let mut answer = request.bearer_auth(&route.access_token).timeout(CALL_DEADLINE).send().await.map_err(|error| {
        tracing::warn!(%error, "Meta's API could not be reached");
        unreachable("WhatsApp could not be reached")
    })?;
    let status = answer.status();
    let read = read_up_to(&mut answer, ANSWER_MAX_BYTES)
        .await
        .map_err(|_| unreachable("WhatsApp's answer broke off"))?
        .ok_or_else(|| permanent("WhatsApp answered more than its API answers".into()))?;
    if !status.is_success() {
        return Err(refusal(status.as_u16(), &read));
    }
    Ok(read)
}

/// Posts `body` (built by the bridge) to the line's number; answers Meta's id of the message.
pub async fn send_message(
    http: &reqwest::Client,
    route: &WhatsappRoute,
    body: &serde_json::Value,
) -> Result<String, Refusal> {
    let url = format!("{}/{}/messages", route.graph_url, route.phone_number_id);
    let read = call(http.post(url).json(body), route).await?;
    // Sent, whatever else the answer says: trying again would send it twice.
    Ok(sent_message_id(&read).unwrap_or_default())
}

/// Uploads one of our files to the line's number (`POST /<number>/media`, multipart); answers
/// Meta's id of it, by which messages send it for 30 days.
pub async fn upload_file(
    http: &reqwest::Client,
    route: &WhatsappRoute,
    content_type: &str,
    filename: &str,
    content: Vec<u8>,
) -> Result<String, Refusal> {
    let url = format!("{}/{}/media", route.graph_url, route.phone_number_id);
    let part = reqwest::multipart::Part::bytes(content)
        .file_name(filename.to_string())
        .mime_str(content_type)
        .map_err(|_| permanent(format!("the file's type ({content_type}) cannot be sent")))?;
    let form = reqwest::multipart::Form::new()
        .text("messaging_product", "whatsapp")
        .text("type", content_type.to_string())
        .part("file", part);
    let read = call(http.post(url).multipart(form), route).await?;
    uploaded_file_id(&read).ok_or_else(|| permanent("WhatsApp's answer named no uploaded file".into()))
}

fn unreachable(words: &str) -> Refusal {
    Refusal { code: None, words: words.to_string(), transient: true }
}

fn permanent(words: String) -> Refusal {
    Refusal { code: None, words, transient: false }
}

/// Whether two addresses are the same origin (scheme, host and port).
fn same_origin(a: &str, b: &str) -> bool {
    match (reqwest::Url::parse(a), reqwest::Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

/// A customer's file Meta keeps, by its id: where it is first (`GET /<media id>`), then the file
/// with the same token, up to `cap` bytes; answers its bytes and the type Meta says it is.
///
/// The file's address is Meta's answer: on the Graph API's own origin it is fetched like the API,
/// anywhere else only at a public address (`tenant`), never following redirects.
pub async fn fetch_file(
    http: &reqwest::Client,
    tenant: &TenantHttp,
    route: &WhatsappRoute,
    media_id: &str,
    cap: usize,
) -> Result<(Vec<u8>, Option<String>), Refusal> {
    if media_id.is_empty() || !media_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(permanent("the channel named the file with an id that is not one".into()));
    }
    let read = call(http.get(format!("{}/{media_id}", route.graph_url)), route).await?;
    let address = file_address(&read).ok_or_else(|| permanent("WhatsApp gave no address for the file".into()))?;
    let download = if same_origin(&address.url, &route.graph_url) {
        http.get(&address.url).timeout(CALL_DEADLINE)
    } else {
        tenant
            .request(reqwest::Method::GET, &address.url, CALL_DEADLINE)
            .map_err(|refused| permanent(format!("the file's address was not fetched: {refused}")))?
    };
    let mut file = download
        .bearer_auth(&route.access_token)
        .send()
        .await
        .map_err(|_| unreachable("the file could not be downloaded from WhatsApp"))?;
    let status = file.status();
    if !status.is_success() {
        let transient = status.as_u16() == 429 || status.is_server_error() || status.as_u16() == 404;
        return Err(Refusal {
            code: None,
            words: format!("WhatsApp answered HTTP {} for the file", status.as_u16()),
            transient,
        });
    }
    let bytes = read_up_to(&mut file, cap)
        .await
        .map_err(|_| unreachable("the file's download broke off"))?
        .ok_or_else(|| permanent(format!("the file is larger than the {} MB a chat keeps", cap / (1024 * 1024))))?;
    Ok((bytes, address.content_type))
}

/// Submits a template's definition (built by the bridge) for review on the business account;
/// answers Meta's id of it and the state Meta gave it.
pub async fn submit_template(
    http: &reqwest::Client,
    route: &WhatsappRoute,
    business_account_id: &str,
    definition: &serde_json::Value,
) -> Result<(String, String), Refusal> {
    let url = format!("{}/{business_account_id}/message_templates", route.graph_url);
    let read = call(http.post(url).json(definition), route).await?;
    submitted_template(&read).ok_or_else(|| permanent("WhatsApp's answer named no template".into()))
}
