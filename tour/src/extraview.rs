//! The ExtraView steps: the ExtraView SDK against the sandbox's ExtraView, each step as a user
//! of the SDK would write it, checked against what the sandbox holds and counted.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use extraview_sdk::{Client, Fields, HistoryQuery, Record, SearchQuery, UsernameDisplay, reqwest};
use futures::TryStreamExt as _;
use sdk_sandbox::RunningSandbox;

use crate::output::{Output, shown};
use crate::scenario::{Tour, plural};
use crate::{
    EvAttachmentsReport, EvDeleteReport, EvExpiryReport, EvHeartbeatReport, EvHistoryReport,
    EvInsertReport, EvIssueReport, EvSearchReport, EvSignInReport, EvUpdateReport, ExtraViewReport,
    Step, TourError,
};

/// Issues the tour's sandbox seeds (IDs from 12301).
pub(crate) const ISSUES: usize = 30;
/// The search step's filter: a list field, by name.
const FILTER: (&str, &str) = ("PRODUCT_NAME", "GADGET");
/// Small enough that the search shows its pages.
const SEARCH_PAGE: u64 = 4;
/// The page length of the search across the expired token: three full pages of the 30.
const EXPIRY_PAGE: u64 = 10;
/// The module the new issue gets, by title: its key is looked up under [`FILTER`]'s product.
const MODULE_TITLE: &str = "Display";
const NEW_TITLE: &str = "Tour: label printer jams";
const COMMENT: &str = "Tour: cleaned the rollers.";
const ASSIGNEE: &str = "JDOE";
const FILE_NAME: &str = "tour-printer.log";
/// A file with a NUL, high bytes and CRLFs, so that the round trip is byte for byte.
const FILE: &[u8] = b"jam at label 10\r\nsensor: \x00\xff\xfe\r\n--not-a-boundary\r\n";

/// Runs the ExtraView steps on `sandbox`, whose ExtraView the tour has not touched before.
pub(crate) async fn run<W: Write>(
    tour: &mut Tour<'_, W>,
    sandbox: &RunningSandbox,
) -> Result<ExtraViewReport, TourError> {
    let (client, sign_in) = tour.step(Step::EvSignIn, sign_in(sandbox)).await?;
    let heartbeat = tour.step(Step::EvHeartbeat, heartbeat(&client)).await?;
    let search = tour
        .step_with_output(Step::EvSearch, async |out| {
            search(&client, sandbox, out).await
        })
        .await?;
    let (search, found) = search;
    let issue = tour.step(Step::EvIssue, one_issue(&client, &found)).await?;
    let insert = tour.step(Step::EvInsert, insert(&client)).await?;
    let update = tour.step(Step::EvUpdate, update(&client, &insert)).await?;
    let history = tour
        .step(Step::EvHistory, history(&client, &insert))
        .await?;
    let attachments = tour
        .step(Step::EvAttachments, attachments(&client, insert.id))
        .await?;
    let deleted = tour
        .step(Step::EvDelete, delete(&client, insert.id))
        .await?;
    let expiry = tour
        .step_with_output(Step::EvTokenExpiry, async |out| {
            expiry_mid_search(&client, sandbox, out).await
        })
        .await?;
    let stats = sandbox.extraview().stats();
    Ok(ExtraViewReport {
        sign_in,
        heartbeat,
        search,
        issue,
        insert,
        update,
        history,
        attachments,
        deleted,
        expiry,
        token_requests: stats.token_requests,
        api_requests: stats.api_requests,
    })
}

/// An ExtraView SDK error as the tour prints it (its `Display` never shows the password or a
/// token).
fn describe(error: extraview_sdk::Error) -> String {
    error.to_string()
}

/// The issue's id as a number.
fn id_of(record: &Record) -> Result<u64, String> {
    record
        .id()
        .and_then(|id| id.parse().ok())
        .ok_or_else(|| format!("a record without a numeric ID: {:?}", record.id()))
}

