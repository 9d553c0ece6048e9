//! Where tokens outlive the process: refresh tokens rotate, and a restart must not lose the
//! newest one.

use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::{AuthError, Token};

/// Keeps the newest token of a [`crate::TokenCache`]: loaded once when the cache is built,
/// saved after every fetch (refresh tokens rotate, so each new one must be kept).
///
/// Implementations must never log or print the token.
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The token saved last, if any.
    ///
    /// # Errors
    /// [`AuthError::Store`] when the store exists but cannot be read.
    fn load(&self) -> Result<Option<Token>, AuthError>;

    /// Replaces the saved token.
    ///
    /// # Errors
    /// [`AuthError::Store`] when the token cannot be written.
    fn save(&self, token: &Token) -> Result<(), AuthError>;
}

impl<S: TokenStore + ?Sized> TokenStore for Box<S> {
    fn load(&self) -> Result<Option<Token>, AuthError> {
        (**self).load()
    }

    fn save(&self, token: &Token) -> Result<(), AuthError> {
        (**self).save(token)
    }
}

impl<S: TokenStore + ?Sized> TokenStore for std::sync::Arc<S> {
    fn load(&self) -> Result<Option<Token>, AuthError> {
        (**self).load()
    }

    fn save(&self, token: &Token) -> Result<(), AuthError> {
        (**self).save(token)
    }
}

/// The stored form: both tokens and the absolute expiry in Unix seconds.
#[derive(Serialize, Deserialize)]
struct Stored {
    access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
    /// Whom the token belongs to ([`Token::account`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
}

impl Stored {
    fn of(token: &Token) -> Self {
        Self {
            access_token: token.access_token().expose_secret().to_owned(),
            refresh_token: token.refresh_token().map(|r| r.expose_secret().to_owned()),
            expires_at: token
                .expiry()
                .and_then(|at| at.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
            account: token.account().map(str::to_owned),
        }
    }

    fn into_token(self) -> Result<Token, AuthError> {
        let mut token = Token::new(SecretString::from(self.access_token))?
            .with_refresh_token(self.refresh_token.map(SecretString::from))
            .with_account(self.account);
        if let Some(secs) = self.expires_at {
            let at = UNIX_EPOCH
                .checked_add(Duration::from_secs(secs))
                .unwrap_or(UNIX_EPOCH);
            token = token.expires_at(at);
        }
        Ok(token)
    }
}

/// The default store: keeps the token in memory only, for the life of the process.
#[derive(Default)]
pub struct MemoryStore {
    token: Mutex<Option<Token>>,
}

impl TokenStore for MemoryStore {
    fn load(&self) -> Result<Option<Token>, AuthError> {
        Ok(self
            .token
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone())
    }

    fn save(&self, token: &Token) -> Result<(), AuthError> {
        *self.token.lock().unwrap_or_else(PoisonError::into_inner) = Some(token.clone());
        Ok(())
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}

/// A JSON file readable by its owner only, replaced atomically on every save (written to a
/// temporary file beside it, then renamed), so a crash leaves the old token or the new one,
/// never half of either.
///
/// ```
/// use std::time::Duration;
/// use sdk_auth::{FileStore, Token, TokenStore};
/// let dir = std::env::temp_dir().join(format!("sdk-auth-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let store = FileStore::new(dir.join("token.json"));
/// store.save(&Token::new("t0k3n")?.with_refresh_token(Some("r3fr3sh".into())))?;
/// let loaded = store.load()?.expect("saved before");
/// assert!(loaded.refresh_token().is_some());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), sdk_auth::AuthError>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
}

impl FileStore {
    /// A store at `path`; its folder must exist. Nothing is read or written yet.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// Where the token is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn failed(&self, what: &str, err: &std::io::Error) -> AuthError {
        AuthError::Store(format!("cannot {what} {}: {err}", self.path.display()))
    }
}

impl TokenStore for FileStore {
    fn load(&self) -> Result<Option<Token>, AuthError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(self.failed("read", &err)),
        };
        // serde's message could quote the file's content; only the position is kept.
        let stored: Stored = serde_json::from_slice(&bytes).map_err(|e| {
            AuthError::Store(format!(
                "{} is not a saved token (line {} column {})",
                self.path.display(),
                e.line(),
                e.column()
            ))
        })?;
        stored.into_token().map(Some)
    }

    fn save(&self, token: &Token) -> Result<(), AuthError> {
        let json = serde_json::to_vec(&Stored::of(token))
            .map_err(|_| AuthError::Store("cannot encode the token".into()))?;
        let nonce = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(format!(".{}-{nonce}.tmp", std::process::id()));
        let temporary = PathBuf::from(temporary);
        let written =
            write_owner_only(&temporary, &json).and_then(|()| fs::rename(&temporary, &self.path));
        if let Err(err) = written {
            let _ = fs::remove_file(&temporary);
            return Err(self.failed("write", &err));
        }
        sync_folder(&self.path);
        Ok(())
    }
}

/// Syncs the folder of `path`, so the rename itself survives a power loss: without it the
/// folder entry may still name the old file after a crash, and a rotated refresh token would
/// be lost. Best effort: the token is already written, and some file systems refuse to sync a
/// folder.
fn sync_folder(path: &Path) {
    #[cfg(unix)]
    if let Some(folder) = path.parent() {
        let folder = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        if let Ok(handle) = fs::File::open(folder) {
            let _ = handle.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Creates `path` with owner-only permissions (on Unix) and writes `bytes` to disk.
fn write_owner_only(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "sdk-auth-store-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("scratch dir");
        dir
    }

    #[test]
    fn a_saved_token_comes_back_with_its_expiry() {
        let dir = scratch("roundtrip");
        let store = FileStore::new(dir.join("token.json"));
        assert!(store.load().expect("no file yet").is_none());
        let at = UNIX_EPOCH + Duration::from_secs(4_000_000_000);
        let token = Token::new("access-value")
            .expect("token")
            .with_refresh_token(Some("refresh-value".into()))
            .expires_at(at);
        store.save(&token).expect("saved");
        let loaded = store.load().expect("read").expect("saved before");
        assert_eq!(loaded.access_token().expose_secret(), "access-value");
        assert_eq!(
            loaded.refresh_token().map(|r| r.expose_secret().to_owned()),
            Some("refresh-value".into())
        );
        assert_eq!(loaded.expiry(), Some(at));
        let leftovers: Vec<_> = fs::read_dir(&dir).expect("dir").collect();
        assert_eq!(leftovers.len(), 1, "no temporary file left behind");
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = scratch("mode");
        let store = FileStore::new(dir.join("token.json"));
        store
            .save(&Token::new("access-value").expect("token"))
            .expect("saved");
        let mode = fs::metadata(store.path())
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_corrupt_file_is_an_error_that_does_not_quote_it() {
        let dir = scratch("corrupt");
        let path = dir.join("token.json");
        fs::write(&path, "{\"access_token\": 12, \"secret-ish\": \"leakme\"").expect("write");
        let err = FileStore::new(&path).load().expect_err("corrupt");
        assert!(matches!(err, AuthError::Store(_)), "{err:?}");
        assert!(!format!("{err} {err:?}").contains("leakme"));
        let _ = fs::remove_dir_all(&dir);
    }
}
