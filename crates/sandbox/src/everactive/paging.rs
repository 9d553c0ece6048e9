//! The paging both Everactive lists share: the `page` and `page-size` parameters, and the
//! `paginationInfo` that goes with one page of rows.

use axum::Json;
use serde_json::{Value, json};

use super::errors::{ApiError, bad_request};
use crate::shared::query::{PageRequest, Query};

/// Page size when the request names none (the size recorded answers show).
const DEFAULT_PAGE_SIZE: u32 = 50;
/// Larger page sizes are lowered to this.
const MAX_PAGE_SIZE: u32 = 500;

/// The page a list request asks for; an unreadable or non-positive value is a 400.
pub(crate) fn requested(query: &Query) -> Result<PageRequest, ApiError> {
    PageRequest::from_query(query, "page", "page-size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        .map_err(bad_request)
}

/// The answer of a list: the rows of `page`, each written by `row_json`, with the
/// `paginationInfo` counted over all of `rows`.
pub(crate) fn answer<T>(
    page: PageRequest,
    rows: &[T],
    row_json: impl FnMut(&T) -> Value,
) -> Json<Value> {
    let data: Vec<Value> = page.slice(rows).iter().map(row_json).collect();
    Json(json!({
        "data": data,
        "paginationInfo": {
            "page": page.page,
            "pageSize": page.size,
            "totalItems": rows.len(),
            "totalPages": page.total_pages(rows.len()),
        }
    }))
}
