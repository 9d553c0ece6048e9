//! Sensor readings: a pure function of (seed, sensor, time), so that every reading up to "now"
//! exists without being stored, and a window query is a computation.
//!
//! Values follow the recorded samples: temperatures in Kelvin in steps of 1/16, humidity in
//! %RH, pressure in whole hPa, capacitor voltages in steps of 1/16, vibration in mm/s and mg,
//! electrical field in micro-teslas. They drift with the time of day, so charts look alive.

use std::f64::consts::TAU;

use serde_json::{Value, json};

use super::fleet::{Family, Fleet, READING_INTERVAL, Sensor, rfc3339_secs};
use crate::shared::json::number;
use crate::shared::schedule;
use crate::shared::seed::SeededRng;

/// Schema URI of environmental readings.
pub(crate) const ENVIRONMENTAL_SCHEMA: &str =
    "https://evr.ac/schemas/platform/eversensor/environmental/v1/reading";
/// Schema URI of vibration-electrical readings.
pub(crate) const VIBRATION_SCHEMA: &str =
    "https://evr.ac/schemas/platform/eversensor/vibration-electrical/v1/reading";

/// The readings of `sensor` in `[start, end]` (inclusive, `end` capped at `now`), newest first.
pub(crate) fn window(
    seed: u64,
    fleet: &Fleet,
    sensor: &Sensor,
    start: i64,
    end: i64,
    now: i64,
) -> Vec<Value> {
    let Some(installed) = sensor.installed_at else {
        return Vec::new();
    };
    schedule::times_in(installed, READING_INTERVAL, start, end.min(now))
        .into_iter()
        .map(|t| reading(seed, fleet, sensor, t))
        .collect()
}

/// The newest reading of `sensor` at `now`.
pub(crate) fn latest(seed: u64, fleet: &Fleet, sensor: &Sensor, now: i64) -> Option<Value> {
    sensor
        .latest_reading_time(now)
        .map(|t| reading(seed, fleet, sensor, t))
}

/// The reading `sensor` took at `t` (a time on its schedule).
pub(crate) fn reading(seed: u64, fleet: &Fleet, sensor: &Sensor, t: i64) -> Value {
    let installed = sensor.installed_at.unwrap_or(t);
    let sequence = (t - installed).max(0) / READING_INTERVAL;
    // Per-sensor constants, and the numbers of this one reading.
    let mut traits = SeededRng::new(sensor.key);
    let mut rng = SeededRng::derive(seed, &[sensor.key, t as u64]);
    let day = t.rem_euclid(86_400) as f64 / 86_400.0;
    let diurnal = (TAU * (day - 0.375)).sin();
    let gateway_packets = t / READING_INTERVAL * 7 + sequence % 7;

    let mut reading = json!({
        "macAddress": sensor.mac,
        "gatewaySerialNumber": fleet.gateway_serial(sensor),
        "timestamp": t,
        "readingDate": rfc3339_secs(t),
        "schemaVersion": "v1",
        "packetNumberGateway": gateway_packets.rem_euclid(65_536),
        "packetNumberEversensor": sequence % 128,
        "rssiUplink": rng.int(-80, -20),
    });
    let specific = match sensor.family {
        Family::Environmental => environmental(&mut traits, &mut rng, diurnal, t),
        Family::VibrationElectrical => vibration_electrical(&mut traits, &mut rng, diurnal),
    };
    if let (Value::Object(common), Value::Object(specific)) = (&mut reading, specific) {
        common.extend(specific);
    }
    reading
}

/// Rounds to a multiple of `1 / steps`.
fn quantize(x: f64, steps: f64) -> f64 {
    (x * steps).round() / steps
}

fn environmental(traits: &mut SeededRng, rng: &mut SeededRng, diurnal: f64, t: i64) -> Value {
    let base_temperature = traits.float(291.0, 297.0);
    let base_humidity = traits.float(40.0, 70.0);
    let base_pressure = traits.float(1005.0, 1020.0);
    let unsolicited = rng.chance(0.04);
    let ambient = quantize(
        base_temperature + 3.0 * diurnal + rng.float(-0.25, 0.25),
        16.0,
    );
    let chip = quantize(
        base_temperature - 12.0 + 2.0 * diurnal + rng.float(-0.5, 0.5),
        16.0,
    );
    let humidity = (base_humidity - 12.0 * diurnal + rng.float(-1.0, 1.0)).clamp(1.0, 99.0);
    let weather = (TAU * t as f64 / (5.0 * 86_400.0)).sin();
    let pressure = (base_pressure + 6.0 * weather + rng.float(-0.6, 0.6)).round();
    let movement = if unsolicited {
        json!({
            "movement": true,
            "initialAcceleration": {
                "x": rng.int(-1000, 1000), "y": rng.int(-1000, 1000), "z": rng.int(-1000, 1000)
            }
        })
    } else {
        json!({
            "initialAcceleration": {
                "x": rng.int(-70, 70), "y": rng.int(-70, 70), "z": rng.int(-930, -910)
            }
        })
    };
    json!({
        "schema": ENVIRONMENTAL_SCHEMA,
        "unsolicited": unsolicited,
        "scap": number(quantize(rng.float(1.0, 1.5), 16.0), 4),
        "vcap": number(quantize(rng.float(2.0, 2.7), 16.0), 4),
        "temperatureMeasurements": [
            {"sensorIndex": 0, "value": number(ambient, 4)},
            {"sensorIndex": 1, "value": number(chip, 4)},
        ],
        "humidityMeasurements": [{"sensorIndex": 0, "value": number(humidity, 5)}],
        "pressureMeasurement": number(pressure, 0),
        "movementMeasurement": movement,
        "loadCounts": [{"trim": 4, "count": rng.int(0, 60), "measurementTime": 10}],
    })
}