/// Step 19: `get_token` with the sandbox's demo API user, before any call, to show the
/// token's lifetime (never the token).
async fn sign_in(sandbox: &RunningSandbox) -> Result<((Client, EvSignInReport), String), String> {
    let (user, password) = sandbox.extraview_credentials();
    let client = Client::builder()
        .base_url(sandbox.extraview_url())
        .credentials(user, password)
        .build()
        .map_err(describe)?;
    let token = client
        .auth()
        .token()
        .await
        .map_err(|e| format!("get_token failed: {e}"))?;
    let expires = token
        .expiry()
        .ok_or("the get_token answer carried no lifetime")?;
    let left = expires
        .duration_since(SystemTime::now())
        .unwrap_or_default();
    let stats = sandbox.extraview().stats();
    let report = EvSignInReport {
        user_id: user.to_owned(),
        lifetime: Duration::from_secs(left.as_secs_f64().round() as u64),
        expires_at: DateTime::<Utc>::from(expires),
        token_requests: stats.token_requests,
        api_requests: stats.api_requests,
    };
    if (
        report.token_requests,
        stats.tokens_issued,
        report.api_requests,
    ) != (1, 1, 0)
    {
        return Err(format!(
            "expected one get_token and no other call; the sandbox counted {} token requests, \
             {} tokens issued and {} API requests",
            report.token_requests, stats.tokens_issued, report.api_requests
        ));
    }
    let note = format!(
        "{} signed in with get_token: a token for {} s (until {}), sent in the query of every \
         call and never shown",
        report.user_id,
        report.lifetime.as_secs(),
        report.expires_at.format("%H:%M:%S UTC")
    );
    Ok(((client, report), note))
}

/// Step 20: the heartbeat with the background tasks.
async fn heartbeat(client: &Client) -> Result<(EvHeartbeatReport, String), String> {
    let beat = client.heartbeat_with_tasks().await.map_err(describe)?;
    if !beat.is_alive() || !beat.is_db_confirmed() {
        return Err(format!(
            "the heartbeat says {:?} and {:?}",
            beat.ev_status, beat.db_status
        ));
    }
    let report = EvHeartbeatReport {
        status: beat.ev_status.clone().unwrap_or_default(),
        db_status: beat.db_status.clone().unwrap_or_default(),
        db_datetime: beat.db_datetime.clone().unwrap_or_default(),
        free_memory_mb: beat.free_memory_mb,
        total_memory_mb: beat.total_memory_mb,
        tasks: beat
            .tasks
            .iter()
            .map(|t| {
                (
                    t.task.clone().unwrap_or_default(),
                    t.task_state.clone().unwrap_or_default(),
                )
            })
            .collect(),
    };
    if report.tasks.is_empty() {
        return Err("tasks=yes, but the heartbeat listed no task".into());
    }
    let tasks: Vec<String> = report
        .tasks
        .iter()
        .map(|(task, state)| format!("{task} {}", state.to_lowercase()))
        .collect();
    let note = format!(
        "{}, {} (server time {}); {} of {} MB free; tasks: {}",
        report.status,
        report.db_status,
        report.db_datetime,
        shown(report.free_memory_mb),
        shown(report.total_memory_mb),
        tasks.join(", ")
    );
    Ok((report, note))
}

