//! Sensors, readings and gateways: envelopes, pagination, filters, windows, determinism.

mod common;

use common::{admin, api_json, http, start, token};
use reqwest::Method;
use sdk_sandbox::Sandbox;
use serde_json::{Value, json};

const ENVIRONMENTAL: &str = "https://evr.ac/schemas/platform/eversensor/environmental/v1/reading";
const VIBRATION: &str =
    "https://evr.ac/schemas/platform/eversensor/vibration-electrical/v1/reading";

fn macs(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|s| s["macAddress"].as_str().expect("mac").to_owned())
        .collect()
}

#[tokio::test]
async fn health_is_bare() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (status, body) = api_json(&sandbox, &token, "/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true);
    assert!(body["version"].is_string());
    assert!(body.get("data").is_none());
}

#[tokio::test]
async fn sensor_list_pages_as_documented() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (status, all) = api_json(&sandbox, &token, "/eversensors").await;
    assert_eq!(status, 200);
    assert_eq!(
        all["paginationInfo"],
        json!({"page": 1, "pageSize": 50, "totalItems": 6, "totalPages": 1})
    );
    let all_macs = macs(&all);
    let mut sorted = all_macs.clone();
    sorted.sort();
    assert_eq!(all_macs, sorted, "default order is by MAC address");

    let mut paged = Vec::new();
    for page in 1..=3 {
        let (_, body) = api_json(
            &sandbox,
            &token,
            &format!("/eversensors?page={page}&page-size=2"),
        )
        .await;
        assert_eq!(
            body["paginationInfo"],
            json!({"page": page, "pageSize": 2, "totalItems": 6, "totalPages": 3})
        );
        paged.extend(macs(&body));
    }
    assert_eq!(paged, all_macs);
    let (status, past_end) = api_json(&sandbox, &token, "/eversensors?page=4&page-size=2").await;
    assert_eq!((status, macs(&past_end).len()), (200, 0));

    let (_, clamped) = api_json(&sandbox, &token, "/eversensors?page-size=5000").await;
    assert_eq!(clamped["paginationInfo"]["pageSize"], 500);
    for bad in [
        "page=0",
        "page-size=0",
        "page=two",
        "sort-by=colour",
        "sort-dir=up",
        "devkitBundled=maybe",
    ] {
        let (status, body) = api_json(&sandbox, &token, &format!("/eversensors?{bad}")).await;
        assert_eq!((status, body["status"].clone()), (400, json!(400)), "{bad}");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn sensor_filters_and_sorting() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (_, all) = api_json(&sandbox, &token, "/eversensors").await;
    let first = macs(&all)[0].clone();
    let tail = &first[first.len() - 5..];
    let (_, filtered) = api_json(
        &sandbox,
        &token,
        &format!("/eversensors?mac-address={}", tail.to_uppercase()),
    )
    .await;
    assert_eq!(macs(&filtered), vec![first.clone()]);

    let (_, desc) = api_json(
        &sandbox,
        &token,
        "/eversensors?sort-by=mac-address&sort-dir=desc",
    )
    .await;
    let mut reversed = macs(&all);
    reversed.reverse();
    assert_eq!(macs(&desc), reversed);

    let (_, environmental) = api_json(&sandbox, &token, "/eversensors?type=Environmental").await;
    assert!(
        environmental["data"]
            .as_array()
            .expect("data")
            .iter()
            .all(|s| s["type"] == "Environmental")
    );
    let (_, devkit) = api_json(&sandbox, &token, "/eversensors?devkitBundled=True").await;
    assert!(
        devkit["data"]
            .as_array()
            .expect("data")
            .iter()
            .all(|s| s["devkitBundled"] == true)
    );
    let count = |v: &Value| v["paginationInfo"]["totalItems"].as_u64().expect("count");
    let (_, not_devkit) = api_json(&sandbox, &token, "/eversensors?devkitBundled=false").await;
    assert_eq!(count(&devkit) + count(&not_devkit), 6);
}

