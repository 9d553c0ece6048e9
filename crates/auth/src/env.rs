//! Reading a client's settings from environment variables, for the SDKs' `from_env`.

use crate::AuthError;

/// The value of the variable `name` read through `lookup` (`std::env::var` or a test's map);
/// an empty or blank value counts as unset.
///
/// ```
/// let lookup = |name: &str| (name == "SET").then(|| "value".to_owned());
/// assert_eq!(sdk_auth::env_value(&lookup, "SET").as_deref(), Some("value"));
/// assert_eq!(sdk_auth::env_value(&|_: &str| Some(" ".to_owned()), "BLANK"), None);
/// ```
pub fn env_value(lookup: &impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    lookup(name).filter(|v| !v.trim().is_empty())
}

/// [`env_value`], required.
///
/// ```
/// let err = sdk_auth::required_env(&|_: &str| None, "ACME_TOKEN").unwrap_err();
/// assert!(err.to_string().contains("environment variable ACME_TOKEN is not set"));
/// ```
///
/// # Errors
/// [`AuthError::InvalidConfig`] naming the variable when it is unset or blank.
pub fn required_env(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
) -> Result<String, AuthError> {
    env_value(lookup, name)
        .ok_or_else(|| AuthError::InvalidConfig(format!("environment variable {name} is not set")))
}
