//! Issuing and checking access tokens and refresh tokens, with an expiry on the sandbox clock.
//!
//! Every vendor keeps its own [`TokenIssuer`]; a vendor's endpoint decides how a token is
//! asked for and what the answer looks like, the issuer only remembers who holds which token
//! until when. Refresh tokens are single use when redeemed ([`TokenIssuer::redeem_refresh`]),
//! for a vendor that rotates them; a vendor that keeps one refresh token for its whole life
//! checks it with [`TokenIssuer::check_refresh`] instead.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

use super::clock::Clock;
use super::seed::{SeededRng, entropy};

/// Above this many remembered tokens, expired ones are forgotten on the next issue.
const PRUNE_ABOVE: usize = 4096;

/// The shape of an issued token.
#[derive(Clone, Debug)]
pub(crate) enum TokenFormat {
    /// A JWT-shaped string: a header, these claims plus `iat`, `exp` and `jti`, and a random
    /// signature that verifies against nothing (clients must treat tokens as opaque).
    Jwt {
        /// Claims the vendor adds (issuer, audience, subject, ...).
        claims: Map<String, Value>,
    },
    /// An opaque random string with a prefix.
    #[allow(dead_code)] // For the next vendors, whose tokens are not JWTs.
    Opaque {
        /// Text in front of the random part.
        prefix: &'static str,
    },
    /// `bytes` random bytes in unpadded base64url (32 bytes give the 43 characters of
    /// ExtraView's documented token).
    Base64Url {
        /// How many random bytes the text encodes.
        bytes: usize,
    },
}

/// A token that was just issued.
#[derive(Clone, Debug)]
pub(crate) struct NewToken {
    /// The token text.
    pub(crate) access_token: String,
    /// Whole seconds until it expires, as a token answer states it.
    pub(crate) expires_in: u64,
}

/// Why a presented token is not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    /// The sandbox never issued it (or forgot it after it expired).
    Unknown,
    /// It was issued but its lifetime is over (or it was expired through the admin API).
    Expired,
}

#[derive(Debug)]
struct Issued {
    subject: String,
    expires_at_ms: i64,
}

#[derive(Debug)]
struct Inner {
    tokens: HashMap<String, Issued>,
    refresh_tokens: HashMap<String, Issued>,
    rng: SeededRng,
    serial: u64,
}

/// Issues tokens and answers whether a presented one is still good.
#[derive(Debug)]
pub(crate) struct TokenIssuer {
    clock: Clock,
    inner: Mutex<Inner>,
}

impl TokenIssuer {
    /// An issuer reading `clock`.
    pub(crate) fn new(clock: Clock) -> Self {
        Self {
            clock,
            inner: Mutex::new(Inner {
                tokens: HashMap::new(),
                refresh_tokens: HashMap::new(),
                rng: SeededRng::new(entropy()),
                serial: 0,
            }),
        }
    }

    /// Issues a token for `subject` (a client id or a user name) living `lifetime`.
    pub(crate) fn issue(
        &self,
        subject: &str,
        lifetime: Duration,
        format: &TokenFormat,
    ) -> NewToken {
        let now_ms = self.clock.now_millis();
        let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
        let expires_at_ms = now_ms.saturating_add(lifetime_ms);
        let mut inner = self.lock();
        let access_token = mint(&mut inner, format, now_ms, expires_at_ms);
        if inner.tokens.len() > PRUNE_ABOVE {
            inner.tokens.retain(|_, t| t.expires_at_ms > now_ms);
        }
        inner.tokens.insert(
            access_token.clone(),
            Issued {
                subject: subject.to_owned(),
                expires_at_ms,
            },
        );
        NewToken {
            access_token,
            expires_in: lifetime.as_secs(),
        }
    }

    /// The subject of `token` if it was issued here and has not expired.
    pub(crate) fn verify(&self, token: &str) -> Result<String, TokenProblem> {
        let now_ms = self.clock.now_millis();
        let inner = self.lock();
        match inner.tokens.get(token) {
            None => Err(TokenProblem::Unknown),
            Some(issued) if issued.expires_at_ms <= now_ms => Err(TokenProblem::Expired),
            Some(issued) => Ok(issued.subject.clone()),
        }
    }