/// Step 21: the issues of one product through the search stream, a few to a page, checked
/// against the same search in one request.
async fn search<W: Write>(
    client: &Client,
    sandbox: &RunningSandbox,
    out: &mut Output<'_, W>,
) -> Result<((EvSearchReport, Vec<Record>), String), String> {
    let requests = || sandbox.extraview().stats().api_requests;
    let query = SearchQuery::new()
        .filter(FILTER.0, FILTER.1)
        .username_display(UsernameDisplay::Id);
    let before = requests();
    let mut stream = std::pin::pin!(client.search_stream(query.clone().page_length(SEARCH_PAGE)));
    let mut per_page: Vec<usize> = Vec::new();
    let mut records = Vec::new();
    while let Some(record) = stream.try_next().await.map_err(describe)? {
        // The stream asks for the next page only once this one is used up, so the request
        // count tells which page a record came in.
        let page = usize::try_from(requests() - before).unwrap_or(usize::MAX);
        if per_page.len() < page {
            per_page.resize(page, 0);
        }
        if let Some(n) = per_page.last_mut() {
            *n += 1;
        }
        records.push(record);
        out.progress(|| format!("     search: page {page}, {} issues so far", records.len()));
    }
    let paged_requests = requests() - before;
    per_page.resize(usize::try_from(paged_requests).unwrap_or(usize::MAX), 0);
    let ids: Vec<String> = records
        .iter()
        .map(|r| r.id().unwrap_or_default().to_owned())
        .collect();
    // The same search in one request: what the pages must add up to.
    let whole = client
        .search(&query.clone().page_length(ISSUES as u64))
        .await
        .map_err(describe)?;
    let whole_ids: Vec<&str> = whole.records.iter().filter_map(Record::id).collect();
    if ids.is_empty() || ids != whole_ids {
        return Err(format!(
            "the pages of {SEARCH_PAGE} gave {ids:?}, one request of {ISSUES} gave {whole_ids:?}"
        ));
    }
    let size = SEARCH_PAGE as usize;
    // Every page until an empty one: a short page may be a server's cap, not the end.
    let expected = ids.len().div_ceil(size) + 1;
    if per_page.len() != expected
        || per_page.last() != Some(&0)
        || per_page.iter().any(|&n| n > size)
    {
        return Err(format!(
            "{} issues in pages of {per_page:?}, expected {expected} requests of at most {size}, \
             the last one empty",
            ids.len()
        ));
    }
    if let Some(odd) = records.iter().find(|r| r.text(FILTER.0) != Some(FILTER.1)) {
        return Err(format!(
            "issue {:?} has {} {:?}, not {}",
            odd.id(),
            FILTER.0,
            odd.text(FILTER.0),
            FILTER.1
        ));
    }
    let mut by_status = BTreeMap::<String, usize>::new();
    for record in &records {
        *by_status
            .entry(record.text("STATUS").unwrap_or("?").to_owned())
            .or_default() += 1;
    }
    let report = EvSearchReport {
        filter: (FILTER.0.to_owned(), FILTER.1.to_owned()),
        count: ids.len(),
        page_length: SEARCH_PAGE,
        per_page,
        requests: paged_requests,
        by_status: by_status.into_iter().collect(),
        ids,
    };
    let pages: Vec<String> = report.per_page[..report.per_page.len() - 1]
        .iter()
        .map(usize::to_string)
        .collect();
    let statuses: Vec<String> = report
        .by_status
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect();
    let note = format!(
        "{} issues with {}={} in {} requests of page_length {} ({}, then an empty page), the \
         same {} as one request of {ISSUES}; {}",
        report.count,
        FILTER.0,
        FILTER.1,
        report.requests,
        report.page_length,
        pages.join(" + "),
        report.count,
        statuses.join(", ")
    );
    Ok(((report, records), note))
}

/// Step 22: one issue of the search read whole, with its nested groups and repeating rows.
async fn one_issue(client: &Client, found: &[Record]) -> Result<(EvIssueReport, String), String> {
    // One with time entries shows a repeating row too.
    let listed = found
        .iter()
        .find(|r| r.get("TIME_ENTRY_RECORD").is_some())
        .or_else(|| found.first())
        .ok_or("the search found no issue")?;
    let id = id_of(listed)?;
    let issue = client.get(id).await.map_err(describe)?;
    if issue.id() != listed.id() || issue.text("SHORT_DESCR") != listed.text("SHORT_DESCR") {
        return Err(format!(
            "get({id}) answered {:?} {:?}, the search listed {:?} {:?}",
            issue.id(),
            issue.text("SHORT_DESCR"),
            listed.id(),
            listed.text("SHORT_DESCR")
        ));
    }
    let leaf = |path: &[&str]| {
        issue
            .path(path)
            .and_then(|f| f.text())
            .map(str::to_owned)
            .filter(|t| !t.is_empty())
    };
    let module = leaf(&["MODULE_RECORD", "MODULE_NAME"]).ok_or(format!(
        "issue {id} has no MODULE_RECORD > MODULE_NAME group"
    ))?;
    let release_found = leaf(&["RELEASE_RECORD", "RELEASE_FOUND"]).ok_or(format!(
        "issue {id} has no RELEASE_RECORD > RELEASE_FOUND group"
    ))?;
    let rows: Vec<_> = issue.all("TIME_ENTRY_RECORD").collect();
    let hours: f64 = rows
        .iter()
        .filter_map(|row| row.child("TE_HOURS")?.text()?.parse::<f64>().ok())
        .sum();
    let report = EvIssueReport {
        id,
        id_title: issue.title("ID").unwrap_or_default().to_owned(),
        title: issue.text("SHORT_DESCR").unwrap_or_default().to_owned(),
        fields: issue.fields.len(),
        groups: issue
            .fields
            .iter()
            .filter(|f| f.is_group())
            .map(|f| f.name.clone())
            .collect(),
        module,
        release_found,
        release_fixed: leaf(&["RELEASE_RECORD", "RELEASE_FIXED"]),
        time_entries: rows.len(),
        hours,
    };
    let fixed = report
        .release_fixed
        .as_deref()
        .map_or_else(String::new, |f| format!(", RELEASE_FIXED {f}"));
    let note = format!(
        "{} {} {:?}: {} elements; MODULE_RECORD > MODULE_NAME {}, RELEASE_RECORD > \
         RELEASE_FOUND {}{fixed}, {} TIME_ENTRY_RECORD {} ({} h)",
        report.id_title,
        report.id,
        report.title,
        report.fields,
        report.module,
        report.release_found,
        report.time_entries,
        plural(report.time_entries as u64, "row", "rows"),
        report.hours
    );
    Ok((report, note))
}

