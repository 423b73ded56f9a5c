//! Settings, from environment variables and command-line flags (flags win).

use std::net::SocketAddr;
use std::path::PathBuf;
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Human,
    Json,
}

/// The first supervisor's password `make run` uses unless told another: whoever signs in with it
/// is asked to change it.
pub const DEFAULT_ADMIN_PASSWORD: &str = "change-me-now";

#[derive(Clone, Debug)]
pub struct Settings {
    /// `sqlite://…` (the default, under `./data/`) or `postgres://…`.
    pub database_url: String,
    pub address: SocketAddr,
    /// Where the built site (WASM, JS, CSS) is served from.
    pub site_root: PathBuf,
    pub log_format: LogFormat,
    /// The company a fresh installation creates its first supervisor in.
    pub company_id: Uuid,
    /// The first supervisor's sign-in, used once, when nobody exists yet.
    pub admin: Option<(String, String)>,
    /// The installation operator's token: creates companies and sets their limits. None: off.
    pub operator_token: Option<String>,
    /// Where the bot's e-mails go out: `smtps://user:password@host:465` (TLS),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS), or `smtp://host:port`
    /// (unencrypted: only for a relay on the same machine). None: e-mails are recorded as failed,
    /// with the reason.
    pub smtp_url: Option<String>,
    /// The sender of the bot's e-mails.
    pub smtp_from: String,
    /// Private hosts tenants' menu queries and webhooks may reach (comma-separated names or
    /// addresses), for services on the installation's own network. Empty: public addresses only.
    pub allowed_private_hosts: String,
    /// The reverse proxies in front of the server: only a connection from one of them has its
    /// client's address read from `X-Forwarded-For`, and it never counts as the local machine.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Session cookies marked `Secure` (sent by browsers over HTTPS only): set it when TLS is in
    /// front of the server.
    pub secure_cookies: bool,
    /// How much one client may do (sign-in attempts, widget visitors, messages, files, sockets).
    pub limits: crate::limits::Limits,
    /// The key tenants' secrets (providers' tokens) are sealed with. None: channels cannot be
    /// linked.
    pub secrets_key: Option<crate::secrets::SecretsKey>,
    /// Meta's Graph API, with its version: the operator's choice, and tests' local Meta.
    pub whatsapp_graph_url: String,
    /// The business's clock may be moved forward over HTTP (`POST /test/clock`): for browser
    /// tests of figures that depend on time passing. Never in production.
    pub test_clock: bool,
    /// How often the log is sealed (with a key derived from `secrets_key`; none: no seals).
    pub seal_every: std::time::Duration,
}

/// Meta's Graph API as WhatsApp Cloud lines reach it unless the operator says otherwise.
pub const WHATSAPP_GRAPH_URL: &str = "https://graph.facebook.com/v21.0";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("{name} is not valid: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error("unknown argument `{0}`; `--help` lists the known ones")]
    UnknownArgument(String),
    /// Not an error: `--help` was asked for.
    #[error("{USAGE}")]
    Help,
}

/// What `server --help` prints.
pub const USAGE: &str = "\
Usage: server [FLAG VALUE]...
       server audit [FLAG VALUE]...
       server replay --until MOMENT [FLAG VALUE]...