    /// The subject of a live `token` and the whole seconds it has left.
    pub(crate) fn remaining(&self, token: &str) -> Result<(String, u64), TokenProblem> {
        let now_ms = self.clock.now_millis();
        let inner = self.lock();
        match inner.tokens.get(token) {
            None => Err(TokenProblem::Unknown),
            Some(issued) if issued.expires_at_ms <= now_ms => Err(TokenProblem::Expired),
            Some(issued) => {
                let left_ms = issued.expires_at_ms.saturating_sub(now_ms);
                Ok((
                    issued.subject.clone(),
                    u64::try_from(left_ms / 1000).unwrap_or(0),
                ))
            }
        }
    }

    /// Forgets one access or refresh token, so that it is refused from now on; whether it was
    /// known.
    pub(crate) fn revoke(&self, token: &str) -> bool {
        let mut inner = self.lock();
        let access = inner.tokens.remove(token).is_some();
        let refresh = inner.refresh_tokens.remove(token).is_some();
        access || refresh
    }

    /// Ends the life of every token issued so far; returns how many were still alive.
    pub(crate) fn expire_all(&self) -> usize {
        let now_ms = self.clock.now_millis();
        let mut inner = self.lock();
        let mut alive = 0;
        for issued in inner.tokens.values_mut() {
            if issued.expires_at_ms > now_ms {
                alive += 1;
                issued.expires_at_ms = now_ms;
            }
        }
        alive
    }

    /// Issues a refresh token for `subject` living `lifetime`: `length` random lower-case
    /// letters (the shape one vendor's captured answers show).
    pub(crate) fn issue_refresh(&self, subject: &str, lifetime: Duration, length: usize) -> String {
        let now_ms = self.clock.now_millis();
        let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
        let mut inner = self.lock();
        let token: String = (0..length.max(16))
            .map(|_| char::from(b'a' + inner.rng.below(26) as u8))
            .collect();
        if inner.refresh_tokens.len() > PRUNE_ABOVE {
            inner.refresh_tokens.retain(|_, t| t.expires_at_ms > now_ms);
        }
        inner.refresh_tokens.insert(
            token.clone(),
            Issued {
                subject: subject.to_owned(),
                expires_at_ms: now_ms.saturating_add(lifetime_ms),
            },
        );
        token
    }

    /// Issues a refresh token for `subject` living `lifetime`, shaped by `format` (a vendor whose
    /// refresh tokens are JWTs, like its access tokens).
    pub(crate) fn issue_refresh_as(
        &self,
        subject: &str,
        lifetime: Duration,
        format: &TokenFormat,
    ) -> String {
        let now_ms = self.clock.now_millis();
        let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
        let expires_at_ms = now_ms.saturating_add(lifetime_ms);
        let mut inner = self.lock();
        let token = mint(&mut inner, format, now_ms, expires_at_ms);
        if inner.refresh_tokens.len() > PRUNE_ABOVE {
            inner.refresh_tokens.retain(|_, t| t.expires_at_ms > now_ms);
        }
        inner.refresh_tokens.insert(
            token.clone(),
            Issued {
                subject: subject.to_owned(),
                expires_at_ms,
            },
        );
        token
    }

    /// The subject of a refresh token that is known, alive and not revoked, without consuming
    /// it (for a vendor that hands out no new refresh token on refresh).
    pub(crate) fn check_refresh(&self, token: &str) -> Result<String, TokenProblem> {
        let now_ms = self.clock.now_millis();
        let inner = self.lock();
        match inner.refresh_tokens.get(token) {
            None => Err(TokenProblem::Unknown),
            Some(issued) if issued.expires_at_ms <= now_ms => Err(TokenProblem::Expired),
            Some(issued) => Ok(issued.subject.clone()),
        }
    }