#[tokio::test]
async fn sensors_carry_the_recorded_members() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (_, all) = api_json(&sandbox, &token, "/eversensors").await;
    let sensors = all["data"].as_array().expect("data");
    let reporting: Vec<&Value> = sensors
        .iter()
        .filter(|s| !s["lastReading"].is_null())
        .collect();
    assert_eq!(reporting.len(), 5, "one sensor of six never reported");
    let silent = sensors
        .iter()
        .find(|s| s["lastReading"].is_null())
        .expect("silent sensor");
    assert!(silent["lastInfo"].is_null() && silent["lastAssociation"].is_null());
    for sensor in &reporting {
        for member in [
            "macAddress",
            "type",
            "devkitBundled",
            "manufacturedFirmwareVersion",
        ] {
            assert!(!sensor[member].is_null(), "{member}");
        }
        assert_eq!(sensor["customer"]["isSandbox"], true);
        assert!(
            sensor["lastInfo"]["timestamp"]
                .as_str()
                .expect("time")
                .ends_with(".000Z")
        );
        let reading = &sensor["lastReading"];
        assert_eq!(reading["macAddress"], sensor["macAddress"]);
        assert_eq!(
            reading["gatewaySerialNumber"],
            sensor["lastAssociation"]["gatewaySerialNumber"]
        );
        assert!(reading["timestamp"].is_i64());
        assert!(
            reading["readingDate"]
                .as_str()
                .expect("date")
                .ends_with('Z')
        );
        assert_eq!(reading["schemaVersion"], "v1");
    }
    let schemas: Vec<&str> = reporting
        .iter()
        .map(|s| s["lastReading"]["schema"].as_str().expect("schema"))
        .collect();
    assert!(schemas.contains(&ENVIRONMENTAL) && schemas.contains(&VIBRATION));
    let vibration = reporting
        .iter()
        .find(|s| s["lastReading"]["schema"] == VIBRATION)
        .expect("vibration");
    let reading = &vibration["lastReading"];
    assert!(reading["vibrationalMeasurements"]["velocity"]["spectralPeaks"]["axial"].is_array());
    assert!(reading["electricalFieldMeasurements"]["spectral_peaks"].is_array());
    let environmental = reporting
        .iter()
        .find(|s| s["lastReading"]["schema"] == ENVIRONMENTAL)
        .expect("env");
    let reading = &environmental["lastReading"];
    assert!(reading["pressureMeasurement"].is_number());
    assert!(reading["movementMeasurement"]["initialAcceleration"]["z"].is_i64());
    assert_eq!(reading["loadCounts"][0]["measurementTime"], 10);
}

#[tokio::test]
async fn readings_windows() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (_, all) = api_json(&sandbox, &token, "/eversensors").await;
    let sensor = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|s| !s["lastReading"].is_null())
        .expect("sensor")
        .clone();
    let mac = sensor["macAddress"].as_str().expect("mac");
    let (status, last) = api_json(
        &sandbox,
        &token,
        &format!("/eversensors/{mac}/readings/last"),
    )
    .await;
    assert_eq!(status, 200);
    let newest = last["data"]["timestamp"].as_i64().expect("timestamp");

    // One hour ending at the newest reading: 61 readings a minute apart, newest first.
    let path = format!(
        "/eversensors/{mac}/readings?start-time={}&end-time={newest}",
        newest - 3600
    );
    let (status, window) = api_json(&sandbox, &token, &path).await;
    assert_eq!(status, 200);
    assert!(window.get("paginationInfo").is_none());
    let readings = window["data"].as_array().expect("data");
    assert_eq!(readings.len(), 61);
    assert_eq!(readings[0], last["data"]);
    let times: Vec<i64> = readings
        .iter()
        .map(|r| r["timestamp"].as_i64().expect("t"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] - w[1] == 60));
    assert_eq!(*times.last().expect("oldest"), newest - 3600);

    // The same window again gives the same readings; the colon may also come percent-encoded.
    let encoded = path.replace(':', "%3A");
    let (_, again) = api_json(&sandbox, &token, &encoded).await;
    assert_eq!(again, window);

    // Readings accumulate as the clock moves.
    admin(
        &sandbox,
        Method::POST,
        "/clock/advance",
        Some(json!({"seconds": 600})),
    )
    .await;
    let (_, later) = api_json(
        &sandbox,
        &token,
        &format!("/eversensors/{mac}/readings/last"),
    )
    .await;
    let latest = later["data"]["timestamp"].as_i64().expect("timestamp");
    assert!(latest >= newest + 600);

    // A window reaching into the future holds only what exists up to now.
    let future = format!(
        "/eversensors/{mac}/readings?start-time={}&end-time={}",
        newest,
        newest + 86_400
    );
    let (_, upcoming) = api_json(&sandbox, &token, &future).await;
    let expected = usize::try_from((latest - newest) / 60 + 1).expect("count");
    assert_eq!(upcoming["data"].as_array().map(Vec::len), Some(expected));

    for bad in [
        format!("start-time={}&end-time={}", newest - 86_401, newest),
        format!("start-time={newest}&end-time={}", newest - 1),
        format!("start-time={newest}"),
        "start-time=yesterday&end-time=1".to_owned(),
    ] {
        let (status, _) = api_json(
            &sandbox,
            &token,
            &format!("/eversensors/{mac}/readings?{bad}"),
        )
        .await;
        assert_eq!(status, 400, "{bad}");
    }
    let (status, body) = api_json(
        &sandbox,
        &token,
        "/eversensors/00:00:00:00:00:00:00:00/readings/last",
    )
    .await;
    assert_eq!((status, body["error"].clone()), (404, json!("Not Found")));
}

#[tokio::test]
async fn a_sensor_that_never_reported() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (_, all) = api_json(&sandbox, &token, "/eversensors").await;
    let silent = all["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|s| s["lastReading"].is_null())
        .expect("silent")
        .clone();
    let mac = silent["macAddress"].as_str().expect("mac");
    let (status, _) = api_json(
        &sandbox,
        &token,
        &format!("/eversensors/{mac}/readings/last"),
    )
    .await;
    assert_eq!(status, 404);
    let (status, window) = api_json(
        &sandbox,
        &token,
        &format!("/eversensors/{mac}/readings?start-time=0&end-time=86400"),
    )
    .await;
    assert_eq!((status, window), (200, json!({"data": []})));
}

