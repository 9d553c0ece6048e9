//! A minimal HTTP/1.1 keep-alive server for the benchmarks, in plain tokio.
//!
//! It reads each request head up to `\r\n\r\n`, skips a `Content-Length` body, and writes
//! what [`Routes::answer`] gives for it: prebuilt bytes (no allocation per request) or bytes
//! built later, after a delay say. Pipelined and split requests are handled. It is not a
//! general HTTP server: no chunked request bodies, no `Connection: close`.

use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;

/// The most connections waiting to be accepted (Linux caps it at `net.core.somaxconn`).
const BACKLOG: u32 = 4096;

/// What the server sends for one request.
pub enum Answer<'a> {
    /// Prebuilt response bytes, written at once.
    Now(&'a [u8]),
    /// Response bytes that are ready later; the connection waits for them (later pipelined
    /// requests on the same connection wait too, as HTTP/1.1 requires).
    Later(Pin<Box<dyn Future<Output = Vec<u8>> + Send + 'static>>),
}

/// What a benchmark's server answers.
pub trait Routes: Send + Sync + 'static {
    /// The answer to one request; `head` is its request line and headers.
    fn answer(&self, head: &[u8]) -> Answer<'_>;

    /// Called when a connection is accepted.
    fn connection_opened(&self) {}

    /// Called when a connection ends.
    fn connection_closed(&self) {}
}

/// A complete HTTP/1.1 response with a JSON body.
pub fn response(status: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A listener on `127.0.0.1` with a free port and a long accept queue, so that a burst of
/// connections is not dropped (and retried a second later) by a full queue.
pub fn listen() -> io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
    socket.listen(BACKLOG)
}

/// Serves connections until `stop` changes. Accept errors (such as running out of file
/// descriptors) are waited out instead of ending the server.
pub async fn serve<R: Routes>(
    listener: TcpListener,
    routes: Arc<R>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let stream = tokio::select! {
            _ = stop.changed() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    continue;
                }
            },
        };
        if stream.set_nodelay(true).is_err() {
            continue;
        }
        let routes = Arc::clone(&routes);
        let mut stop = stop.clone();
        tokio::spawn(async move {
            routes.connection_opened();
            tokio::select! {
                _ = stop.changed() => {}
                () = connection(stream, &*routes) => {}
            }
            routes.connection_closed();
        });
    }
}

/// Serves one keep-alive connection until the peer closes it or sends something unparsable.
async fn connection<R: Routes>(mut stream: TcpStream, routes: &R) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut filled = 0;
    let mut out = Vec::with_capacity(4 * 1024);
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match stream.read(&mut buf[filled..]).await {
            Ok(0) | Err(_) => return,
            Ok(n) => filled += n,
        }
        // Answer every complete request in the buffer (handles pipelining and split reads).
        let mut start = 0;
        while let Some(head_len) = find_head_end(&buf[start..filled]) {
            let head = &buf[start..start + head_len];
            let Some(body_len) = content_length(head) else {
                return;
            };
            if start + head_len + body_len > filled {
                break; // the body is not complete yet
            }
            match routes.answer(head) {
                Answer::Now(bytes) => out.extend_from_slice(bytes),
                Answer::Later(bytes) => out.extend_from_slice(&bytes.await),
            }
            start += head_len + body_len;
        }
        if start > 0 {
            buf.copy_within(start..filled, 0);
            filled -= start;
        }
        if !out.is_empty() {
            if stream.write_all(&out).await.is_err() {
                return;
            }
            out.clear();
        }
    }
}

/// Length of the request head including the blank line, if it is complete.
fn find_head_end(data: &[u8]) -> Option<usize> {
    data.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
}

/// The `Content-Length` of a request head (0 when absent); `None` when malformed.
fn content_length(head: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    for line in head.split(|&b| b == b'\n') {
        if line.len() > NAME.len() && line[..NAME.len()].eq_ignore_ascii_case(NAME) {
            let value = std::str::from_utf8(&line[NAME.len()..]).ok()?.trim();
            return value.parse().ok();
        }
    }
    Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_heads_are_delimited_and_sized() {
        assert_eq!(
            find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nrest"),
            Some(27)
        );
        assert_eq!(find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n"), None);
        assert_eq!(
            content_length(b"POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n"),
            Some(12)
        );
        assert_eq!(content_length(b"GET / HTTP/1.1\r\n\r\n"), Some(0));
        assert_eq!(
            content_length(b"POST / HTTP/1.1\r\ncontent-length: x\r\n\r\n"),
            None
        );
    }
}
