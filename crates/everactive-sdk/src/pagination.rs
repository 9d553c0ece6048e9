//! Streams that walk every page of the sensor and gateway lists.

use std::future::Future;
use std::num::NonZeroU32;

use futures::{Stream, StreamExt as _, TryStreamExt as _, stream};

use crate::types::{Evergateway, Eversensor, PaginationInfo, SortDirection};
use crate::{Client, Error};

/// Page size used when the filter sets none: large pages mean fewer calls under the API's
/// (undocumented) rate limit. Everactive's own notebook asks for 500.
const DEFAULT_PAGE_SIZE: NonZeroU32 = NonZeroU32::new(500).expect("500 is not zero");

/// Filters of [`Client::eversensors`]; every field is optional.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EversensorFilter {
    /// Case-insensitive substring of the MAC address (for example its last octet).
    pub mac_address: Option<String>,
    /// Sensor family, such as `Environmental`.
    pub sensor_type: Option<String>,
    /// Only sensors that came in an evaluation kit (or only those that did not).
    pub devkit_bundled: Option<bool>,
    /// Field to sort by, kebab-case (`mac-address`).
    pub sort_by: Option<String>,
    /// Sort direction.
    pub sort_dir: Option<SortDirection>,
    /// Items per request (default 500).
    pub page_size: Option<NonZeroU32>,
}

/// Filters of [`Client::evergateways`]; every field is optional.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct EvergatewayFilter {
    /// Substring of the serial number.
    pub serial_number: Option<String>,
    /// Field to sort by, kebab-case (`serial-number`).
    pub sort_by: Option<String>,
    /// Sort direction.
    pub sort_dir: Option<SortDirection>,
    /// Items per request (default 500).
    pub page_size: Option<NonZeroU32>,
}

impl Client {
    /// Every Eversensor matching `filter`, fetching page after page as the stream is polled.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use everactive_sdk::EversensorFilter;
    /// # async fn demo(client: everactive_sdk::Client) -> Result<(), everactive_sdk::Error> {
    /// let mut filter = EversensorFilter::default();
    /// filter.sensor_type = Some("Environmental".into());
    /// let sensors: Vec<_> = client.eversensors(filter).try_collect().await?;
    /// println!("{} sensors", sensors.len());
    /// # Ok(()) }
    /// ```
    pub fn eversensors(
        &self,
        filter: EversensorFilter,
    ) -> impl Stream<Item = Result<Eversensor, Error>> + Send + '_ {
        pages(move |page| {
            let filter = filter.clone();
            async move {
                let mut call = self
                    .list_eversensors()
                    .page(page)
                    .page_size(filter.page_size.unwrap_or(DEFAULT_PAGE_SIZE));
                if let Some(v) = filter.mac_address {
                    call = call.mac_address(v);
                }
                if let Some(v) = filter.sensor_type {
                    call = call.type_(v);
                }
                if let Some(v) = filter.devkit_bundled {
                    call = call.devkit_bundled(v);
                }
                if let Some(v) = filter.sort_by {
                    call = call.sort_by(v);
                }
                if let Some(v) = filter.sort_dir {
                    call = call.sort_dir(v);
                }
                let page = call.send().await?.into_inner();
                Ok((page.data, page.pagination_info))
            }
        })
    }

    /// Every Evergateway matching `filter`, fetching page after page as the stream is polled.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn demo(client: everactive_sdk::Client) -> Result<(), everactive_sdk::Error> {
    /// let gateways: Vec<_> = client.evergateways(Default::default()).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn evergateways(
        &self,
        filter: EvergatewayFilter,
    ) -> impl Stream<Item = Result<Evergateway, Error>> + Send + '_ {
        pages(move |page| {
            let filter = filter.clone();
            async move {
                let mut call = self
                    .list_evergateways()
                    .page(page)
                    .page_size(filter.page_size.unwrap_or(DEFAULT_PAGE_SIZE));
                if let Some(v) = filter.serial_number {
                    call = call.serial_number(v);
                }
                if let Some(v) = filter.sort_by {
                    call = call.sort_by(v);
                }
                if let Some(v) = filter.sort_dir {
                    call = call.sort_dir(v);
                }
                let page = call.send().await?.into_inner();
                Ok((page.data, page.pagination_info))
            }
        })
    }
}

/// Walks pages 1, 2, ... until the server says it was the last one (or sends an empty page,
/// so a server that miscounts cannot make the stream loop forever).
fn pages<'a, T, F, Fut>(mut fetch: F) -> impl Stream<Item = Result<T, Error>> + Send + 'a
where
    T: Send + 'a,
    F: FnMut(NonZeroU32) -> Fut + Send + 'a,
    Fut: Future<Output = Result<(Vec<T>, PaginationInfo), Error>> + Send + 'a,
{
    stream::try_unfold(Some(NonZeroU32::MIN), move |next| {
        let call = next.map(|page| (page, fetch(page)));
        async move {
            let Some((page, call)) = call else {
                return Ok::<_, Error>(None);
            };
            let (items, info) = call.await?;
            let last = items.is_empty() || i64::from(page.get()) >= i64::from(info.total_pages);
            let following = if last { None } else { page.checked_add(1) };
            Ok(Some((stream::iter(items.into_iter().map(Ok)), following)))
        }
    })
    .try_flatten()
    .boxed()
}
