//! The answer of `get_heartbeat`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Whether the server and its database are up (`EV_HEARTBEAT`).
///
/// ```
/// let beat = extraview_sdk::parse::heartbeat(
///     "<EV_HEARTBEAT><EV_STATUS>EXTRAVIEW ALIVE</EV_STATUS>\
///      <DB_STATUS>DB CONNECTION CONFIRMED</DB_STATUS><FREE_MEMORY>197</FREE_MEMORY></EV_HEARTBEAT>",
/// )?;
/// assert!(beat.is_alive() && beat.is_db_confirmed());
/// assert_eq!(beat.free_memory_mb, Some(197));
/// # Ok::<(), extraview_sdk::parse::ParseError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Heartbeat {
    /// `EV_STATUS`, such as `EXTRAVIEW ALIVE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ev_status: Option<String>,
    /// `DB_STATUS`, such as `DB CONNECTION CONFIRMED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_status: Option<String>,
    /// `DB_DATETIME`: the database server's time, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub db_datetime: Option<String>,
    /// `FREE_MEMORY` in MB, when it is a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_memory_mb: Option<u64>,
    /// `TOTAL_MEMORY` in MB, when it is a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_memory_mb: Option<u64>,
    /// `HEARTBEAT_EXEC_TIME` in ms, when it is a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_time_ms: Option<u64>,
    /// `TASK_INFO` elements (with `tasks=yes`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskInfo>,
}

impl Heartbeat {
    /// Whether `EV_STATUS` says `ALIVE`.
    ///
    /// ```
    /// assert!(!extraview_sdk::Heartbeat::default().is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        contains(self.ev_status.as_deref(), "ALIVE")
    }

    /// Whether `DB_STATUS` says `CONFIRMED`.
    ///
    /// ```
    /// assert!(!extraview_sdk::Heartbeat::default().is_db_confirmed());
    /// ```
    pub fn is_db_confirmed(&self) -> bool {
        contains(self.db_status.as_deref(), "CONFIRMED")
    }
}

fn contains(text: Option<&str>, word: &str) -> bool {
    text.is_some_and(|t| t.to_ascii_uppercase().contains(word))
}

/// One background task of a heartbeat with `tasks=yes`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TaskInfo {
    /// The `TASK` attribute: the task's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// `NODE_ID`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// `START_OPTION`: `START_NOW`, `STOP_NOW`, `START_ON_BOOT` or `none`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_option: Option<String>,
    /// `TASK_STATE`: `STARTED`, `STOPPED` or `ERROR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_state: Option<String>,
    /// `POLL_INTERVAL`, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<String>,
    /// `THREAD_INFO` elements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub threads: Vec<ThreadInfo>,
}

/// One thread of a [`TaskInfo`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ThreadInfo {
    /// `THREAD_STATE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_state: Option<String>,
    /// `SECS_SINCE_EXECUTION`, when it is a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secs_since_execution: Option<u64>,
    /// `PRIORITY`, as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
}
