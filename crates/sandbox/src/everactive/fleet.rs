//! The seeded fleet: one customer, its Evergateways and its Eversensors.
//!
//! Everything here is fixed by the seed and the fleet size. What changes with time (the last
//! reading, the last info packet) is computed from the clock when asked.

use chrono::{DateTime, SecondsFormat};
use serde_json::{Value, json};

use crate::shared::schedule;
use crate::shared::seed::SeededRng;

/// 2024-01-01T00:00:00Z: installations start in the 30 days after this instant.
pub(crate) const EPOCH: i64 = 1_704_067_200;
/// A sensor reports once a minute.
pub(crate) const READING_INTERVAL: i64 = 60;
/// A sensor sends an info packet once an hour.
const INFO_INTERVAL: i64 = 3600;
/// Fleets of at least this many sensors include one that never reported.
const SILENT_SENSOR_FROM: usize = 5;

/// Sensor families, by reading schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// Temperature, humidity, pressure, movement (schema `environmental/v1`).
    Environmental,
    /// Vibration and electrical field (schema `vibration-electrical/v1`).
    VibrationElectrical,
}

impl Family {
    /// The sensor's `type` member.
    pub(crate) fn type_name(self) -> &'static str {
        match self {
            Family::Environmental => "Environmental",
            Family::VibrationElectrical => "MachineVibration",
        }
    }

    fn part_number(self) -> &'static str {
        match self {
            Family::Environmental => "810-00039",
            Family::VibrationElectrical => "810-00052",
        }
    }

    fn firmware_family(self) -> &'static str {
        match self {
            Family::Environmental => "tinytiger-f0",
            Family::VibrationElectrical => "mvs-f1",
        }
    }
}

/// The account that owns the fleet.
#[derive(Debug)]
pub(crate) struct Customer {
    pub(crate) id: String,
    pub(crate) name: &'static str,
}

/// One Evergateway as seeded (its display attributes can change later, see `gateways.rs`).
#[derive(Debug)]
pub(crate) struct Gateway {
    /// Seeded number behind its status values.
    pub(crate) key: u64,
    pub(crate) id: String,
    /// Twelve upper-case hex characters.
    pub(crate) serial: String,
    pub(crate) installed_at: i64,
    pub(crate) name: String,
    pub(crate) location: String,
}

/// One Eversensor.
#[derive(Debug)]
pub(crate) struct Sensor {
    /// Seeded number behind its reading values.
    pub(crate) key: u64,
    pub(crate) mac: String,
    pub(crate) family: Family,
    /// Index of the gateway it reports through.
    pub(crate) gateway: usize,
    /// First reading; `None` for a sensor that never reported.
    pub(crate) installed_at: Option<i64>,
    pub(crate) serial: String,
    pub(crate) manufactured_firmware: String,
    pub(crate) firmware: String,
    pub(crate) devkit: bool,
}

/// The whole seeded fleet.
#[derive(Debug)]
pub(crate) struct Fleet {
    pub(crate) customer: Customer,
    pub(crate) gateways: Vec<Gateway>,
    pub(crate) sensors: Vec<Sensor>,
}

const PLACES: [&str; 6] = [
    "Boiler room",
    "Compressor hall",
    "Packaging line",
    "Roof plant",
    "Cold store",
    "Pump house",
];

impl Fleet {
    /// The fleet for `seed` with `sensors` sensors and `gateways` gateways (at least one when
    /// there are sensors).
    pub(crate) fn generate(seed: u64, sensors: usize, gateways: usize) -> Self {
        let mut rng = SeededRng::derive(seed, &[0xF1EE7]);
        let customer = Customer {
            id: rng.uuid(),
            name: "Sandbox Industries",
        };
        let gateways: Vec<Gateway> = (0..gateways)
            .map(|i| {
                let place = PLACES[i % PLACES.len()];
                Gateway {
                    key: rng.next_u64(),
                    id: rng.uuid(),
                    serial: rng.hex(12).to_ascii_uppercase(),
                    installed_at: EPOCH - rng.int(0, 30 * 86400),
                    name: format!("{place} gateway"),
                    location: format!("Building {}, floor {}", 1 + i / PLACES.len(), rng.int(0, 3)),
                }
            })
            .collect();
        let sensors = (0..sensors)
            .map(|i| {
                let family = match i {
                    0 => Family::Environmental,
                    1 => Family::VibrationElectrical,
                    _ if rng.chance(0.3) => Family::VibrationElectrical,
                    _ => Family::Environmental,
                };
                let silent = sensors >= SILENT_SENSOR_FROM && i == sensors - 1;
                let number = i + 1;
                let manufactured = format!(
                    "{}/v0.5.{}-r{}",
                    family.firmware_family(),
                    rng.int(0, 6),
                    rng.hex(8)
                );
                Sensor {
                    key: rng.next_u64(),
                    mac: format!(
                        "bc:5e:a1:00:00:{:02x}:{:02x}:{:02x}",
                        rng.below(256),
                        (number >> 8) & 0xff,
                        number & 0xff
                    ),
                    family,
                    gateway: i % gateways.len().max(1),
                    installed_at: (!silent).then(|| EPOCH + rng.int(0, 30 * 86400)),
                    serial: format!("2242{:04}", rng.int(0, 9999)),
                    firmware: format!("{}/v0.5.7-r{}", family.firmware_family(), rng.hex(8)),
                    manufactured_firmware: manufactured,
                    devkit: rng.chance(0.5),
                }
            })
            .collect();
        Self {
            customer,
            gateways,
            sensors,
        }
    }

