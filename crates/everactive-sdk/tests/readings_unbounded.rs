//! `Client::readings` over the widest range chrono allows: the first reading must come back
//! at once, without planning the whole range first.
//!
//! This test has a binary of its own because it installs a global allocator that refuses any
//! single allocation above [`MAX_ALLOCATION`]. Code that builds every 24 h window of the range
//! up front (about 190 million of them) then aborts within a fraction of a second, instead of
//! taking gigabytes of memory from the machine running the tests.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{client, token_endpoint};
use futures::TryStreamExt;
use httpmock::MockServer;
use serde_json::json;

/// Far above anything the client and the mock server need, far below a list of every window.
const MAX_ALLOCATION: usize = 64 << 20;

struct Capped;

// SAFETY: every call is forwarded to `System` unchanged, or refused with a null pointer, which
// the `GlobalAlloc` contract allows for `alloc`, `alloc_zeroed` and `realloc`.
unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: the caller upholds `alloc`'s contract, which `System` shares.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > MAX_ALLOCATION {
            return std::ptr::null_mut();
        }
        // SAFETY: `ptr` came from `System` through this allocator; the caller upholds the rest.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;

#[tokio::test]
async fn the_first_reading_of_all_time_comes_back_at_once() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let first_second = DateTime::<Utc>::MIN_UTC.timestamp();
    let first_window = server
        .mock_async(|when, then| {
            when.path("/ds/v1/eversensors/bc:5e:a1:00:00:00:5e:19/readings")
                .query_param("start-time", (first_second - 1).to_string())
                .query_param("end-time", (first_second + 86_399).to_string());
            then.status(200).json_body(json!({"data": [{
                "macAddress": "bc:5e:a1:00:00:00:5e:19",
                "timestamp": first_second,
                "schema": "https://evr.ac/schemas/platform/eversensor/environmental/v1/reading"
            }]}));
        })
        .await;
    let client = client(&server);
    let first = tokio::time::timeout(Duration::from_secs(10), async {
        let mut readings = std::pin::pin!(client.readings(
            "bc:5e:a1:00:00:00:5e:19",
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
        ));
        readings.try_next().await
    })
    .await
    .expect("the first window is fetched without planning the others")
    .expect("first window")
    .expect("one reading");
    assert_eq!(first.timestamp, first_second);
    first_window.assert_async().await;
}
