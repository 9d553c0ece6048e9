//! Unwrapped typed methods for the most used operations, and streams over the paged lists.
//!
//! Each method sends one generated operation and takes the answer out of IoTConnect's
//! `{data, status, message, count}` envelope. Lookups of one object return `Ok(None)` when
//! IoTConnect says "not found", whichever way it says it:
//!
//! | method | operation | "not found" answered as |
//! | --- | --- | --- |
//! | [`Client::device_by_unique_id`] | `GET /Device/uniqueId/{uniqueId}` | 409 (`DeviceNotFound`) |
//! | [`Client::device_by_guid`] | `GET /Device/{deviceGuid}` | 409 |
//! | [`Client::template`] | `GET /device-template/{guid}` | 404 |
//! | [`Client::template_by_code`] | `GET /device-template/template-code/{code}` | 409 |
//! | [`Client::user_by_guid`] | `GET /User/{userGuid}` | 404 |
//! | [`Client::entity`] | `GET /Entity/{entityGuid}` | 409 |
//!
//! Every lookup treats 204, 404 and 409 alike, and an empty `data` too, since the vendor's
//! choice is not documented and differs between releases. A list answered with 204 ("no
//! records") is an empty list.

use std::future::Future;
use std::num::NonZeroU32;

use futures::{Stream, StreamExt as _, TryStreamExt as _, stream};

use progenitor_client::ResponseValue;

use crate::envelope::{Envelope, UnwrapExt as _};
use crate::{Client, Error, device, telemetry, user};

/// Page size used when a filter sets none (the Python SDK's default).
const DEFAULT_PAGE_SIZE: NonZeroU32 = NonZeroU32::new(100).expect("100 is not zero");

/// Paging, sorting and search of a list: every field is optional.
///
/// Every list takes `pageNumber`, `pageSize` and `sortBy`; the streams set `pageNumber`
/// themselves. Only some lists take a search text (the vendor's swagger documents it for
/// template attributes, template commands and a device's lifecycle); the device, template
/// and user lists do not, and a filter with a search text is refused there before any
/// request, rather than silently listing everything. Their own filters (`UniqueId`,
/// `TemplateGuid`, `Email`, ...) are on the generated builders
/// (`client.device().list_devices()...`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ListFilter {
    /// Items per request (default 100).
    pub page_size: Option<NonZeroU32>,
    /// Sort order, `"<field> asc|desc"` or a bare field. `GET /Device` sorts only by
    /// `uniqueId`, `lastConnection` and `lastCommunication` (others answer 412), and
    /// template attributes refuse any.
    pub sort_by: Option<String>,
    /// Text to search for, on the lists that take one (`searchText` or `searchtext` on the
    /// wire, as each operation spells it).
    pub search_text: Option<String>,
}

impl ListFilter {
    /// A filter with this page size.
    #[must_use]
    pub fn page_size(mut self, size: NonZeroU32) -> Self {
        self.page_size = Some(size);
        self
    }

    /// A filter with this sort order.
    #[must_use]
    pub fn sort_by(mut self, sort_by: impl Into<String>) -> Self {
        self.sort_by = Some(sort_by.into());
        self
    }

    /// A filter with this search text, for the lists that take one.
    #[must_use]
    pub fn search_text(mut self, text: impl Into<String>) -> Self {
        self.search_text = Some(text.into());
        self
    }

    /// Refuses a search text on an operation without one, before any request.
    fn no_search(&self, operation: &str) -> Result<(), Error> {
        match &self.search_text {
            Some(_) => Err(Error::InvalidRequest(format!(
                "{operation} takes no search text; use the operation's own filters on the \
                 generated builder"
            ))),
            None => Ok(()),
        }
    }

    fn size(&self) -> NonZeroU32 {
        self.page_size.unwrap_or(DEFAULT_PAGE_SIZE)
    }
}

/// One page of a list as the envelope gave it: the items and `count` (the total, or `-1`).
type Page<T> = (Vec<T>, Option<i64>);

impl Client {
    /// One page (1-based) of devices (`GET /Device`); an empty list on 204.
    ///
    /// # Errors
    /// The call's [`Error`]; [`crate::api_error`] gives the vendor's error body.
    pub async fn devices_page(
        &self,
        filter: &ListFilter,
        page: NonZeroU32,
    ) -> Result<Vec<device::types::DeviceListItem>, Error> {
        Ok(self.devices_page_counted(filter, page).await?.0)
    }