    /// Redeems a refresh token: its subject if it is known, alive and not revoked. A redeemed
    /// token is consumed (a second use is [`TokenProblem::Unknown`]); an expired or revoked one
    /// stays refused.
    pub(crate) fn redeem_refresh(&self, token: &str) -> Result<String, TokenProblem> {
        let now_ms = self.clock.now_millis();
        let mut inner = self.lock();
        match inner.refresh_tokens.get(token) {
            None => Err(TokenProblem::Unknown),
            Some(issued) if issued.expires_at_ms <= now_ms => Err(TokenProblem::Expired),
            Some(_) => inner
                .refresh_tokens
                .remove(token)
                .map(|issued| issued.subject)
                .ok_or(TokenProblem::Unknown),
        }
    }

    /// Revokes every refresh token issued so far; returns how many were still usable.
    pub(crate) fn revoke_refresh_all(&self) -> usize {
        let now_ms = self.clock.now_millis();
        let mut inner = self.lock();
        let mut alive = 0;
        for issued in inner.refresh_tokens.values_mut() {
            if issued.expires_at_ms > now_ms {
                alive += 1;
                issued.expires_at_ms = now_ms;
            }
        }
        alive
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves consistent data behind; keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The text of a new token in `format`, expiring at `expires_at_ms`.
fn mint(inner: &mut Inner, format: &TokenFormat, now_ms: i64, expires_at_ms: i64) -> String {
    inner.serial += 1;
    let serial = inner.serial;
    let random = inner.rng.hex(32);
    match format {
        TokenFormat::Jwt { claims } => {
            let header = json!({"alg": "RS256", "typ": "JWT", "kid": "sdk-sandbox"});
            let mut payload = claims.clone();
            payload.insert("iat".into(), json!(now_ms.div_euclid(1000)));
            payload.insert("exp".into(), json!(expires_at_ms.div_euclid(1000)));
            payload.insert("jti".into(), json!(format!("{serial}-{}", &random[..8])));
            let signature = inner.rng.hex(64);
            format!(
                "{}.{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(Value::Object(payload).to_string()),
                URL_SAFE_NO_PAD.encode(signature),
            )
        }
        TokenFormat::Opaque { prefix } => format!("{prefix}{serial}{random}"),
        TokenFormat::Base64Url { bytes } => {
            // Random bytes only: the serial would make tokens guessable by counting.
            let raw: Vec<u8> = (0..*bytes).map(|_| inner.rng.below(256) as u8).collect();
            URL_SAFE_NO_PAD.encode(raw)
        }
    }
}

/// The claims of a JWT-shaped token this sandbox issued (`None` for any other text). Vendors
/// whose introspection reports a token's audience or scope read them back from here.
pub(crate) fn jwt_claims(token: &str) -> Option<Map<String, Value>> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(claims) => Some(claims),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt() -> TokenFormat {
        let mut claims = Map::new();
        claims.insert("sub".into(), json!("client@clients"));
        TokenFormat::Jwt { claims }
    }

    #[test]
    fn issued_tokens_verify_until_they_expire() {
        let clock = Clock::default();
        let issuer = TokenIssuer::new(clock.clone());
        let token = issuer.issue("client", Duration::from_secs(60), &jwt());
        assert_eq!(token.expires_in, 60);
        assert_eq!(token.access_token.split('.').count(), 3);
        assert_eq!(issuer.verify(&token.access_token).as_deref(), Ok("client"));
        clock.advance(Duration::from_secs(61));
        assert_eq!(
            issuer.verify(&token.access_token),
            Err(TokenProblem::Expired)
        );
        assert_eq!(issuer.verify("nope"), Err(TokenProblem::Unknown));
    }

    #[test]
    fn jwt_payload_carries_claims_and_expiry() {
        let issuer = TokenIssuer::new(Clock::default());
        let token = issuer.issue("client", Duration::from_secs(86400), &jwt());
        let payload = token.access_token.split('.').nth(1).unwrap_or_default();
        let payload: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap_or_default())
                .unwrap_or_default();
        assert_eq!(payload["sub"], "client@clients");
        let iat = payload["iat"].as_i64().unwrap_or_default();
        assert_eq!(payload["exp"].as_i64(), Some(iat + 86400));
    }

