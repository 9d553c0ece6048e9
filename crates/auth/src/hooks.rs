//! The one `ClientHooks` implementation, stamped into each SDK crate.

/// Implements progenitor's `ClientHooks<sdk_auth::Auth>` for a generated `Client`, routing every
/// request through [`crate::Auth::prepare`] and [`crate::Auth::execute`].
///
/// The trait must be implemented in the crate that defines the client (progenitor relies on
/// auto-ref specialization), so each SDK invokes this macro once next to its generated module:
///
/// ```ignore
/// mod generated;
/// pub use generated::*;
/// sdk_auth::impl_client_hooks!(generated::Client);
/// ```
#[macro_export]
macro_rules! impl_client_hooks {
    ($client:ty) => {
        impl $crate::__private::progenitor_client::ClientHooks<$crate::Auth> for $client {
            async fn pre<E>(
                &self,
                request: &mut $crate::__private::reqwest::Request,
                _info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), $crate::__private::progenitor_client::Error<E>> {
                use $crate::__private::progenitor_client::ClientInfo as _;
                self.inner()
                    .prepare(request)
                    .await
                    .map_err(|e| $crate::__private::progenitor_client::Error::Custom(e.to_string()))
            }

            // A plain function returning the layer's future: an `async fn` here would store
            // the request a second time in every call's future.
            fn exec(
                &self,
                request: $crate::__private::reqwest::Request,
                info: &$crate::__private::progenitor_client::OperationInfo,
            ) -> impl ::std::future::Future<
                Output = $crate::__private::reqwest::Result<$crate::__private::reqwest::Response>,
            > {
                use $crate::__private::progenitor_client::ClientInfo as _;
                self.inner()
                    .execute(self.client(), request, info.operation_id)
            }
        }
    };
}
