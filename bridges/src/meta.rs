//! What Meta's platforms (WhatsApp Cloud, Instagram, Messenger) share at a callback: the
//! subscription handshake, and the signature of every notification.
//!
//! The signature is `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under the app
//! secret>`; it is checked on the bytes as they came, before anything reads them, in constant time.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header Meta signs notifications in.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";
/// The longest `hub.challenge` echoed back: Meta's are short numbers.
const CHALLENGE_MAX_CHARS: usize = 128;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the notification is not signed (X-Hub-Signature-256)")]
    Missing,
    #[error("the signature is not `sha256=` and 64 hex digits")]
    Malformed,
    #[error("the signature does not match the body")]
    Mismatch,
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes.chunks(2).map(|pair| Some(hex_value(pair[0])? << 4 | hex_value(pair[1])?)).collect()
}

/// Checks `header` (the value of [`SIGNATURE_HEADER`]) against `body` under `app_secret`.
pub fn verify_signature(app_secret: &str, body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(SignatureError::Missing)?;
    let digest = header
        .strip_prefix("sha256=")
        .filter(|hex| hex.len() == 64)
        .and_then(from_hex)
        .ok_or(SignatureError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).map_err(|_| SignatureError::Mismatch)?;
    mac.update(body);
    mac.verify_slice(&digest).map_err(|_| SignatureError::Mismatch)
}

/// The header value Meta would send for `body`: for the tests' and the benchmarks' senders.
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    let digest: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={digest}")
}

/// The subscription handshake: `GET …?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`.
/// Answers the challenge to echo when the mode and token are right; `None` refuses.
pub fn subscription_challenge(
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&str>,
    verify_token: &str,
) -> Option<String> {
    let token_matches = token.is_some_and(|token| {
        // Compared in constant time: the token is a secret of the line.
        let (given, expected) = (token.as_bytes(), verify_token.as_bytes());
        given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |diff, (a, b)| diff | (a ^ b)) == 0
    });
    let challenge = challenge?;
    // Echoed as text: only what a challenge is made of, never markup.
    let plain = !challenge.is_empty()
        && challenge.len() <= CHALLENGE_MAX_CHARS
        && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    (mode == Some("subscribe") && token_matches && !verify_token.is_empty() && plain).then(|| challenge.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_vector_and_every_wrong_shape() {
        // HMAC-SHA256(key="secret", msg="test"), as Meta's platform computes it.
        let header = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914";
        assert_eq!(verify_signature("secret", b"test", Some(header)), Ok(()));
        assert_eq!(sign("secret", b"test"), header);
        assert_eq!(
            verify_signature("secret", b"test", Some(&header.to_uppercase().replace("SHA256=", "sha256="))),
            Ok(())
        );
        assert_eq!(verify_signature("secret", b"test ", Some(header)), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature("other", b"test", Some(header)), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature("secret", b"test", None), Err(SignatureError::Missing));
        assert_eq!(verify_signature("secret", b"test", Some("  ")), Err(SignatureError::Missing));
        for malformed in [
            "0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
            "sha1=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
            "sha256=0329a06b",
            "sha256=zz29a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
            "sha256=é329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c091",
        ] {
            assert_eq!(
                verify_signature("secret", b"test", Some(malformed)),
                Err(SignatureError::Malformed),
                "{malformed}"
            );
        }
    }

    #[test]
    fn the_handshake_echoes_a_plain_challenge_for_the_right_token_only() {
        let answer = |mode, token, challenge| subscription_challenge(mode, token, challenge, "our-token");
        assert_eq!(answer(Some("subscribe"), Some("our-token"), Some("1158201444")), Some("1158201444".into()));
        assert_eq!(answer(Some("subscribe"), Some("their-token"), Some("1158201444")), None);
        assert_eq!(answer(Some("subscribe"), Some("our-toke"), Some("1158201444")), None);
        assert_eq!(answer(Some("unsubscribe"), Some("our-token"), Some("1")), None);
        assert_eq!(answer(None, Some("our-token"), Some("1")), None);
        assert_eq!(answer(Some("subscribe"), None, Some("1")), None);
        assert_eq!(answer(Some("subscribe"), Some("our-token"), None), None);
        assert_eq!(answer(Some("subscribe"), Some("our-token"), Some("<script>alert(1)</script>")), None);
        assert_eq!(answer(Some("subscribe"), Some("our-token"), Some(&"1".repeat(129))), None);
        assert_eq!(subscription_challenge(Some("subscribe"), Some(""), Some("1"), ""), None);
    }
}
