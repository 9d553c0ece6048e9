//! The hand-written streams: sensor/gateway pages and readings over long ranges.

mod common;

use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};
use common::{client, fixture, token_endpoint};
use everactive_sdk::{Error, EvergatewayFilter, EversensorFilter, MAX_READINGS_WINDOW};
use futures::TryStreamExt;
use httpmock::{HttpMockRequest, MockServer};
use serde_json::json;

#[tokio::test]
async fn sensors_stream_walks_every_page() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let first = server
        .mock_async(|when, then| {
            when.path("/ds/v1/eversensors")
                .query_param("page", "1")
                .query_param("page-size", "2")
                .query_param("type", "Environmental");
            then.status(200)
                .json_body(fixture("eversensors_page1.json"));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.path("/ds/v1/eversensors")
                .query_param("page", "2")
                .query_param("page-size", "2")
                .query_param("type", "Environmental");
            then.status(200)
                .json_body(fixture("eversensors_page2.json"));
        })
        .await;
    let mut filter = EversensorFilter::default();
    filter.page_size = std::num::NonZeroU32::new(2);
    filter.sensor_type = Some("Environmental".into());
    let sensors: Vec<_> = client(&server)
        .eversensors(filter)
        .try_collect()
        .await
        .expect("all pages");
    let expected: Vec<String> = ["eversensors_page1.json", "eversensors_page2.json"]
        .iter()
        .flat_map(|f| fixture(f)["data"].as_array().cloned().unwrap_or_default())
        .filter_map(|s| s["macAddress"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        sensors
            .iter()
            .map(|s| s.mac_address.clone())
            .collect::<Vec<_>>(),
        expected
    );
    assert_eq!(sensors.len(), 3);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn gateways_stream_stops_after_the_last_page() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    let list = server
        .mock_async(|when, then| {
            when.path("/ds/v1/evergateways")
                .query_param("page-size", "500");
            then.status(200)
                .json_body(fixture("evergateways_page1.json"));
        })
        .await;
    let gateways: Vec<_> = client(&server)
        .evergateways(EvergatewayFilter::default())
        .try_collect()
        .await
        .expect("gateways");
    assert_eq!(gateways.len(), 2);
    list.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_the_error() {
    let server = MockServer::start_async().await;
    token_endpoint(&server).await;
    server
        .mock_async(|when, then| {
            when.path("/ds/v1/eversensors");
            then.status(403).json_body(json!({"message": "forbidden"}));
        })
        .await;
    let err = client(&server)
        .eversensors(EversensorFilter::default())
        .try_collect::<Vec<_>>()
        .await
        .expect_err("403");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(403));
}

/// A readings endpoint with one reading every `step` seconds, answering newest first like the
/// real API. `inclusive` chooses whether it treats `start-time`/`end-time` as inclusive.
async fn readings_server(
    server: &MockServer,
    step: i64,
    inclusive: bool,
) -> (httpmock::Mock<'_>, Arc<Mutex<Vec<(i64, i64)>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let mock = server
        .mock_async(move |when, then| {
            when.path("/ds/v1/eversensors/bc:5e:a1:00:00:00:5e:19/readings");
            then.respond_with(move |req: &HttpMockRequest| {
                let param = |name: &str| -> i64 {
                    req.query_params().into_iter().find(|(k, _)| k == name).and_then(|(_, v)| v.parse().ok()).unwrap_or_default()
                };
                let (start, end) = (param("start-time"), param("end-time"));
                log.lock().expect("log").push((start, end));
                let first = if inclusive { start } else { start + 1 };
                let last = if inclusive { end } else { end - 1 };
                let mut data: Vec<_> = (first..=last)
                    .filter(|t| t.rem_euclid(step) == 0)
                    .map(|t| json!({"macAddress": "bc:5e:a1:00:00:00:5e:19", "timestamp": t, "schema": "https://evr.ac/schemas/platform/eversensor/environmental/v1/reading"}))
                    .collect();
                data.reverse();
                let status = if end - start > MAX_READINGS_WINDOW { 400 } else { 200 };
                http::Response::builder()
                    .status(status)
                    .header("content-type", "application/json")
                    .body(json!({"data": data}).to_string())
                    .expect("response")
                    .into()
            });
        })
        .await;
    (mock, seen)
}

fn at(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().expect("valid time")
}

#[tokio::test]
async fn readings_over_three_days_have_no_gap_and_no_duplicate() {
    for inclusive in [true, false] {
        let server = MockServer::start_async().await;
        token_endpoint(&server).await;
        let step = 3_600;
        let (mock, requests) = readings_server(&server, step, inclusive).await;
        // Starts and ends on a reading, so both edges of the range are exercised.
        let (start, end) = (1_674_000_000, 1_674_000_000 + 3 * 86_400);
        let readings: Vec<_> = client(&server)
            .readings("bc:5e:a1:00:00:00:5e:19", at(start), at(end))
            .try_collect()
            .await
            .expect("readings");
        let got: Vec<i64> = readings.iter().map(|r| r.timestamp).collect();
        let want: Vec<i64> = (start..=end).filter(|t| t % step == 0).collect();
        assert_eq!(got, want, "inclusive = {inclusive}");
        let requests = requests.lock().expect("log").clone();
        assert_eq!(requests.len(), 4, "{requests:?}");
        assert!(
            requests.iter().all(|(s, e)| e - s <= MAX_READINGS_WINDOW),
            "{requests:?}"
        );
        assert!(
            requests.windows(2).all(|p| p[0].0 < p[1].0),
            "in time order: {requests:?}"
        );
        mock.assert_calls_async(4).await;
    }
}

#[tokio::test]
async fn an_inverted_range_fails_before_any_request() {
    let server = MockServer::start_async().await;
    let token = token_endpoint(&server).await;
    let (mock, _) = readings_server(&server, 60, true).await;
    let err = client(&server)
        .readings("bc:5e:a1:00:00:00:5e:19", at(2_000), at(1_000))
        .try_collect::<Vec<_>>()
        .await
        .expect_err("inverted");
    assert!(
        matches!(&err, Error::InvalidRequest(msg) if msg.contains("inverted")),
        "{err:?}"
    );
    mock.assert_calls_async(0).await;
    token.assert_calls_async(0).await;
}