Serves Ikono Chat. Each flag can also be set by the environment variable beside it; flags win.
`server audit` instead rebuilds every read model from the log beside the live one and compares
them, and checks every seal of the log (with the secrets key); it prints what it found and exits 0
when nothing differs, 1 when something does. `server replay --until 2026-12-05T09:30:00Z`
rebuilds every read model as it stood at that moment into shadow tables it keeps, and says where.

  --database-url URL          IKONO_DATABASE_URL    sqlite://data/ikono.db (default) or postgres://…
  --address HOST:PORT         IKONO_ADDRESS         where to listen (default 127.0.0.1:3000)
  --log-format human|json     IKONO_LOG_FORMAT      how logs are written (default human)
  --admin-email E             IKONO_ADMIN_EMAIL     the first supervisor, when nobody exists yet
  --admin-password P          IKONO_ADMIN_PASSWORD  their password
  --operator-token T          IKONO_OPERATOR_TOKEN  the operator's token (16 characters or more)
  --smtp-url URL              IKONO_SMTP_URL        where the bot's e-mails go out
  --smtp-from ADDRESS         IKONO_SMTP_FROM       their sender
  --allow-private-hosts LIST  IKONO_ALLOW_PRIVATE_HOSTS
                              private hosts menu queries and webhooks may reach (names or
                              addresses, comma-separated); by default only public addresses
  --trusted-proxies LIST      IKONO_TRUSTED_PROXIES
                              addresses of the reverse proxies in front of the server
                              (comma-separated): X-Forwarded-For is believed only from them
  --secure-cookies true|false IKONO_SECURE_COOKIES  session cookies only over HTTPS (set it
                              when TLS is in front of the server; default false)
  --limits LIST               IKONO_LIMITS          limits changed from their defaults, as
                              name=value pairs (comma-separated; see docs/SECURITY.md)
  --secrets-key-file PATH     IKONO_SECRETS_KEY_FILE
                              a file holding the key (64 hex digits) channel credentials are
                              sealed with; or IKONO_SECRETS_KEY holding the key itself
  --whatsapp-graph-url URL    IKONO_WHATSAPP_GRAPH_URL
                              Meta's Graph API (default https://graph.facebook.com/v21.0)
  --test-clock true|false     IKONO_TEST_CLOCK      FOR TESTS ONLY: POST /test/clock moves the
                              business's clock forward (default false; see docs/SECURITY.md)
  --help                      prints this and exits

Also: IKONO_SITE_ROOT (the built site, default target/site), IKONO_COMPANY_ID (the first company).
";

/// The company of a fresh installation, the same on every start.
pub fn default_company() -> Uuid {
    Uuid::new_v5(&Uuid::NAMESPACE_URL, b"ikono-chat:default-company")
}

