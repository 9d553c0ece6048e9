//! What every emulated vendor has: its knobs, counters and token issuer, behind one handle.

use std::sync::Arc;
use std::time::Duration;

use super::clock::Clock;
use super::faults::{FaultProfile, FaultState, Faults, InvalidFaults, RequestKind};
use super::stats::{Counters, Stats};
use super::tokens::TokenIssuer;

/// The controls of one emulated vendor: fault knobs, counters and issued tokens. The admin API
/// serves the same handle under `/_admin/<vendor>/`; tests may use it directly.
#[derive(Clone, Debug)]
pub struct VendorControls {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    name: &'static str,
    profile: &'static FaultProfile,
    token_lifetime: Duration,
    faults: FaultState,
    counters: Counters,
    tokens: TokenIssuer,
}

impl VendorControls {
    /// Controls for the vendor `name`, whose tokens live `token_lifetime` unless a knob says
    /// otherwise, starting with the knobs `faults`.
    pub(crate) fn new(
        name: &'static str,
        profile: &'static FaultProfile,
        token_lifetime: Duration,
        faults: Faults,
        clock: Clock,
    ) -> Result<Self, InvalidFaults> {
        faults.validate()?;
        Ok(Self {
            inner: Arc::new(Inner {
                name,
                profile,
                token_lifetime,
                faults: FaultState::new(faults),
                counters: Counters::default(),
                tokens: TokenIssuer::new(clock),
            }),
        })
    }

    /// The vendor's name, as used in admin paths (`everactive`).
    pub fn name(&self) -> &'static str {
        self.inner.name
    }

    /// The current fault knobs.
    pub fn faults(&self) -> Faults {
        self.inner.faults.get()
    }

    /// Replaces every fault knob.
    pub fn set_faults(&self, faults: Faults) -> Result<(), InvalidFaults> {
        self.inner.faults.set(faults)
    }

    /// Puts the fault knobs back to the values the sandbox started with.
    pub fn reset_faults(&self) {
        self.inner.faults.reset();
    }

    /// The request counters.
    pub fn stats(&self) -> Stats {
        self.inner.counters.snapshot()
    }

    /// Sets every counter back to zero.
    pub fn reset_stats(&self) {
        self.inner.counters.reset();
    }

    /// Expires every token issued so far, so the next API call with one of them gets 401.
    /// Returns how many tokens were still alive.
    pub fn expire_tokens(&self) -> usize {
        self.inner.tokens.expire_all()
    }

    /// Revokes every refresh token issued so far, so the next refresh with one of them is
    /// refused. Returns how many were still usable.
    pub fn revoke_refresh_tokens(&self) -> usize {
        self.inner.tokens.revoke_refresh_all()
    }

    /// The lifetime of a token issued now: the knob if set, else the vendor's lifetime.
    pub(crate) fn token_lifetime(&self) -> Duration {
        self.faults()
            .token_lifetime_secs
            .map_or(self.inner.token_lifetime, Duration::from_secs)
    }

    pub(crate) fn tokens(&self) -> &TokenIssuer {
        &self.inner.tokens
    }

    pub(crate) fn profile(&self) -> &'static FaultProfile {
        self.inner.profile
    }

    pub(crate) fn fault_state(&self) -> &FaultState {
        &self.inner.faults
    }

    /// Counts one request of `kind`.
    pub(crate) fn count_request(&self, kind: RequestKind) {
        match kind {
            RequestKind::Token => Counters::bump(&self.inner.counters.token_requests),
            RequestKind::Refresh => Counters::bump(&self.inner.counters.refresh_requests),
            RequestKind::Api => Counters::bump(&self.inner.counters.api_requests),
            RequestKind::Other => {}
        }
    }

    /// Counts one issued token.
    pub(crate) fn count_issued_token(&self) {
        Counters::bump(&self.inner.counters.tokens_issued);
    }
}