    #[test]
    fn refresh_tokens_are_single_use_expire_and_revoke() {
        let clock = Clock::default();
        let issuer = TokenIssuer::new(clock.clone());
        let first = issuer.issue_refresh("user", Duration::from_secs(60), 50);
        assert_eq!(first.len(), 50);
        assert!(first.bytes().all(|b| b.is_ascii_lowercase()));
        assert_eq!(issuer.redeem_refresh(&first).as_deref(), Ok("user"));
        assert_eq!(issuer.redeem_refresh(&first), Err(TokenProblem::Unknown));
        let second = issuer.issue_refresh("user", Duration::from_secs(60), 50);
        clock.advance(Duration::from_secs(61));
        assert_eq!(issuer.redeem_refresh(&second), Err(TokenProblem::Expired));
        let third = issuer.issue_refresh("user", Duration::from_secs(60), 50);
        assert_eq!(issuer.revoke_refresh_all(), 1);
        assert_eq!(issuer.redeem_refresh(&third), Err(TokenProblem::Expired));
        // Access tokens are untouched by refresh revocation.
        assert_eq!(issuer.verify(&third), Err(TokenProblem::Unknown));
    }

    #[test]
    fn lasting_refresh_tokens_revocation_and_remaining_time() {
        let clock = Clock::default();
        let issuer = TokenIssuer::new(clock.clone());
        let refresh = issuer.issue_refresh_as("user", Duration::from_secs(60), &jwt());
        assert_eq!(
            jwt_claims(&refresh).and_then(|c| c.get("sub").cloned()),
            Some(json!("client@clients"))
        );
        assert_eq!(issuer.check_refresh(&refresh).as_deref(), Ok("user"));
        assert_eq!(
            issuer.check_refresh(&refresh).as_deref(),
            Ok("user"),
            "checking does not consume"
        );
        let access = issuer.issue("user", Duration::from_secs(100), &jwt());
        clock.advance(Duration::from_secs(30));
        assert_eq!(
            issuer.remaining(&access.access_token),
            Ok(("user".to_owned(), 70))
        );
        assert!(issuer.revoke(&access.access_token));
        assert_eq!(
            issuer.verify(&access.access_token),
            Err(TokenProblem::Unknown)
        );
        assert!(issuer.revoke(&refresh));
        assert!(!issuer.revoke(&refresh));
        assert_eq!(issuer.check_refresh(&refresh), Err(TokenProblem::Unknown));
        assert_eq!(jwt_claims("opaque"), None);
    }

    #[test]
    fn base64url_tokens_have_the_documented_shape() {
        let issuer = TokenIssuer::new(Clock::default());
        let format = TokenFormat::Base64Url { bytes: 32 };
        let a = issuer.issue("u", Duration::from_secs(60), &format);
        let b = issuer.issue("u", Duration::from_secs(60), &format);
        assert_eq!(a.access_token.len(), 43);
        assert!(
            a.access_token
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
        );
        assert_ne!(a.access_token, b.access_token);
        assert_eq!(issuer.verify(&a.access_token).as_deref(), Ok("u"));
    }

    #[test]
    fn expire_all_ends_live_tokens() {
        let issuer = TokenIssuer::new(Clock::default());
        let a = issuer.issue("a", Duration::from_secs(60), &jwt());
        let b = issuer.issue(
            "b",
            Duration::from_secs(60),
            &TokenFormat::Opaque { prefix: "t-" },
        );
        assert!(b.access_token.starts_with("t-"));
        assert_ne!(a.access_token, b.access_token);
        assert_eq!(issuer.expire_all(), 2);
        assert_eq!(issuer.verify(&a.access_token), Err(TokenProblem::Expired));
        assert_eq!(issuer.expire_all(), 0);
    }
}
