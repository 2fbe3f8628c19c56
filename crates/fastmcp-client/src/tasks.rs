//! Tasks from the client's side (C6): call a tool as a task, then poll, wait (with backoff,
//! answering the task's input requests through the handler), read the result, cancel,
//! list. Both eras: the core tasks of 2025-11-25 (`task` on `tools/call`, `tasks/get`,
//! `tasks/result`, `tasks/list`, `tasks/cancel`) and the tasks extension of 2026-07-28
//! (`resultType: "task"`, `tasks/get` with the outcome inlined, `tasks/update`,
//! `tasks/cancel`; the client declares the extension in its capabilities).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fastmcp_core::Error;
use fastmcp_protocol::jsonrpc::to_raw;
use fastmcp_protocol::{
    CallToolResult, Era, ErrorObject, ProgressNotificationParams, RequestId, TaskStatus,
    TASKS_EXTENSION,
};
use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::client::Client;
use crate::connection::ProgressGuard;
use crate::server_requests::answer;

/// A task as the server last described it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskInfo {
    /// Its id.
    pub task_id: String,
    /// Its status.
    pub status: TaskStatus,
    /// What the server says about the status.
    pub status_message: Option<String>,
    /// How often the server suggests polling.
    pub poll_interval: Option<Duration>,
    /// How long the server keeps it, from its creation.
    pub ttl: Option<Duration>,
    /// The tool's result, once `completed` (stateless era: inlined by `tasks/get`).
    pub result: Option<CallToolResult>,
    /// The error, once `failed` (stateless era).
    pub error: Option<ErrorObject>,
    /// Unanswered input requests (stateless era, `input_required`), by key.
    pub input_requests: Map<String, Value>,
}

impl TaskInfo {
    /// Whether the task has ended (completed, failed or cancelled).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.status,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }

    /// From a task object of either era (`ttl`/`pollInterval` or `ttlMs`/`pollIntervalMs`)
    /// with, in the stateless era, the outcome inlined.
    fn from_value(v: &Value) -> Result<Self, Error> {
        let bad = |m: &str| Error::internal(format!("a task the server sent is malformed: {m}"));
        let ms = |a: &str, b: &str| {
            v.get(a)
                .or_else(|| v.get(b))
                .and_then(Value::as_u64)
                .map(Duration::from_millis)
        };
        Ok(TaskInfo {
            task_id: v["taskId"]
                .as_str()
                .ok_or_else(|| bad("no taskId"))?
                .to_owned(),
            status: serde_json::from_value(v["status"].clone()).map_err(|_| bad("status"))?,
            status_message: v["statusMessage"].as_str().map(str::to_owned),
            poll_interval: ms("pollIntervalMs", "pollInterval"),
            ttl: ms("ttlMs", "ttl"),
            result: match v.get("result") {
                Some(r) => Some(serde_json::from_value(r.clone()).map_err(|_| bad("result"))?),
                None => None,
            },
            error: match v.get("error") {
                Some(e) => Some(serde_json::from_value(e.clone()).map_err(|_| bad("error"))?),
                None => None,
            },
            input_requests: v["inputRequests"].as_object().cloned().unwrap_or_default(),
        })
    }
}

/// How [`TaskHandle::wait`] polls: from `initial`, doubling up to `max` (never faster than
/// the server's suggested interval), giving up after `timeout`.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// The first interval (100 ms by default).
    pub initial: Duration,
    /// The longest interval (5 s by default).
    pub max: Duration,
    /// How long to wait in all (`None`: as long as it takes; the default).
    pub timeout: Option<Duration>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(5),
            timeout: None,
        }
    }
}

/// What calling a tool as a task gave.
pub enum Submitted {
    /// The server answered at once (the tool does not run as a task, or finished).
    Done(CallToolResult),
    /// A task runs on the server.
    Task(Box<TaskHandle>),
}

/// A task this client created: its progress notifications (handshake era) go to the
/// callback given at creation as long as the handle lives.
pub struct TaskHandle {
    client: Client,
    info: TaskInfo,
    _progress: Option<ProgressGuard>,
}

