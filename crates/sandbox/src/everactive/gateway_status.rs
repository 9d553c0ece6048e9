//! Gateway status messages, a pure function of (seed, gateway, time) like the readings.
//!
//! Only the v3 summary message has a recorded layout (the one `gateway_status` webhooks
//! deliver). The v1 and daily messages are undocumented, so the sandbox sends the same layout
//! for them with a `schema` name of its own.

use serde_json::{Value, json};

use super::fleet::{Gateway, rfc3339_secs};
use crate::shared::json::number;
use crate::shared::schedule;
use crate::shared::seed::SeededRng;

/// Which status history a message belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StatusKind {
    /// v1 protocol summary, every 5 minutes.
    V1,
    /// v3 protocol summary, every 5 minutes (what webhooks deliver).
    V3,
    /// v3 detailed message, once a day at 00:00 UTC.
    V3Daily,
}

impl StatusKind {
    fn schema(self) -> &'static str {
        match self {
            StatusKind::V1 => "gateway_status_v1.schema.json",
            StatusKind::V3 => "gateway_status_v3.schema.json",
            StatusKind::V3Daily => "gateway_status_v3_daily.schema.json",
        }
    }

    /// The first message time and the spacing of this history for `gateway`.
    fn schedule(self, gateway: &Gateway) -> (i64, i64) {
        match self {
            StatusKind::V1 | StatusKind::V3 => (gateway.installed_at, 300),
            StatusKind::V3Daily => (
                gateway.installed_at.div_euclid(86_400) * 86_400 + 86_400,
                86_400,
            ),
        }
    }
}

/// The messages of one history in `[start, end]` (`end` capped at `now`), newest first.
pub(crate) fn window(
    seed: u64,
    gateway: &Gateway,
    kind: StatusKind,
    start: i64,
    end: i64,
    now: i64,
) -> Vec<Value> {
    let (anchor, interval) = kind.schedule(gateway);
    schedule::times_in(anchor, interval, start, end.min(now))
        .into_iter()
        .map(|t| message(seed, gateway, kind, t))
        .collect()
}

/// The newest v3 summary at `now`.
pub(crate) fn latest(seed: u64, gateway: &Gateway, now: i64) -> Option<Value> {
    let (anchor, interval) = StatusKind::V3.schedule(gateway);
    schedule::latest(anchor, interval, now).map(|t| message(seed, gateway, StatusKind::V3, t))
}

/// The status message `gateway` sent at `t`.
pub(crate) fn message(seed: u64, gateway: &Gateway, kind: StatusKind, t: i64) -> Value {
    let mut rng = SeededRng::derive(seed, &[gateway.key, t as u64]);
    let uptime = (t - gateway.installed_at).rem_euclid(30 * 86_400);
    let octet = gateway.key % 200 + 20;
    json!({
        "schema": kind.schema(),
        "serial": gateway.serial,
        "timestamp": rfc3339_secs(t),
        "Connectivity": {
            "devices": [
                {"name": "wlan0", "status": "Disconnected", "type": "Wifi"},
                {"name": "eth0", "status": "Unavailable", "type": "Ethernet"},
                {
                    "name": "cdc-wdm0",
                    "status": "Activated",
                    "type": "Modem",
                    "address": [format!("10.64.{}.{}", octet, rng.int(2, 250))],
                    "ConnectionQuality": {"operator": "Sandbox Mobile", "signalStrength": rng.int(30, 70)},
                },
            ]
        },
        "Environmental": {
            "ledState": {"condition": true, "status": "ltem_connection_on"},
            "sensors": {
                "caseHumidity": number(rng.float(15.0, 35.0), 9),
                "caseTemperature": number(rng.float(300.0, 320.0), 9),
            },
        },
        "Services": {
            "firmwareVersions": {"boomerang": "Feb 11 2021 14:50:20 boomerang/v1.3.0-0-g6c2b2e9"},
            "mqttQueueSize": {"heapSize": rng.int(50_000, 150_000), "queueSize": rng.int(0, 120)},
            "ntpDrift": {
                "lastoffset": number(rng.float(0.0, 0.01), 9),
                "rmsoffset": number(rng.float(0.005, 0.02), 9),
            },
            "online": true,
            "softwareVersions": {
                "core": "16-2.56",
                "everactive-evernet": "v2.0.0-47-g1ab2d9d",
                "everactive-gateway-status": "v3.1.4",
            },
        },
        "System": {
            "diskUsage": [
                {"device": "/dev/mmcblk0p2", "mount": "/boot/efi", "total": 64511, "used": 3699},
                {"device": "/dev/mmcblk0p4", "mount": "/var/lib", "total": 26_118_220, "used": rng.int(4_000_000, 6_000_000)},
            ],
            "loadAvg": {
                "l1": number(rng.float(0.0, 0.5), 2),
                "l5": number(rng.float(0.0, 0.4), 2),
                "l15": number(rng.float(0.0, 0.3), 2),
            },
            "memoryUsage": {"total": 1_916_392, "used": rng.int(900_000, 1_200_000)},
            "processList": [
                {"name": "systemd", "pid": 1, "cpuPercentage": number(rng.float(0.0, 3.0), 2),
                 "cpuSeconds": uptime / 40, "memPercentage": 0.45, "wallClockSeconds": uptime},
                {"name": "evernet", "pid": 4564, "cpuPercentage": number(rng.float(0.5, 4.0), 2),
                 "cpuSeconds": uptime / 30, "memPercentage": 0.69, "wallClockSeconds": uptime},
            ],
            "uptime": uptime,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::everactive::fleet::Fleet;

    #[test]
    fn histories_follow_their_schedules() {
        let fleet = Fleet::generate(3, 1, 1);
        let gateway = &fleet.gateways[0];
        let start = gateway.installed_at;
        let v3 = window(3, gateway, StatusKind::V3, start, start + 3600, i64::MAX);
        assert_eq!(v3.len(), 13);
        assert_eq!(v3[0]["schema"], "gateway_status_v3.schema.json");
        assert_eq!(v3[0]["serial"], gateway.serial.as_str());
        let daily = window(
            3,
            gateway,
            StatusKind::V3Daily,
            start,
            start + 3 * 86_400,
            i64::MAX,
        );
        assert!((2..=3).contains(&daily.len()));
        assert!(
            daily[0]["timestamp"]
                .as_str()
                .is_some_and(|t| t.ends_with("T00:00:00Z"))
        );
    }
}