#[tokio::test]
async fn gateways_list_get_and_update() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (status, list) = api_json(&sandbox, &token, "/evergateways?sort-by=serial-number").await;
    assert_eq!(status, 200);
    assert_eq!(
        list["paginationInfo"],
        json!({"page": 1, "pageSize": 50, "totalItems": 2, "totalPages": 1})
    );
    let gateway = list["data"][0].clone();
    let serial = gateway["serialNumber"].as_str().expect("serial");
    let id = gateway["id"].as_str().expect("id");
    assert_eq!(serial.len(), 12);
    for key in [serial, id, &serial.to_lowercase()] {
        let (status, one) = api_json(&sandbox, &token, &format!("/evergateways/{key}")).await;
        assert_eq!((status, &one["data"]), (200, &gateway));
    }
    let (_, filtered) = api_json(
        &sandbox,
        &token,
        &format!("/evergateways?serial-number={}", &serial[2..8]),
    )
    .await;
    assert_eq!(filtered["data"].as_array().map(Vec::len), Some(1));
    let (_, paged) = api_json(&sandbox, &token, "/evergateways?page=2&page-size=1").await;
    assert_eq!(paged["paginationInfo"]["totalPages"], 2);

    let put = |body: Value| {
        let url = format!("{}/ds/v1/evergateways/{serial}", sandbox.everactive_url());
        let token = token.clone();
        async move {
            let response = http()
                .put(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .expect("PUT");
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, updated) = put(json!({"note": "moved", "unknownMember": 1})).await;
    assert_eq!(status, 200);
    assert_eq!(updated["data"]["note"], "moved");
    assert_eq!(
        updated["data"]["name"], gateway["name"],
        "members left out stay"
    );
    let (_, cleared) = put(json!({"location": null})).await;
    assert_eq!(cleared["data"]["location"], "");
    assert_eq!(put(json!({"name": 5})).await.0, 400);
    let (_, stored) = api_json(&sandbox, &token, &format!("/evergateways/{serial}")).await;
    assert_eq!(stored["data"]["note"], "moved");
    let (status, _) = api_json(&sandbox, &token, "/evergateways/NOPE").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn gateway_status_histories() {
    let sandbox = start().await;
    let token = token(&sandbox).await;
    let (_, list) = api_json(&sandbox, &token, "/evergateways").await;
    let serial = list["data"][0]["serialNumber"]
        .as_str()
        .expect("serial")
        .to_owned();
    let (status, v3) = api_json(
        &sandbox,
        &token,
        &format!("/evergateways/{serial}/status/v3"),
    )
    .await;
    assert_eq!(status, 200);
    let messages = v3["data"].as_array().expect("data");
    assert!(
        (288..=289).contains(&messages.len()),
        "every 5 minutes over 24 h"
    );
    assert_eq!(messages[0]["schema"], "gateway_status_v3.schema.json");
    assert_eq!(messages[0]["serial"], serial.as_str());
    assert!(messages[0]["Connectivity"]["devices"].is_array());
    assert!(messages[0]["Services"]["ntpDrift"]["lastoffset"].is_number());
    assert!(messages[0]["System"]["uptime"].is_i64());
    let (_, daily) = api_json(
        &sandbox,
        &token,
        &format!("/evergateways/{serial}/status/v3/daily"),
    )
    .await;
    let days = daily["data"].as_array().map_or(0, Vec::len);
    assert!((1..=2).contains(&days), "one midnight in the last 24 hours");
    let (status, v1) = api_json(
        &sandbox,
        &token,
        &format!("/evergateways/{serial}/status/v1?start-time=1&end-time=2"),
    )
    .await;
    assert_eq!((status, v1), (200, json!({"data": []})));
    let (status, _) = api_json(
        &sandbox,
        &token,
        &format!("/evergateways/{serial}/status/v3?start-time=0&end-time=90000"),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_seed_fixes_the_data() {
    let list = |seed: u64| async move {
        let sandbox = Sandbox::builder()
            .seed(seed)
            .everactive_fleet(4, 1)
            .everactive_delivery_interval(None)
            .start()
            .await
            .expect("starts");
        let token = token(&sandbox).await;
        let (_, sensors) = api_json(&sandbox, &token, "/eversensors").await;
        let mac = sensors["data"][0]["macAddress"]
            .as_str()
            .expect("mac")
            .to_owned();
        let (_, window) = api_json(
            &sandbox,
            &token,
            &format!("/eversensors/{mac}/readings?start-time=1710000000&end-time=1710003600"),
        )
        .await;
        let (_, gateways) = api_json(&sandbox, &token, "/evergateways").await;
        let count = window["data"].as_array().map_or(0, Vec::len);
        assert!((60..=61).contains(&count), "an hour of minutely readings");
        (macs(&sensors), window, gateways)
    };
    let (a, b, c) = (list(1).await, list(1).await, list(2).await);
    assert_eq!(a, b);
    assert_ne!(a.0, c.0);
}