impl Client {
    fn tasks_era(&self) -> Result<Era, Error> {
        let era = self.era();
        let declared = match era {
            Era::Stateless => self
                .capabilities()
                .extensions
                .as_ref()
                .is_some_and(|e| e.contains_key(TASKS_EXTENSION)),
            Era::Handshake => self.server_capabilities().tasks.is_some(),
        };
        if declared {
            Ok(era)
        } else {
            Err(Error::invalid_request(match era {
                Era::Stateless => "tasks need the tasks extension in the client's capabilities",
                Era::Handshake => "the server does not offer tasks",
            }))
        }
    }

    /// Call a tool as a task, asking the server to keep it for `ttl`. Its progress
    /// notifications go to `on_progress` while the returned handle lives.
    ///
    /// ```no_run
    /// # async fn f(client: fastmcp_client::Client) -> Result<(), fastmcp_core::Error> {
    /// use fastmcp_client::tasks::{Submitted, WaitOptions};
    /// match client.call_tool_as_task("report", serde_json::json!({}), None, |_| {}).await? {
    ///     Submitted::Done(result) => println!("{result:?}"),
    ///     Submitted::Task(task) => {
    ///         let result = task.wait(WaitOptions::default(), |t| println!("{:?}", t.status)).await?;
    ///         println!("{result:?}");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn call_tool_as_task(
        &self,
        name: &str,
        arguments: impl Serialize,
        ttl: Option<Duration>,
        on_progress: impl Fn(ProgressNotificationParams) + Send + Sync + 'static,
    ) -> Result<Submitted, Error> {
        let era = self.tasks_era()?;
        let token = RequestId::String(
            format!(
                "task-progress-{}",
                self.inner.progress_seq.fetch_add(1, Ordering::Relaxed)
            )
            .into(),
        );
        let guard = self
            .inner
            .wire
            .on_progress(token.clone(), Arc::new(on_progress));
        let mut params =
            json!({"name": name, "arguments": arguments, "_meta": {"progressToken": token}});
        if era == Era::Handshake {
            params["task"] = match ttl {
                Some(t) => json!({"ttl": t.as_millis() as u64}),
                None => json!({}),
            };
        }
        let v = self
            .request_value("tools/call", params, self.inner.timeouts.idle)
            .await?;
        let task = match era {
            Era::Handshake => v.get("task"),
            Era::Stateless => {
                (v.get("resultType").and_then(Value::as_str) == Some("task")).then_some(&v)
            }
        };
        match task {
            Some(t) => Ok(Submitted::Task(Box::new(TaskHandle {
                client: self.clone(),
                info: TaskInfo::from_value(t)?,
                _progress: Some(guard),
            }))),
            None => Ok(Submitted::Done(serde_json::from_value(v).map_err(|e| {
                Error::internal(format!("bad tools/call result: {e}"))
            })?)),
        }
    }

    /// The task `task_id` as the server has it now (`tasks/get`).
    pub async fn get_task(&self, task_id: &str) -> Result<TaskInfo, Error> {
        let era = self.tasks_era()?;
        let v = self
            .request_value(
                "tasks/get",
                json!({"taskId": task_id}),
                self.inner.timeouts.idle,
            )
            .await?;
        match era {
            Era::Stateless => TaskInfo::from_value(v.get("task").unwrap_or(&v)),
            Era::Handshake => TaskInfo::from_value(&v),
        }
    }

    /// Cancel the task `task_id` (`tasks/cancel`): the task as it is afterwards.
    pub async fn cancel_task(&self, task_id: &str) -> Result<TaskInfo, Error> {
        self.tasks_era()?;
        let v = self
            .request_value(
                "tasks/cancel",
                json!({"taskId": task_id}),
                self.inner.timeouts.idle,
            )
            .await?;
        match v.get("task").unwrap_or(&v) {
            t if t.get("taskId").is_some() => TaskInfo::from_value(t),
            // The tasks extension acknowledges with an empty result.
            _ => self.get_task(task_id).await,
        }
    }

    /// This session's tasks, a page at a time (`tasks/list`, handshake era only: the tasks
    /// extension has no listing).
    pub async fn list_tasks(
        &self,
        cursor: Option<&str>,
    ) -> Result<(Vec<TaskInfo>, Option<String>), Error> {
        if self.tasks_era()? == Era::Stateless {
            return Err(Error::method_not_found("tasks/list"));
        }
        let params = match cursor {
            Some(c) => json!({"cursor": c}),
            None => json!({}),
        };
        let v = self
            .request_value("tasks/list", params, self.inner.timeouts.idle)
            .await?;
        let tasks = v["tasks"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(TaskInfo::from_value)
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        Ok((tasks, v["nextCursor"].as_str().map(str::to_owned)))
    }

    /// Wait for the task `task_id` to end and return its result: polling `tasks/get` with
    /// backoff (each answer to `on_status`), answering its input requests through the
    /// handler (`tasks/update`, stateless era). A failed task is an `Err` with its error; a
    /// cancelled one an `Err` of kind cancelled.
    pub async fn wait_task(
        &self,
        task_id: &str,
        opts: WaitOptions,
        mut on_status: impl FnMut(&TaskInfo),
    ) -> Result<CallToolResult, Error> {
        let era = self.tasks_era()?;
        let start = Instant::now();
        let mut interval = opts.initial;
        loop {
            let info = self.get_task(task_id).await?;
            on_status(&info);
            match info.status {
                TaskStatus::Completed => return self.outcome(era, &info).await,
                TaskStatus::Failed => {
                    return match (era, &info.error) {
                        (Era::Stateless, Some(e)) => Err(Error::from_error_object(e.clone())),
                        _ => self.outcome(era, &info).await,
                    }
                }
                TaskStatus::Cancelled => return Err(Error::cancelled()),
                TaskStatus::InputRequired
                    if era == Era::Stateless && !info.input_requests.is_empty() =>
                {
                    self.answer_task_inputs(&info).await?;
                    interval = opts.initial;
                    continue;
                }
                _ => {}
            }
            if let Some(t) = opts.timeout {
                if start.elapsed() + interval > t {
                    return Err(Error::timeout());
                }
            }
            let floor = info.poll_interval.unwrap_or_default().min(opts.max);
            tokio::time::sleep(interval.max(floor)).await;
            interval = (interval * 2).min(opts.max);
        }
    }

    /// The result of an ended task: inlined (stateless era) or `tasks/result`.
    async fn outcome(&self, era: Era, info: &TaskInfo) -> Result<CallToolResult, Error> {
        if let (Era::Stateless, Some(r)) = (era, &info.result) {
            return Ok(r.clone());
        }
        let v = self
            .request_value("tasks/result", json!({"taskId": info.task_id}), None)
            .await?;
        serde_json::from_value(v).map_err(|e| Error::internal(format!("bad tasks/result: {e}")))
    }

    async fn answer_task_inputs(&self, info: &TaskInfo) -> Result<(), Error> {
        let mut responses = Map::new();
        for (k, r) in &info.input_requests {
            let m = r["method"].as_str().unwrap_or_default();
            let p = to_raw(r.get("params").unwrap_or(&json!({})));
            let a = answer(&*self.inner.handler, &self.inner.capabilities, m, Some(&p)).await?;
            responses.insert(
                k.clone(),
                serde_json::from_str(a.get()).unwrap_or(Value::Null),
            );
        }
        let params = json!({"taskId": info.task_id, "inputResponses": responses});
        self.request_value("tasks/update", params, self.inner.timeouts.idle)
            .await?;
        Ok(())
    }
}

impl TaskHandle {
    /// The task's id.
    pub fn id(&self) -> &str {
        &self.info.task_id
    }

    /// The task as last seen.
    pub fn info(&self) -> &TaskInfo {
        &self.info
    }

    /// Ask the server how the task is now.
    pub async fn refresh(&mut self) -> Result<&TaskInfo, Error> {
        self.info = self.client.get_task(&self.info.task_id).await?;
        Ok(&self.info)
    }

    /// Wait for the end: see [`Client::wait_task`]. Progress keeps going to the callback
    /// given at creation meanwhile.
    pub async fn wait(
        &self,
        opts: WaitOptions,
        on_status: impl FnMut(&TaskInfo),
    ) -> Result<CallToolResult, Error> {
        self.client
            .wait_task(&self.info.task_id, opts, on_status)
            .await
    }

    /// Cancel the task.
    pub async fn cancel(&mut self) -> Result<&TaskInfo, Error> {
        self.info = self.client.cancel_task(&self.info.task_id).await?;
        Ok(&self.info)
    }
}