    async fn devices_page_counted(
        &self,
        filter: &ListFilter,
        page: NonZeroU32,
    ) -> Result<Page<device::types::DeviceListItem>, Error> {
        filter.no_search("GET /Device")?;
        let mut call = self
            .device()
            .list_devices()
            .page_number(page)
            .page_size(filter.size());
        if let Some(v) = &filter.sort_by {
            call = call.sort_by(v.clone());
        }
        counted_page(call.send()).await
    }

    /// Every device, fetching page after page as the stream is polled (`GET /Device`).
    ///
    /// `GET /Device` reports no total (`count: -1`), so the stream stops after a page that
    /// is shorter than the page size.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use iotconnect_sdk::ListFilter;
    /// # async fn demo(client: iotconnect_sdk::Client) -> Result<(), iotconnect_sdk::Error> {
    /// let devices: Vec<_> = client
    ///     .devices(ListFilter::default().sort_by("uniqueId asc"))
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn devices(
        &self,
        filter: ListFilter,
    ) -> impl Stream<Item = Result<device::types::DeviceListItem, Error>> + Send + '_ {
        let size = filter.size();
        pages(size, move |page| {
            let filter = filter.clone();
            async move { self.devices_page_counted(&filter, page).await }
        })
    }

    /// The device with this unique id (`GET /Device/uniqueId/{uniqueId}`, `data[0]`);
    /// `None` when IoTConnect answers "not found" (409, 404, 204 or an empty list).
    ///
    /// # Errors
    /// Any other failure of the call.
    pub async fn device_by_unique_id(
        &self,
        unique_id: &str,
    ) -> Result<Option<device::types::DeviceInformation>, Error> {
        let call = self.device().get_device_by_unique_id().unique_id(unique_id);
        call.send().item().await
    }

    /// The device with this GUID (`GET /Device/{deviceGuid}`, `data[0]`); `None` when
    /// IoTConnect answers "not found" (409, 404, 204 or an empty list).
    ///
    /// # Errors
    /// Any other failure of the call.
    pub async fn device_by_guid(
        &self,
        device_guid: &str,
    ) -> Result<Option<device::types::DeviceInformation>, Error> {
        let call = self.device().get_device().device_guid(device_guid);
        call.send().item().await
    }

    /// Creates a device (`POST /Device`) and returns what the answer's `data[0]` says of it
    /// (its new GUID among others).
    ///
    /// # Errors
    /// The call's [`Error`] (409 when the unique id is taken); an [`Error::Decode`] when the
    /// answer has no item.
    pub async fn create_device(
        &self,
        body: device::types::DeviceCreateRequest,
    ) -> Result<device::types::DeviceCreated, Error> {
        let answer = self.device().create_device().body(body).send().await?;
        answer
            .into_inner()
            .data
            .and_then(|d| d.into_iter().next())
            .ok_or_else(|| empty("POST /Device"))
    }

    /// Updates a device's display name, entity, note and properties
    /// (`PUT /Device/{deviceGuid}`).
    ///
    /// # Errors
    /// The call's [`Error`] (409 when the device does not exist).
    pub async fn update_device(
        &self,
        device_guid: &str,
        body: device::types::DeviceUpdateRequest,
    ) -> Result<(), Error> {
        self.device()
            .update_device()
            .device_guid(device_guid)
            .body(body)
            .send()
            .await?;
        Ok(())
    }

    /// Deletes a device (`DELETE /Device/{deviceGuid}`).
    ///
    /// # Errors
    /// The call's [`Error`] (409 when the device does not exist).
    pub async fn delete_device(&self, device_guid: &str) -> Result<(), Error> {
        self.device()
            .delete_device()
            .device_guid(device_guid)
            .send()
            .await?;
        Ok(())
    }

    /// One page (1-based) of device templates (`GET /device-template`); an empty list on 204.
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn templates_page(
        &self,
        filter: &ListFilter,
        page: NonZeroU32,
    ) -> Result<Vec<device::types::TemplateListItem>, Error> {
        Ok(self.templates_page_counted(filter, page).await?.0)
    }

    async fn templates_page_counted(
        &self,
        filter: &ListFilter,
        page: NonZeroU32,
    ) -> Result<Page<device::types::TemplateListItem>, Error> {
        filter.no_search("GET /device-template")?;
        let mut call = self
            .device()
            .list_templates()
            .page_number(page)
            .page_size(filter.size());
        if let Some(v) = &filter.sort_by {
            call = call.sort_by(v.clone());
        }
        counted_page(call.send()).await
    }

    /// Every device template, fetching page after page as the stream is polled.
    pub fn templates(
        &self,
        filter: ListFilter,
    ) -> impl Stream<Item = Result<device::types::TemplateListItem, Error>> + Send + '_ {
        let size = filter.size();
        pages(size, move |page| {
            let filter = filter.clone();
            async move { self.templates_page_counted(&filter, page).await }
        })
    }

    /// The template with this GUID (`GET /device-template/{deviceTemplateGuid}`, `data[0]`);
    /// `None` when IoTConnect answers "not found" (404, 409, 204 or an empty list).
    ///
    /// # Errors
    /// Any other failure of the call.
    pub async fn template(
        &self,
        template_guid: &str,
    ) -> Result<Option<device::types::TemplateDetail>, Error> {
        let call = self
            .device()
            .get_template()
            .device_template_guid(template_guid);
        call.send().item().await
    }

    /// The template with this code (`GET /device-template/template-code/{templateCode}`,
    /// `data[0]`); `None` when IoTConnect answers "not found" (409, 404, 204 or an empty list).
    ///
    /// # Errors
    /// Any other failure of the call.
    pub async fn template_by_code(
        &self,
        template_code: &str,
    ) -> Result<Option<device::types::TemplateDetail>, Error> {
        let call = self
            .device()
            .get_template_by_code()
            .template_code(template_code);
        call.send().item().await
    }

    /// One page (1-based) of users (`GET /User`); an empty list on 204.
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn users_page(
        &self,
        filter: &ListFilter,
        page: NonZeroU32,
    ) -> Result<Vec<user::types::UserListItem>, Error> {
        Ok(self.users_page_counted(filter, page).await?.0)
    }

    async fn users_page_counted(
        &self,
        filter: &ListFilter,
        page: NonZeroU32,
    ) -> Result<Page<user::types::UserListItem>, Error> {
        filter.no_search("GET /User")?;
        let mut call = self
            .user()
            .list_users()
            .page_number(page)
            .page_size(filter.size());
        if let Some(v) = &filter.sort_by {
            call = call.sort_by(v.clone());
        }
        counted_page(call.send()).await
    }

    /// Every user, fetching page after page as the stream is polled.
    pub fn users(
        &self,
        filter: ListFilter,
    ) -> impl Stream<Item = Result<user::types::UserListItem, Error>> + Send + '_ {
        let size = filter.size();
        pages(size, move |page| {
            let filter = filter.clone();
            async move { self.users_page_counted(&filter, page).await }
        })
    }

    /// The user with this GUID (`GET /User/{userGuid}`, `data[0]`); `None` when IoTConnect
    /// answers "not found" (404, 409, 204 or an empty list).
    ///
    /// # Errors
    /// Any other failure of the call.
    pub async fn user_by_guid(
        &self,
        user_guid: &str,
    ) -> Result<Option<user::types::UserDetail>, Error> {
        let call = self.user().get_user().user_guid(user_guid);
        call.send().item().await
    }

    /// Every entity (`GET /Entity`). This operation has no paging: the whole tree comes in
    /// one answer (an empty list on 204).
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn entities(&self) -> Result<Vec<user::types::EntityListItem>, Error> {
        self.user().list_entities().send().items().await
    }

    /// Every entity as a stream, for symmetry with the paged lists: one request, made when
    /// the stream is first polled.
    pub fn entities_stream(
        &self,
    ) -> impl Stream<Item = Result<user::types::EntityListItem, Error>> + Send + '_ {
        stream::once(self.entities())
            .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
            .try_flatten()
    }

    /// The entity with this GUID (`GET /Entity/{entityGuid}`, `data[0]`); `None` when
    /// IoTConnect answers "not found" (409, 404, 204 or an empty list).
    ///
    /// # Errors
    /// Any other failure of the call.
    pub async fn entity(
        &self,
        entity_guid: &str,
    ) -> Result<Option<user::types::EntityDetail>, Error> {
        let call = self.user().get_entity().entity_guid(entity_guid);
        call.send().item().await
    }

    /// Every attribute of a template (`GET /template-attribute/{deviceTemplateGuid}`), page
    /// after page; `search_text` is sent as `searchtext`. IoTConnect refuses `sortBy` here
    /// although the swagger lists it, so leave it unset.
    pub fn template_attributes(
        &self,
        template_guid: &str,
        filter: ListFilter,
    ) -> impl Stream<Item = Result<device::types::AttributeListItem, Error>> + Send + '_ {
        let guid = template_guid.to_owned();
        pages(filter.size(), move |page| {
            let mut call = self
                .device()
                .list_template_attributes()
                .device_template_guid(guid.clone())
                .page_number(page)
                .page_size(filter.size());
            if let Some(v) = &filter.sort_by {
                call = call.sort_by(v.clone());
            }
            if let Some(v) = &filter.search_text {
                call = call.searchtext(v.clone());
            }
            counted_page(call.send())
        })
    }

    /// Every command of a template (`GET /template-command/{deviceTemplateGuid}`), page after
    /// page; `search_text` is sent as `searchText`.
    pub fn template_commands(
        &self,
        template_guid: &str,
        filter: ListFilter,
    ) -> impl Stream<Item = Result<device::types::CommandListItem, Error>> + Send + '_ {
        let guid = template_guid.to_owned();
        pages(filter.size(), move |page| {
            let mut call = self
                .device()
                .list_template_commands()
                .device_template_guid(guid.clone())
                .page_number(page)
                .page_size(filter.size());
            if let Some(v) = &filter.sort_by {
                call = call.sort_by(v.clone());
            }
            if let Some(v) = &filter.search_text {
                call = call.search_text(v.clone());
            }
            counted_page(call.send())
        })
    }

    /// A device's status changes (`GET /Device/{uniqueId}/lifecycle`), page after page;
    /// `search_text` is sent as `searchtext`.
    pub fn device_lifecycle(
        &self,
        unique_id: &str,
        filter: ListFilter,
    ) -> impl Stream<Item = Result<device::types::DeviceLifecycleEvent, Error>> + Send + '_ {
        let unique_id = unique_id.to_owned();
        pages(filter.size(), move |page| {
            let mut call = self
                .device()
                .list_device_lifecycle()
                .unique_id(unique_id.clone())
                .page_number(page)
                .page_size(filter.size());
            if let Some(v) = &filter.sort_by {
                call = call.sort_by(v.clone());
            }
            if let Some(v) = &filter.search_text {
                call = call.searchtext(v.clone());
            }
            counted_page(call.send())
        })
    }

    /// The latest value of every attribute of a device (`GET /Telemetry/device/{deviceGuid}`);
    /// an empty list when the device has sent nothing (204).
    ///
    /// # Errors
    /// The call's [`Error`].
    pub async fn latest_telemetry(
        &self,
        device_guid: &str,
    ) -> Result<Vec<telemetry::types::AttributeLatestValue>, Error> {
        let call = self
            .telemetry()
            .get_latest_telemetry()
            .device_guid(device_guid);
        call.send().items().await
    }
}