impl Settings {
    /// Reads `IKONO_DATABASE_URL`, `IKONO_ADDRESS`, `IKONO_SITE_ROOT`, `IKONO_LOG_FORMAT`,
    /// `IKONO_COMPANY_ID`, `IKONO_ADMIN_EMAIL`, `IKONO_ADMIN_PASSWORD`, `IKONO_OPERATOR_TOKEN`,
    /// `IKONO_SMTP_URL`, `IKONO_SMTP_FROM`, `IKONO_ALLOW_PRIVATE_HOSTS`, then the flags of
    /// [`USAGE`].
    pub fn load(variables: impl Fn(&str) -> Option<String>, arguments: &[String]) -> Result<Self, SettingsError> {
        let mut database_url = variables("IKONO_DATABASE_URL").unwrap_or_else(|| "sqlite://data/ikono.db".into());
        let mut address = variables("IKONO_ADDRESS").unwrap_or_else(|| "127.0.0.1:3000".into());
        let mut log_format = variables("IKONO_LOG_FORMAT").unwrap_or_else(|| "human".into());
        let site_root = variables("IKONO_SITE_ROOT")
            .or_else(|| variables("LEPTOS_SITE_ROOT"))
            .unwrap_or_else(|| "target/site".into());
        let company = variables("IKONO_COMPANY_ID");
        let mut admin_email = variables("IKONO_ADMIN_EMAIL");
        let mut admin_password = variables("IKONO_ADMIN_PASSWORD");
        let mut operator_token = variables("IKONO_OPERATOR_TOKEN");
        let mut smtp_url = variables("IKONO_SMTP_URL");
        let mut smtp_from = variables("IKONO_SMTP_FROM").unwrap_or_else(|| "Ikono Chat <bot@localhost>".into());
        let mut allowed_private_hosts = variables("IKONO_ALLOW_PRIVATE_HOSTS").unwrap_or_default();
        let mut trusted_proxies = variables("IKONO_TRUSTED_PROXIES").unwrap_or_default();
        let mut secure_cookies = variables("IKONO_SECURE_COOKIES").unwrap_or_else(|| "false".into());
        let mut test_clock = variables("IKONO_TEST_CLOCK").unwrap_or_else(|| "false".into());
        let mut limits = variables("IKONO_LIMITS").unwrap_or_default();
        let secrets_key = variables("IKONO_SECRETS_KEY");
        let mut secrets_key_file = variables("IKONO_SECRETS_KEY_FILE");
        let mut whatsapp_graph_url =
            variables("IKONO_WHATSAPP_GRAPH_URL").unwrap_or_else(|| WHATSAPP_GRAPH_URL.to_string());

        let mut rest = arguments.iter();
        while let Some(flag) = rest.next() {
            if flag == "--help" || flag == "-h" {
                return Err(SettingsError::Help);
            }
            let value = || {
                rest.clone()
                    .next()
                    .cloned()
                    .ok_or(SettingsError::Invalid { name: "flag", reason: format!("{flag} needs a value") })
            };
            match flag.as_str() {
                "--admin-email" => {
                    admin_email = Some(value()?);
                    rest.next();
                    continue;
                }
                "--admin-password" => {
                    admin_password = Some(value()?);
                    rest.next();
                    continue;
                }
                "--operator-token" => {
                    operator_token = Some(value()?);
                    rest.next();
                    continue;
                }
                "--smtp-url" => {
                    smtp_url = Some(value()?);
                    rest.next();
                    continue;
                }
                "--smtp-from" => {
                    smtp_from = value()?;
                    rest.next();
                    continue;
                }
                "--allow-private-hosts" => {
                    allowed_private_hosts = value()?;
                    rest.next();
                    continue;
                }
                "--trusted-proxies" => {
                    trusted_proxies = value()?;
                    rest.next();
                    continue;
                }
                "--secure-cookies" => {
                    secure_cookies = value()?;
                    rest.next();
                    continue;
                }
                "--test-clock" => {
                    test_clock = value()?;
                    rest.next();
                    continue;
                }
                "--limits" => {
                    limits = value()?;
                    rest.next();
                    continue;
                }
                "--secrets-key-file" => {
                    secrets_key_file = Some(value()?);
                    rest.next();
                    continue;
                }
                "--whatsapp-graph-url" => {
                    whatsapp_graph_url = value()?;
                    rest.next();
                    continue;
                }
                _ => {}
            }
            let target = match flag.as_str() {
                "--database-url" => &mut database_url,
                "--address" => &mut address,
                "--log-format" => &mut log_format,
                other => return Err(SettingsError::UnknownArgument(other.to_string())),
            };
            *target = rest
                .next()
                .cloned()
                .ok_or(SettingsError::Invalid { name: "flag", reason: format!("{flag} needs a value") })?;
        }

        Ok(Self {
            database_url,
            address: address.parse().map_err(|e: std::net::AddrParseError| SettingsError::Invalid {
                name: "address",
                reason: e.to_string(),
            })?,
            site_root: PathBuf::from(site_root),
            log_format: match log_format.as_str() {
                "human" => LogFormat::Human,
                "json" => LogFormat::Json,
                other => {
                    return Err(SettingsError::Invalid {
                        name: "log format",
                        reason: format!("`{other}`: use human or json"),
                    })
                }
            },
            company_id: match company {
                Some(text) => Uuid::parse_str(&text)
                    .map_err(|e| SettingsError::Invalid { name: "IKONO_COMPANY_ID", reason: e.to_string() })?,
                None => default_company(),
            },
            admin: admin_email.zip(admin_password),
            operator_token: match operator_token {
                Some(token) if token.chars().count() < 16 => {
                    return Err(SettingsError::Invalid {
                        name: "operator token",
                        reason: "use at least 16 characters".into(),
                    })
                }
                other => other,
            },
            smtp_url,
            smtp_from,
            allowed_private_hosts,
            trusted_proxies: trusted_proxies
                .split(',')
                .map(str::trim)
                .filter(|address| !address.is_empty())
                .map(|address| {
                    address.parse().map_err(|_| SettingsError::Invalid {
                        name: "trusted proxies",
                        reason: format!("`{address}` is not an IP address"),
                    })
                })
                .collect::<Result<_, _>>()?,
            secure_cookies: yes_or_no("secure cookies", &secure_cookies)?,
            test_clock: yes_or_no("test clock", &test_clock)?,
            limits: crate::limits::Limits::default()
                .changed(&limits)
                .map_err(|reason| SettingsError::Invalid { name: "limits", reason })?,
            secrets_key: secrets_key_of(secrets_key, secrets_key_file)?,
            seal_every: std::time::Duration::from_secs(10),
            whatsapp_graph_url: match whatsapp_graph_url.trim().trim_end_matches('/') {
                url if url.starts_with("https://") || url.starts_with("http://") => url.to_string(),
                _ => {
                    return Err(SettingsError::Invalid {
                        name: "WhatsApp Graph URL",
                        reason: "an http:// or https:// address".into(),
                    })
                }
            },
        })
    }
}