    /// The sensor with this MAC address (any letter case).
    pub(crate) fn sensor(&self, mac: &str) -> Option<&Sensor> {
        self.sensors
            .iter()
            .find(|s| s.mac.eq_ignore_ascii_case(mac))
    }

    /// The serial number of the gateway a sensor reports through.
    pub(crate) fn gateway_serial(&self, sensor: &Sensor) -> &str {
        self.gateways
            .get(sensor.gateway)
            .map_or("", |g| g.serial.as_str())
    }
}

impl Sensor {
    /// The time of its newest reading at `now`, if it has one.
    pub(crate) fn latest_reading_time(&self, now: i64) -> Option<i64> {
        schedule::latest(self.installed_at?, READING_INTERVAL, now)
    }
}

/// RFC 3339 with whole seconds (`2023-01-11T17:37:16Z`), as readings write `readingDate`.
pub(crate) fn rfc3339_secs(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// RFC 3339 with milliseconds (`2022-11-13T08:47:27.000Z`), as sensor metadata writes times.
pub(crate) fn rfc3339_millis(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .map(|d| d.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// A sensor as the sensor list shows it at `now`; `last_reading` is its newest reading.
pub(crate) fn sensor_json(
    fleet: &Fleet,
    sensor: &Sensor,
    now: i64,
    last_reading: Option<Value>,
) -> Value {
    let gateway_serial = fleet.gateway_serial(sensor);
    let association = sensor
        .installed_at
        .filter(|t| *t <= now)
        .map(|t| json!({"gatewaySerialNumber": gateway_serial, "timestamp": rfc3339_millis(t)}));
    let info = sensor
        .installed_at
        .and_then(|t| schedule::latest(t, INFO_INTERVAL, now))
        .map(|t| {
            json!({
                "firmwareVersion": sensor.firmware,
                "gatewaySerialNumber": gateway_serial,
                "partNumber": sensor.family.part_number(),
                "sensorSerialNumber": sensor.serial,
                "timestamp": rfc3339_millis(t),
            })
        });
    json!({
        "macAddress": sensor.mac,
        "type": sensor.family.type_name(),
        "devkitBundled": sensor.devkit,
        "manufacturedFirmwareVersion": sensor.manufactured_firmware,
        "customer": {
            "id": fleet.customer.id,
            "isSandbox": true,
            "name": fleet.customer.name,
            "status": "Production",
        },
        "lastAssociation": association,
        "lastInfo": info,
        "lastReading": last_reading,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_fleet() {
        let a = Fleet::generate(42, 8, 2);
        let b = Fleet::generate(42, 8, 2);
        let c = Fleet::generate(43, 8, 2);
        let macs = |f: &Fleet| f.sensors.iter().map(|s| s.mac.clone()).collect::<Vec<_>>();
        assert_eq!(macs(&a), macs(&b));
        assert_ne!(macs(&a), macs(&c));
        assert_eq!(a.gateways[1].serial, b.gateways[1].serial);
        assert_eq!(a.gateways[0].serial.len(), 12);
    }

    #[test]
    fn one_of_each_family_and_one_silent_sensor() {
        let fleet = Fleet::generate(1, 6, 2);
        assert_eq!(fleet.sensors[0].family, Family::Environmental);
        assert_eq!(fleet.sensors[1].family, Family::VibrationElectrical);
        assert!(fleet.sensors[5].installed_at.is_none());
        assert!(fleet.sensors[..5].iter().all(|s| s.installed_at.is_some()));
        let mut macs: Vec<_> = fleet.sensors.iter().map(|s| &s.mac).collect();
        macs.sort();
        macs.dedup();
        assert_eq!(macs.len(), 6);
    }

    #[test]
    fn time_formats() {
        assert_eq!(rfc3339_secs(1673458636), "2023-01-11T17:37:16Z");
        assert_eq!(rfc3339_millis(1668329247), "2022-11-13T08:47:27.000Z");
    }
}
