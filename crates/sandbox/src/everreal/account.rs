//! The signed-in user: `users/me` (user, companies, partner, token) and `userinfo` (the
//! profile the vendor's own sign-in example reads).

use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::Shared;
use super::auth::{Caller, token_info};
use super::data::Account;

fn profile_data() -> Value {
    json!({
        "language": "de",
        "salutation": "MS",
        "phoneNumber": "+49 211 555 0100",
        "cellPhoneNumber": null,
    })
}

fn company(account: &Account) -> Value {
    json!({"id": account.company_id, "name": account.company_name, "isDefault": true})
}

/// `GET /accounts/api/users/me`.
pub(crate) async fn me(
    State(state): State<Shared>,
    Extension(caller): Extension<Caller>,
) -> Json<Value> {
    let account = &state.account;
    let mut current = company(account);
    current["partner"] = json!({
        "id": account.partner_id,
        "name": account.partner_name,
        "subdomain": account.subdomain,
    });
    Json(json!({
        "id": account.user_id,
        "email": account.email,
        "isActive": true,
        "firstName": account.first_name,
        "lastName": account.last_name,
        "profilePhoto": null,
        "profileData": profile_data(),
        "isTenant": false,
        "createdAt": account.created_at,
        "updatedAt": account.updated_at,
        "areTermsAccepted": true,
        "companies": [company(account)],
        "currentCompany": current,
        "tokenInfo": token_info(&state, &caller.token),
    }))
}

/// `GET /accounts/api/userinfo`: the `IEverRealProfile` shape.
pub(crate) async fn userinfo(State(state): State<Shared>) -> Json<Value> {
    let account = &state.account;
    Json(json!({
        "id": account.user_id,
        "email": account.email,
        "firstName": account.first_name,
        "lastName": account.last_name,
        "profilePhoto": null,
        "profileData": profile_data(),
    }))
}
