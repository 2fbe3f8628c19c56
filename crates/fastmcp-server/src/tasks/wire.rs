//! How tasks are written on the wire: the task objects of both eras, timestamps, ids.

use fastmcp_protocol::{DetailedTask, ExtensionTask, Task, TaskStatus};
use serde_json::Value;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

use super::store::TaskRecord;

/// `2026-07-28T00:00:00.123Z`: RFC 3339 in UTC with milliseconds.
const ISO8601_MILLIS: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// ISO 8601 (RFC 3339, UTC, milliseconds) of a time in milliseconds since the Unix epoch.
pub(crate) fn iso8601(ms: u64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(ISO8601_MILLIS).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".to_owned())
}

/// A new unguessable task id (a random UUID, version 4).
pub(crate) fn new_task_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A task as 2025-11-25 writes it (`ttl`, `pollInterval`).
pub(crate) fn core_task(r: &TaskRecord) -> Task {
    Task {
        task_id: r.task_id.clone(),
        status: r.status,
        status_message: r.status_message.clone(),
        created_at: iso8601(r.created_at_ms),
        last_updated_at: iso8601(r.last_updated_at_ms),
        ttl: r.ttl_ms,
        poll_interval: r.poll_interval_ms,
    }
}

/// A task as the tasks extension (2026-07-28) writes it.
pub(crate) fn ext_task(r: &TaskRecord) -> ExtensionTask {
    ExtensionTask {
        task_id: r.task_id.clone(),
        status: r.status,
        status_message: r.status_message.clone(),
        created_at: iso8601(r.created_at_ms),
        last_updated_at: iso8601(r.last_updated_at_ms),
        ttl_ms: r.ttl_ms,
        poll_interval_ms: r.poll_interval_ms,
    }
}

/// The task with its result, error or pending input requests inlined (`tasks/get`).
pub(crate) fn detailed_task(r: &TaskRecord) -> DetailedTask {
    let input_requests = (r.status == TaskStatus::InputRequired)
        .then(|| serde_json::from_value(Value::Object(r.input_requests.clone())).ok())
        .flatten();
    DetailedTask {
        task: ext_task(r),
        result: r
            .result
            .clone()
            .filter(|_| r.status == TaskStatus::Completed),
        error: r.error.clone().filter(|_| r.status == TaskStatus::Failed),
        input_requests,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso8601_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_767_225_599_999), "2025-12-31T23:59:59.999Z");
        assert_eq!(iso8601(1_785_196_800_123), "2026-07-28T00:00:00.123Z");
        assert_eq!(iso8601(1_785_196_800_120), "2026-07-28T00:00:00.120Z");
    }

    #[test]
    fn task_ids_are_uuids() {
        let a = new_task_id();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, new_task_id());
    }
}
