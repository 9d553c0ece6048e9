//! Binding loopback listeners and serving routers until shutdown.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Binds `127.0.0.1:port` (`0` picks a free port).
pub(crate) async fn bind_loopback(port: u16) -> io::Result<TcpListener> {
    TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await
}

/// `http://127.0.0.1:<port>` of a bound listener.
pub(crate) fn base_url(listener: &TcpListener) -> io::Result<String> {
    Ok(format!("http://{}", listener.local_addr()?))
}

/// Serves `router` on `listener` until `shutdown` changes or its sender is dropped, then lets
/// the requests in flight finish.
pub(crate) fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<io::Result<()>> {
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                // Either a value (shutdown asked) or an error (the sandbox was dropped).
                let _ = shutdown.changed().await;
            })
            .await
    })
}