fn axes(axial: f64, radial: f64, tangential: f64) -> Value {
    json!({
        "axial": number(axial, 6),
        "radial": number(radial, 6),
        "tangential": number(tangential, 6),
    })
}

/// Nine peaks: the running speed first, then its harmonics with falling magnitudes.
fn peaks(rng: &mut SeededRng, running_hz: f64, top: f64) -> Value {
    let peaks: Vec<Value> = (1..=9)
        .map(|n| {
            let frequency = running_hz * n as f64 * rng.float(0.995, 1.005);
            let magnitude = if n == 1 {
                top
            } else {
                top * rng.float(0.05, 0.5) / n as f64
            };
            json!({"frequency": number(frequency, 6), "magnitude": number(magnitude, 6)})
        })
        .collect();
    Value::Array(peaks)
}

fn vibration_electrical(traits: &mut SeededRng, rng: &mut SeededRng, diurnal: f64) -> Value {
    let base_level = traits.float(1.0, 5.0);
    let running_hz = traits.float(58.8, 59.3);
    let base_surface = traits.float(325.0, 335.0);
    let level = base_level * (1.0 + 0.15 * diurnal) * rng.float(0.9, 1.1);
    let overall = [level, level * 0.95, level * 0.45];
    let max: Vec<f64> = overall.iter().map(|o| o * rng.float(0.6, 0.85)).collect();
    let field = rng.float(30.0, 45.0);
    let metadata = |units: &str| {
        json!({
            "units": units, "sampleRate": 3200, "sampleCount": 4096,
            "bitsPerSample": 12, "sampleFullScale": 2
        })
    };
    json!({
        "schema": VIBRATION_SCHEMA,
        "unsolicited": false,
        "scap": number(quantize(rng.float(4.0, 4.5), 16.0), 4),
        "vcap": number(quantize(rng.float(4.0, 4.4), 16.0), 4),
        "temperatureMeasurements": [
            {"sensorIndex": 0, "value": number(quantize(base_surface + 2.0 * diurnal, 16.0), 4)},
            {"sensorIndex": 1, "value": number(quantize(base_surface + 4.5 + rng.float(-0.5, 0.5), 16.0), 4)},
        ],
        "humidityMeasurements": [{"sensorIndex": 0, "value": number(rng.float(3.0, 10.0), 5)}],
        "vibrationalMeasurements": {
            "velocity": {
                "maxLevels": axes(max[0], max[1], max[2]),
                "overallLevels": axes(overall[0], overall[1], overall[2]),
                "spectralPeaks": {
                    "axial": peaks(rng, running_hz, max[0]),
                    "radial": peaks(rng, running_hz, max[1]),
                    "tangential": peaks(rng, running_hz, max[2]),
                },
                "configurationMetadata": metadata("mm/s"),
            },
            "acceleration": {
                "maxLevels": axes(rng.float(5000.0, 9000.0), rng.float(15000.0, 23000.0), rng.float(4000.0, 7000.0)),
                "configurationMetadata": metadata("mg"),
            },
        },
        "electricalFieldMeasurements": {
            "maxLevel": number(field, 5),
            "spectral_peaks": [
                {"frequency": number(rng.float(60.0, 60.1), 6), "magnitude": number(field, 5)},
                {"frequency": number(rng.float(10.0, 20.0), 6), "magnitude": number(rng.float(1.0, 4.0), 6)},
                {"frequency": number(rng.float(110.0, 130.0), 6), "magnitude": number(rng.float(0.5, 2.0), 6)},
            ],
            "configurationMetadata": {
                "units": "micro-teslas", "sampleRate": 800, "sampleCount": 512, "bitsPerSample": 9
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_deterministic_and_shaped() {
        let fleet = Fleet::generate(9, 2, 1);
        let env = &fleet.sensors[0];
        let t = env.installed_at.unwrap_or_default() + 10 * READING_INTERVAL;
        let a = reading(9, &fleet, env, t);
        assert_eq!(a, reading(9, &fleet, env, t));
        assert_ne!(a, reading(10, &fleet, env, t));
        assert_eq!(a["schema"], ENVIRONMENTAL_SCHEMA);
        assert_eq!(a["timestamp"], t);
        assert_eq!(a["packetNumberEversensor"], 10);
        assert!(a["loadCounts"][0]["count"].is_i64());
        let vib = reading(9, &fleet, &fleet.sensors[1], t);
        assert_eq!(vib["schema"], VIBRATION_SCHEMA);
        assert_eq!(
            vib["vibrationalMeasurements"]["velocity"]["spectralPeaks"]["axial"]
                .as_array()
                .map(Vec::len),
            Some(9)
        );
        assert!(vib["electricalFieldMeasurements"]["spectral_peaks"].is_array());
    }

    #[test]
    fn windows_end_at_now() {
        let fleet = Fleet::generate(9, 1, 1);
        let sensor = &fleet.sensors[0];
        let start = sensor.installed_at.unwrap_or_default();
        let readings = window(9, &fleet, sensor, start, start + 3600, start + 600);
        assert_eq!(readings.len(), 11);
        assert_eq!(readings[0]["timestamp"], start + 600);
        assert_eq!(readings[10]["timestamp"], start);
    }
}
