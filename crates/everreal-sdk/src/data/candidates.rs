//! Candidates: the `candidates` query.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::graphql::Operation;
use crate::lenient;
use crate::open_enum::open_enum;

/// `candidates(input: CandidatesFilterListPaging): [Candidate]`, with the scalar fields the
/// docs list and the applications.
pub(crate) const CANDIDATES: Operation = Operation {
    name: "candidates",
    root: "candidates",
    document: "query Candidates($input: CandidatesFilterListPaging) {
  candidates(input: $input) {
    id email firstName lastName fullName companyContactId listingId rating notes
    candidateSource isNewCandidate isNewApplicant isSharedApplicant isToDo isInvited
    isScheduled isApplicant isDisabled isPendingCandidate isFromInvestment hasSharedDataRoom
    longExposeNoViews longExposeLastView hadAcceptedSellingCancelationNotice
    sellingCancellationStatus viewingStartDate disabledReason scheduledStatus
    createdAt updatedAt
    applications { id candidateId email userId isMainCandidate applicationDataString }
  }
}",
};

/// Which candidates to list. EverReal does not document the filter's fields; `listingId` is
/// an unverified guess, sent only when set.
#[derive(Debug, Clone, PartialEq, Default, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CandidatesFilter {
    /// The candidates of one listing (unverified: the field name is a guess).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing_id: Option<String>,
}

open_enum! {
    /// `CANDIDATE_SCHEDULED_STATUS`: where a candidate stands with viewings.
    pub enum CandidateScheduledStatus {
        /// Not invited.
        NotInvited = "NOT_INVITED",
        /// Invited.
        Invited = "INVITED",
        /// Cancelled by an administrator.
        AdminCancelled = "ADMIN_CANCELLED",
        /// Cancelled by the candidate.
        CandidateCancelled = "CANDIDATE_CANCELLED",
        /// Scheduled.
        Scheduled = "SCHEDULED",
        /// Asked for new time slots.
        NewTimeslotsRequested = "NEW_TIMESLOTS_REQUESTED",
    }
}

/// A candidate (a person interested in one listing; unique per listing by e-mail) as the
/// `candidates` query returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Candidate {
    /// EverReal id.
    pub id: String,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Full name.
    #[serde(default)]
    pub full_name: Option<String>,
    /// The company contact's id.
    #[serde(default)]
    pub company_contact_id: Option<String>,
    /// The listing's id.
    #[serde(default)]
    pub listing_id: Option<String>,
    /// Rating.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub rating: Option<f64>,
    /// Notes.
    #[serde(default)]
    pub notes: Option<String>,
    /// Where the candidate came from.
    #[serde(default)]
    pub candidate_source: Option<String>,
    /// New candidate.
    #[serde(default)]
    pub is_new_candidate: Option<bool>,
    /// New applicant.
    #[serde(default)]
    pub is_new_applicant: Option<bool>,
    /// Shared applicant.
    #[serde(default)]
    pub is_shared_applicant: Option<bool>,
    /// On the to-do list.
    #[serde(default)]
    pub is_to_do: Option<bool>,
    /// Invited.
    #[serde(default)]
    pub is_invited: Option<bool>,
    /// Scheduled.
    #[serde(default)]
    pub is_scheduled: Option<bool>,
    /// Applicant.
    #[serde(default)]
    pub is_applicant: Option<bool>,
    /// Disabled.
    #[serde(default)]
    pub is_disabled: Option<bool>,
    /// Pending.
    #[serde(default)]
    pub is_pending_candidate: Option<bool>,
    /// From an investment listing.
    #[serde(default)]
    pub is_from_investment: Option<bool>,
    /// Has a shared data room.
    #[serde(default)]
    pub has_shared_data_room: Option<bool>,
    /// Views of the long exposé.
    #[serde(default, deserialize_with = "lenient::number")]
    #[schemars(with = "lenient::NumberSchema")]
    pub long_expose_no_views: Option<f64>,
    /// Last view of the long exposé.
    #[serde(default)]
    pub long_expose_last_view: Option<String>,
    /// Accepted the selling cancellation notice.
    #[serde(default)]
    pub had_accepted_selling_cancelation_notice: Option<bool>,
    /// Selling cancellation status.
    #[serde(default)]
    pub selling_cancellation_status: Option<String>,
    /// Start of the viewing.
    #[serde(default)]
    pub viewing_start_date: Option<String>,
    /// Why the candidate was disabled.
    #[serde(default)]
    pub disabled_reason: Option<String>,
    /// Where the candidate stands with viewings.
    #[serde(default)]
    pub scheduled_status: Option<CandidateScheduledStatus>,
    /// When the candidate was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When the candidate was last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Applications.
    #[serde(default)]
    pub applications: Option<Vec<CandidateApplication>>,
}

/// An application of a candidate (`ListingCandidateApplication`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CandidateApplication {
    /// EverReal id.
    #[serde(default)]
    pub id: Option<String>,
    /// The candidate's id.
    #[serde(default)]
    pub candidate_id: Option<String>,
    /// E-mail address.
    #[serde(default)]
    pub email: Option<String>,
    /// The user's id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Whether this is the main applicant.
    #[serde(default)]
    pub is_main_candidate: Option<bool>,
    /// The application data as a JSON string.
    #[serde(default)]
    pub application_data_string: Option<String>,
}