/// One page of a list answer with its `count`; 204 ("no records") is an empty page.
async fn counted_page<E, T>(
    call: impl Future<Output = Result<ResponseValue<E>, Error>>,
) -> Result<Page<T>, Error>
where
    E: Envelope<Data = Vec<T>>,
{
    match call.await {
        Ok(answer) => {
            let answer = answer.into_inner();
            let count = answer.count();
            Ok((answer.into_data().unwrap_or_default(), count))
        }
        Err(Error::Api { status, .. }) if status.as_u16() == 204 => Ok((Vec::new(), Some(0))),
        Err(e) => Err(e),
    }
}

/// The error of a write whose answer carries no item.
fn empty(operation: &str) -> Error {
    Error::Decode {
        status: None,
        detail: format!("{operation} answered with an empty `data`"),
        excerpt: String::new(),
    }
}

/// Walks pages 1, 2, ... lazily. When the server gives a total (`count` >= 0) the walk stops
/// once that many items were seen; without one (`GET /Device` answers `-1`) it stops after a
/// page shorter than `size`. An empty page always ends it, so a server that miscounts cannot
/// make the stream loop forever.
fn pages<'a, T, F, Fut>(
    size: NonZeroU32,
    mut fetch: F,
) -> impl Stream<Item = Result<T, Error>> + Send + 'a
where
    T: Send + 'a,
    F: FnMut(NonZeroU32) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'a,
{
    stream::try_unfold(Some((NonZeroU32::MIN, 0_u64)), move |next| {
        let call = next.map(|(page, seen)| (page, seen, fetch(page)));
        async move {
            let Some((page, seen, call)) = call else {
                return Ok::<_, Error>(None);
            };
            let (items, count) = call.await?;
            let len = u64::try_from(items.len()).unwrap_or(u64::MAX);
            let seen = seen.saturating_add(len);
            let last = len == 0
                || match count.and_then(|c| u64::try_from(c).ok()) {
                    Some(total) => seen >= total,
                    None => len < u64::from(size.get()),
                };
            let following = if last {
                None
            } else {
                page.checked_add(1).map(|p| (p, seen))
            };
            Ok(Some((stream::iter(items.into_iter().map(Ok)), following)))
        }
    })
    .try_flatten()
    .boxed()
}
