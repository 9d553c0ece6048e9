//! Decoding of JSON response bodies for the generated code.

use progenitor_client::{Error, ResponseValue};
use reqwest::Response;
use serde::de::DeserializeOwned;

/// Reads a response body and decodes it as JSON into a [`ResponseValue`], taking the response
/// headers along instead of copying them.
///
/// This is what the generated clients call in place of progenitor's
/// `ResponseValue::from_response` (`cargo xtask regen` swaps the call in), with the same
/// result and the same errors: [`Error::ResponseBodyError`] when the body cannot be read,
/// [`Error::InvalidResponsePayload`] with the raw body when it is not the expected JSON.
/// progenitor's version clones the header map (two allocations per call).
///
/// # Errors
/// As above.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let answer = http::Response::builder()
///     .header("x-request-id", "r-17")
///     .body(r#"{"ok":true}"#)
///     .expect("response");
/// let value: progenitor_client::ResponseValue<serde_json::Value> =
///     sdk_auth::decode_json::<_, ()>(reqwest::Response::from(answer)).await.expect("json");
/// assert_eq!(value.headers()["x-request-id"], "r-17");
/// assert_eq!(value.into_inner()["ok"], true);
/// # }
/// ```
pub async fn decode_json<T: DeserializeOwned, E>(
    mut response: Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    // Reading the body needs no headers: reqwest settles decoding when the response arrives.
    let headers = std::mem::take(response.headers_mut());
    let body = response.bytes().await.map_err(Error::ResponseBodyError)?;
    let inner =
        serde_json::from_slice(&body).map_err(|err| Error::InvalidResponsePayload(body, err))?;
    Ok(ResponseValue::new(inner, status, headers))
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Health {
        ok: bool,
    }

    fn response(status: u16, body: &'static str) -> Response {
        Response::from(
            http::Response::builder()
                .status(status)
                .header("content-type", "application/json")
                .header("x-request-id", "abc")
                .header("x-request-id", "def")
                .body(body)
                .expect("response"),
        )
    }

    #[tokio::test]
    async fn keeps_status_headers_and_value_like_progenitor() {
        let ours: ResponseValue<Health> = decode_json::<_, ()>(response(201, r#"{"ok":true}"#))
            .await
            .expect("decodes");
        let theirs: ResponseValue<Health> =
            ResponseValue::from_response::<()>(response(201, r#"{"ok":true}"#))
                .await
                .expect("decodes");
        assert_eq!(ours.status(), StatusCode::CREATED);
        assert_eq!(ours.status(), theirs.status());
        assert_eq!(ours.headers(), theirs.headers());
        assert_eq!(ours.headers().get_all("x-request-id").iter().count(), 2);
        assert_eq!(ours.into_inner(), theirs.into_inner());
    }

    #[tokio::test]
    async fn a_body_that_does_not_decode_is_kept_in_the_error() {
        let err = decode_json::<Health, ()>(response(200, "<html>oops</html>"))
            .await
            .expect_err("not json");
        let Error::InvalidResponsePayload(body, _) = err else {
            panic!("unexpected error: {err:?}");
        };
        assert_eq!(&body[..], b"<html>oops</html>");
    }
}