/// A `history` cutoff (exclusive) one second before a record's `DATE_CREATED`
/// (`yyyy-MM-dd HH:mm:ss`, server time), so that its first version is in.
fn cutoff_before(created: &str) -> Result<String, String> {
    let at = NaiveDateTime::parse_from_str(created, "%Y-%m-%d %H:%M:%S")
        .map_err(|e| format!("DATE_CREATED {created:?} is not yyyy-MM-dd HH:mm:ss: {e}"))?;
    Ok((at - TimeDelta::seconds(1))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string())
}

/// The statuses of the versions of issue `id` since `cutoff`, oldest first.
async fn versions(client: &Client, cutoff: &str, id: u64) -> Result<Vec<String>, String> {
    let id = id.to_string();
    Ok(client
        .history(&HistoryQuery::since(cutoff).fields(["ID", "STATUS", "TIMESTAMP"]))
        .await
        .map_err(describe)?
        .into_iter()
        .filter(|e| e.id.as_deref() == Some(id.as_str()))
        .map(|e| e.record.text("STATUS").unwrap_or("?").to_owned())
        .collect())
}

/// Step 23: the add layout's required fields, the module's key, the insert, the read-back.
async fn insert(client: &Client) -> Result<(EvInsertReport, String), String> {
    let layout = client.add_field_list().await.map_err(describe)?;
    let required: Vec<String> = layout
        .iter()
        .filter(|f| f.flags.required)
        .map(|f| f.name.clone())
        .collect();
    // List fields take keys: the module's, among the modules of the product.
    let modules = client
        .allowed_list("MODULE_NAME", Some(FILTER))
        .await
        .map_err(describe)?;
    let module_key = modules
        .iter()
        .find(|v| v.title == MODULE_TITLE)
        .map(|v| v.key.clone())
        .ok_or(format!(
            "no module {MODULE_TITLE:?} under {}={}: {modules:?}",
            FILTER.0, FILTER.1
        ))?;
    let fields = Fields::new()
        .set("SHORT_DESCR", NEW_TITLE)
        .set("DESCRIPTION", "Every tenth label jams in the rollers.")
        .set("PRIORITY", "P3")
        .set(FILTER.0, FILTER.1)
        .set("MODULE_NAME", &module_key)
        .send_email(false);
    if let Some(missing) = required.iter().find(|f| fields.get(f).is_none()) {
        return Err(format!(
            "the add layout requires {missing}, the tour sets none"
        ));
    }
    let id = client.insert(&fields).await.map_err(describe)?;
    let issue = client.get(id).await.map_err(describe)?;
    let created = issue
        .text("DATE_CREATED")
        .ok_or("the new issue has no DATE_CREATED")?
        .to_owned();
    let cutoff = cutoff_before(&created)?;
    let versions = versions(client, &cutoff, id).await?;
    let report = EvInsertReport {
        id,
        id_title: issue.title("ID").unwrap_or_default().to_owned(),
        required,
        module_key,
        title: issue.text("SHORT_DESCR").unwrap_or_default().to_owned(),
        status: issue.text("STATUS").unwrap_or_default().to_owned(),
        module: issue
            .path(&["MODULE_RECORD", "MODULE_NAME"])
            .and_then(|f| f.text())
            .unwrap_or_default()
            .to_owned(),
        created,
        cutoff,
        versions: versions.len(),
    };
    if report.title != NEW_TITLE || report.versions != 1 || report.module.is_empty() {
        return Err(format!(
            "issue {id} read back as {:?} in module {:?} with {} history versions, expected \
             {NEW_TITLE:?} and 1 version",
            report.title, report.module, report.versions
        ));
    }
    let note = format!(
        "{} {} added (the id read from the answer); the add layout requires {}; module {} by \
         its key {} under {}; read back: {}, {:?}",
        report.id_title,
        report.id,
        report.required.join(", "),
        report.module,
        report.module_key,
        FILTER.1,
        report.status,
        report.title
    );
    Ok((report, note))
}