fn yes_or_no(name: &'static str, text: &str) -> Result<bool, SettingsError> {
    match text.trim() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" | "" => Ok(false),
        other => Err(SettingsError::Invalid { name, reason: format!("`{other}`: use true or false") }),
    }
}

/// The secrets key from its variable, or read from its file.
fn secrets_key_of(
    key: Option<String>,
    file: Option<String>,
) -> Result<Option<crate::secrets::SecretsKey>, SettingsError> {
    let invalid = |reason: String| SettingsError::Invalid { name: "secrets key", reason };
    let text = match (key, file) {
        (Some(key), _) => key,
        (None, Some(path)) => std::fs::read_to_string(&path).map_err(|e| invalid(format!("{path}: {e}")))?,
        (None, None) => return Ok(None),
    };
    crate::secrets::SecretsKey::parse(&text).map(Some).map_err(|e| invalid(e.to_string()))
}

/// `url` with its password, if any, written as `***`: for logs.
pub fn without_password(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_string(),
        Err(_) => "(a database URL that is not valid)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn defaults_serve_sqlite_on_port_3000() {
        let settings = Settings::load(none, &[]).unwrap();
        assert_eq!(settings.database_url, "sqlite://data/ikono.db");
        assert_eq!(settings.address.to_string(), "127.0.0.1:3000");
        assert_eq!(settings.log_format, LogFormat::Human);
    }

    #[test]
    fn flags_override_the_environment() {
        let env = |name: &str| (name == "IKONO_LOG_FORMAT").then(|| "human".to_string());
        let args = ["--log-format", "json", "--address", "127.0.0.1:0"].map(String::from);
        let settings = Settings::load(env, &args).unwrap();
        assert_eq!(settings.log_format, LogFormat::Json);
        assert_eq!(settings.address.port(), 0);
    }

    #[test]
    fn a_database_password_is_kept_out_of_what_is_logged() {
        let logged = without_password("postgres://ikono:s3cret@db.internal:5432/ikono");
        assert_eq!(logged, "postgres://ikono:***@db.internal:5432/ikono");
        assert_eq!(without_password("sqlite://data/ikono.db"), "sqlite://data/ikono.db");
        assert!(!without_password("postgres://u:s3cret@[::1").contains("s3cret"));
    }

    #[test]
    fn help_is_asked_for_not_refused() {
        for flag in ["--help", "-h"] {
            assert_eq!(Settings::load(none, &[flag.to_string()]).unwrap_err(), SettingsError::Help);
        }
        assert!(USAGE.contains("--allow-private-hosts"));
    }

    #[test]
    fn bad_settings_are_refused_with_a_reason() {
        let cases: [(&[&str], &str); 5] = [
            (&["--log-format", "xml"], "log format"),
            (&["--address", "nowhere"], "address"),
            (&["--address"], "needs a value"),
            (&["--frobnicate"], "unknown argument"),
            (&["--trusted-proxies", "10.0.0.1,proxy.internal"], "trusted proxies"),
        ];
        for (args, reason) in cases {
            let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
            let error = Settings::load(none, &args).unwrap_err().to_string();
            assert!(error.contains(reason), "{args:?}: {error}");
        }
    }
}
