//! Lists every Eversensor of the account with its last reading.
//!
//! ```text
//! EVERACTIVE_CLIENT_ID=... EVERACTIVE_CLIENT_SECRET=... \
//!     cargo run -p everactive-sdk --example list_sensors
//! ```
//!
//! `EVERACTIVE_API_URL` points it at another host (for example a local mock).

use everactive_sdk::{Client, EversensorFilter};
use futures::TryStreamExt;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), everactive_sdk::Error> {
    let client = Client::from_env()?;
    let mut sensors = std::pin::pin!(client.eversensors(EversensorFilter::default()));
    while let Some(sensor) = sensors.try_next().await? {
        let last = client
            .get_eversensor_last_reading()
            .mac_address(sensor.mac_address.as_str())
            .send()
            .await;
        match last {
            Ok(reading) => {
                let reading = reading.into_inner().data;
                let ambient = reading
                    .temperature_measurements
                    .iter()
                    .find(|m| m.sensor_index == Some(0))
                    .and_then(|m| m.value)
                    .map(|kelvin| format!("{:.1} °C", kelvin - 273.15))
                    .unwrap_or_else(|| "-".into());
                println!(
                    "{}  {}  last reading at {}  ambient {ambient}",
                    sensor.mac_address,
                    sensor.type_.as_deref().unwrap_or("?"),
                    reading.timestamp
                );
            }
            Err(err) if err.status().is_some_and(|s| s.as_u16() == 404) => {
                println!("{}  no reading yet", sensor.mac_address);
            }
            Err(err) => return Err(err),
        }
    }
    Ok(())
}