/// Step 24: status, assignee and a comment, then read back.
async fn update(
    client: &Client,
    inserted: &EvInsertReport,
) -> Result<(EvUpdateReport, String), String> {
    let id = inserted.id;
    let fields = Fields::new()
        .set("STATUS", "ASSIGNED")
        .set("ASSIGNED_TO", ASSIGNEE)
        .set("COMMENTS", COMMENT)
        .send_email(false);
    let updated = client.update(id, &fields).await.map_err(describe)?;
    if updated != id {
        return Err(format!("updating {id} answered issue {updated}"));
    }
    let issue = client.get(id).await.map_err(describe)?;
    let comments = issue.text("COMMENTS").unwrap_or_default();
    let report = EvUpdateReport {
        id,
        status_before: inserted.status.clone(),
        status: issue.text("STATUS").unwrap_or_default().to_owned(),
        assigned_to: issue.text("ASSIGNED_TO").unwrap_or_default().to_owned(),
        comment_added: comments.ends_with(COMMENT),
    };
    if report.status != "ASSIGNED" || report.assigned_to.is_empty() || !report.comment_added {
        return Err(format!(
            "issue {id} read back as {}, assigned to {:?}, comments {comments:?}",
            report.status, report.assigned_to
        ));
    }
    let note = format!(
        "{id} updated: {} -> {}, assigned to {} ({ASSIGNEE}), a comment appended; read back",
        report.status_before, report.status, report.assigned_to
    );
    Ok((report, note))
}

/// Step 25: the new issue's versions since its creation: one more than after the insert.
async fn history(
    client: &Client,
    inserted: &EvInsertReport,
) -> Result<(EvHistoryReport, String), String> {
    let statuses = versions(client, &inserted.cutoff, inserted.id).await?;
    let report = EvHistoryReport {
        id: inserted.id,
        cutoff: inserted.cutoff.clone(),
        versions_after_insert: inserted.versions,
        statuses,
    };
    if report.statuses.len() != report.versions_after_insert + 1 {
        return Err(format!(
            "{} versions of {} after the update ({:?}), {} after the insert: the history did \
             not grow by one",
            report.statuses.len(),
            report.id,
            report.statuses,
            report.versions_after_insert
        ));
    }
    let note = format!(
        "{} versions of {} since {} (exclusive): {}; it grew from {} after the insert",
        report.statuses.len(),
        report.id,
        report.cutoff,
        report.statuses.join(", then "),
        report.versions_after_insert
    );
    Ok((report, note))
}

/// Step 26: none at first, one uploaded, listed, and downloaded byte for byte.
async fn attachments(client: &Client, id: u64) -> Result<(EvAttachmentsReport, String), String> {
    let before = client.list_attachments(id).await.map_err(describe)?.len();
    client
        .upload_attachment(id, "printer log", FILE_NAME, FILE.to_vec())
        .await
        .map_err(describe)?;
    let listed = client.list_attachments(id).await.map_err(describe)?;
    let [file] = listed.as_slice() else {
        return Err(format!(
            "{} attachments listed after one upload to a new issue",
            listed.len()
        ));
    };
    let attachment_id = file
        .id
        .clone()
        .ok_or("list_attachment gave no attachment id")?;
    let downloaded = client
        .download_attachment(&attachment_id)
        .await
        .map_err(describe)?;
    let report = EvAttachmentsReport {
        before,
        after: listed.len(),
        file_name: file.file_name.clone(),
        attachment_id,
        size: file.size,
        uploaded_by: file.uploaded_by.clone().unwrap_or_default(),
        same_bytes: downloaded.as_ref() == FILE,
    };
    if report.before != 0 || report.file_name != FILE_NAME || report.size != Some(FILE.len() as u64)
    {
        return Err(format!(
            "{} attachments before, then {:?} of {:?} bytes; uploaded {FILE_NAME} of {} bytes",
            report.before,
            report.file_name,
            report.size,
            FILE.len()
        ));
    }
    if !report.same_bytes {
        return Err(format!(
            "downloaded {} bytes that differ from the {} uploaded",
            downloaded.len(),
            FILE.len()
        ));
    }
    let note = format!(
        "none at first; {} ({} bytes) uploaded, listed as attachment {} by {}, downloaded: the \
         same bytes",
        report.file_name,
        FILE.len(),
        report.attachment_id,
        report.uploaded_by
    );
    Ok((report, note))
}

