//! A webhook receiver on a loopback port: what an application puts behind its callback URL,
//! reduced to recording what arrives.

use std::io;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// One POST the receiver got.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// The request method (Everactive POSTs).
    pub method: String,
    /// The request path, such as `/everactive/readings` (without the query, which may hold
    /// the secret).
    pub path: String,
    /// Whether the shared secret was present (in the header or the query) with the expected
    /// value.
    pub secret_matched: bool,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The raw body.
    pub body: Bytes,
}

/// A receiver on `127.0.0.1:<free port>` that answers every POST with 200 when it carries the
/// shared secret, 401 otherwise (as Everactive's webhook samples do), and records it. The
/// secret comes in a header (Everactive sends the subscription's headers) or in the URL's
/// query (EverReal signs nothing and sends no header of the subscriber's: a URL that is hard
/// to guess is all a receiver has).
///
/// Dropping it stops the listener.
#[derive(Debug)]
pub struct WebhookReceiver {
    base_url: String,
    /// `?name=secret` for a receiver that takes the secret in the query.
    query: Option<String>,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<io::Result<()>>,
}

/// Where deliveries carry the secret.
#[derive(Clone, Debug)]
enum SecretIn {
    /// A header of this (lower-case) name.
    Header(String),
    /// A query parameter of this name.
    Query(String),
}

#[derive(Clone)]
struct Shared {
    secret_in: SecretIn,
    secret: String,
    deliveries: mpsc::UnboundedSender<Delivery>,
}

impl WebhookReceiver {
    /// Starts a receiver that expects the header `header` (such as `x-api-key`) with the value
    /// `secret` on every delivery.
    ///
    /// # Errors
    /// When no loopback port can be bound.
    pub async fn start(header: &str, secret: &str) -> io::Result<Self> {
        Self::listen(SecretIn::Header(header.to_ascii_lowercase()), secret).await
    }

    /// Starts a receiver that expects the query parameter `name` with the value `secret` on
    /// every delivery; [`WebhookReceiver::url`] puts it in the URLs it gives.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let receiver = sdk_tour::WebhookReceiver::start_with_query_secret("key", "s3cret").await?;
    /// assert!(receiver.url("/everreal/units").ends_with("/everreal/units?key=s3cret"));
    /// receiver.shutdown().await
    /// # }
    /// ```
    ///
    /// # Errors
    /// When no loopback port can be bound.
    pub async fn start_with_query_secret(name: &str, secret: &str) -> io::Result<Self> {
        Self::listen(SecretIn::Query(name.to_owned()), secret).await
    }

    async fn listen(secret_in: SecretIn, secret: &str) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let query = match &secret_in {
            SecretIn::Query(name) => Some(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair(name, secret)
                    .finish(),
            ),
            SecretIn::Header(_) => None,
        };
        let (sender, deliveries) = mpsc::unbounded_channel();
        let shared = Shared {
            secret_in,
            secret: secret.to_owned(),
            deliveries: sender,
        };
        let router = Router::new().fallback(receive).with_state(shared);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        });
        Ok(Self {
            base_url,
            query,
            deliveries,
            stop: Some(stop),
            server,
        })
    }

    /// The URL of `path` on this receiver (`path` starts with `/`), with the secret in its
    /// query for a receiver that takes it there.
    pub fn url(&self, path: &str) -> String {
        match &self.query {
            Some(query) => format!("{}{path}?{query}", self.base_url),
            None => format!("{}{path}", self.base_url),
        }
    }

    /// The next delivery, waiting at most `limit` for it; `None` when none came in time.
    pub async fn next(&mut self, limit: Duration) -> Option<Delivery> {
        tokio::time::timeout(limit, self.deliveries.recv())
            .await
            .ok()
            .flatten()
    }

    /// Up to `count` deliveries, waiting at most `limit` in all; fewer when they did not come
    /// in time.
    pub async fn take(&mut self, count: usize, limit: Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + limit;
        let mut taken = Vec::with_capacity(count);
        while taken.len() < count {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next(left).await {
                Some(delivery) => taken.push(delivery),
                None => break,
            }
        }
        taken
    }

    /// Deliveries that already arrived, without waiting.
    pub fn drain(&mut self) -> Vec<Delivery> {
        let mut drained = Vec::new();
        while let Ok(delivery) = self.deliveries.try_recv() {
            drained.push(delivery);
        }
        drained
    }

    /// Stops the listener and waits for it.
    ///
    /// # Errors
    /// When the listener failed.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.server).await {
            Ok(result) => result,
            Err(join) => Err(io::Error::other(join)),
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        if self.stop.is_some() {
            self.server.abort();
        }
    }
}

async fn receive(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let secret_matched = match &shared.secret_in {
        SecretIn::Header(name) => headers
            .get(name.as_str())
            .is_some_and(|value| value.as_bytes() == shared.secret.as_bytes()),
        SecretIn::Query(name) => {
            url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                .any(|(key, value)| key == name.as_str() && value == shared.secret.as_str())
        }
    };
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let _ = shared.deliveries.send(Delivery {
        method: method.to_string(),
        path: uri.path().to_owned(),
        secret_matched,
        content_type,
        body,
    });
    if secret_matched {
        StatusCode::OK
    } else {
        StatusCode::UNAUTHORIZED
    }
}
