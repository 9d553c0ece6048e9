//! Request URLs for the generated code.

use std::fmt::{self, Write as _};

/// Room reserved for a path with parameters; a path template without parameters is measured
/// exactly.
const PATH_ROOM: usize = 96;

/// Builds a request URL: `base` followed by the formatted `path`, allocated once.
///
/// The generated clients call this where progenitor writes `format!("{}/path", baseurl, ...)`
/// (`cargo xtask regen` swaps the call in). `format!` sizes its buffer from the template
/// alone, so with any realistic base URL it has to grow the string once more per request.
///
/// ```
/// let id = "gw-17";
/// let url = sdk_auth::join_url("https://api.example.com", format_args!("/gateways/{id}"));
/// assert_eq!(url, "https://api.example.com/gateways/gw-17");
/// ```
pub fn join_url(base: &str, path: fmt::Arguments<'_>) -> String {
    let room = path.as_str().map_or(PATH_ROOM, str::len);
    let mut url = String::with_capacity(base.len() + room);
    url.push_str(base);
    // Writing to a String only fails when a `Display` impl does; `format!` panics then too.
    url.write_fmt(path)
        .expect("a Display implementation returned an error");
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_path_fills_the_string_exactly() {
        let url = join_url(
            "https://api.data.everactive.com",
            format_args!("/ds/v1/health"),
        );
        assert_eq!(url, "https://api.data.everactive.com/ds/v1/health");
        assert_eq!(url.capacity(), url.len());
    }

    #[test]
    fn path_parameters_are_formatted_in_place() {
        let serial = "00:1b:44:11:3a:b7";
        let url = join_url(
            "http://127.0.0.1:8080",
            format_args!("/ds/v1/eversensors/{}/readings", serial),
        );
        assert_eq!(
            url,
            format!("http://127.0.0.1:8080/ds/v1/eversensors/{serial}/readings")
        );
        // Allocated once with room to spare: the string never had to grow.
        assert_eq!(url.capacity(), "http://127.0.0.1:8080".len() + PATH_ROOM);
    }
}