/// Step 27: the new issue deleted; `get` then says it does not exist.
async fn delete(client: &Client, id: u64) -> Result<(EvDeleteReport, String), String> {
    let deleted = client.delete(id).await.map_err(describe)?;
    if deleted != id {
        return Err(format!("deleting {id} answered issue {deleted}"));
    }
    let (found_after, answer) = match client.get(id).await {
        Ok(_) => (true, String::new()),
        Err(e) if e.is_not_found() => (
            false,
            e.api().map(|a| a.message.clone()).unwrap_or_default(),
        ),
        Err(e) => return Err(describe(e)),
    };
    if found_after {
        return Err(format!("issue {id} can still be read after its deletion"));
    }
    let report = EvDeleteReport {
        id,
        found_after,
        answer,
    };
    let note = format!("{id} deleted; get now answers {:?}", report.answer);
    Ok((report, note))
}

/// Step 28: every issue in pages, with every token expired through the sandbox's admin API
/// between the first and the second page: the SDK signs in once more and resends the page.
async fn expiry_mid_search<W: Write>(
    client: &Client,
    sandbox: &RunningSandbox,
    out: &mut Output<'_, W>,
) -> Result<(EvExpiryReport, String), String> {
    let stats = || sandbox.extraview().stats();
    let before = stats();
    let admin = reqwest::Client::new();
    let mut stream =
        std::pin::pin!(client.search_stream(SearchQuery::new().page_length(EXPIRY_PAGE)));
    let mut ids: Vec<String> = Vec::new();
    let mut expired = None;
    while let Some(record) = stream.try_next().await.map_err(describe)? {
        ids.push(record.id().unwrap_or_default().to_owned());
        if ids.len() as u64 == EXPIRY_PAGE {
            // Page 1 is used up and page 2 not asked for yet.
            expired = Some(expire_through_admin(&admin, sandbox).await?);
        }
        out.progress(|| format!("     search across the expiry: {} issues so far", ids.len()));
    }
    let after = stats();
    let unique: BTreeSet<&String> = ids.iter().collect();
    let pages = (ISSUES as u64).div_ceil(EXPIRY_PAGE) + 1;
    let report = EvExpiryReport {
        page_length: EXPIRY_PAGE,
        count: ids.len(),
        unique: unique.len(),
        expired: expired.unwrap_or(0),
        token_requests_before: before.token_requests,
        token_requests_after: after.token_requests,
        api_requests: after.api_requests - before.api_requests,
        pages,
    };
    if report.count != ISSUES || report.unique != ISSUES {
        return Err(format!(
            "{} issues ({} distinct) across the expiry, the sandbox holds {ISSUES}",
            report.count, report.unique
        ));
    }
    if report.expired == 0
        || report.token_requests_after != report.token_requests_before + 1
        || report.api_requests != pages + 1
    {
        return Err(format!(
            "expected one refused page, one get_token and the page resent; the sandbox expired \
             {} tokens and counted {} token and {} API requests for {pages} pages",
            report.expired,
            report.token_requests_after - report.token_requests_before,
            report.api_requests
        ));
    }
    let note = format!(
        "{} issues in pages of {}; every token expired through the admin API after page 1; \
         page 2 was refused (session expired), one get_token (token requests {} -> {}), page 2 \
         resent; none missing or repeated",
        report.count, report.page_length, report.token_requests_before, report.token_requests_after
    );
    Ok((report, note))
}

/// `POST /_admin/extraview/tokens/expire`, as a user of the sandbox binary would send it;
/// how many live tokens it expired.
async fn expire_through_admin(
    admin: &reqwest::Client,
    sandbox: &RunningSandbox,
) -> Result<u64, String> {
    let url = format!("{}/extraview/tokens/expire", sandbox.admin_url());
    let answer: serde_json::Value = admin
        .post(&url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .map_err(|e| format!("the admin API did not expire the tokens: {e}"))?
        .json()
        .await
        .map_err(|e| format!("the admin API's answer: {e}"))?;
    answer["expired"]
        .as_u64()
        .ok_or_else(|| format!("the admin API answered {answer}"))
}
