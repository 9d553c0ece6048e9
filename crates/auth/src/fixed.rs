//! A token source that always hands out the same token: for tests, and for tokens issued
//! elsewhere.

use std::sync::Arc;

use secrecy::SecretString;

use crate::token::{BoxFuture, Token, TokenSource};
use crate::{AuthError, Redactor};

/// A [`TokenSource`] with one fixed token that never expires and is never refetched. A
/// rejection is ignored: there is nothing else to hand out.
///
/// ```
/// use sdk_auth::{StaticToken, TokenSource};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), sdk_auth::AuthError> {
/// let source = StaticToken::new("test-token")?;
/// assert_eq!(source.token().await?.generation(), 1);
/// assert!(!format!("{source:?}").contains("test-token"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct StaticToken {
    token: Arc<Token>,
    redactor: Redactor,
}

impl StaticToken {
    /// A source of `token`.
    ///
    /// # Errors
    /// [`AuthError::MalformedResponse`] when the token is empty or holds control characters.
    pub fn new(token: impl Into<SecretString>) -> Result<Self, AuthError> {
        let mut token = Token::new(token)?;
        token.stamp(&crate::SystemClock, 1);
        let redactor = Redactor::default();
        token.remember_in(&redactor);
        Ok(Self {
            token: Arc::new(token),
            redactor,
        })
    }
}

impl TokenSource for StaticToken {
    fn token(&self) -> BoxFuture<'_, Result<Arc<Token>, AuthError>> {
        let token = Arc::clone(&self.token);
        Box::pin(async move { Ok(token) })
    }

    fn invalidate(&self, _: &Token) {}

    fn current(&self) -> Option<Arc<Token>> {
        Some(Arc::clone(&self.token))
    }

    fn redactor(&self) -> Redactor {
        self.redactor.clone()
    }
}
