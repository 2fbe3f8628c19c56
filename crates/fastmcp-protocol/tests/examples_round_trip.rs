//! Every example message of the 2026-07-28 specification parses into the Rust type named by
//! its directory and serializes back to the same JSON.

use std::path::{Path, PathBuf};

use fastmcp_protocol::jsonrpc::Message;
use fastmcp_protocol::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spec/2026-07-28-examples")
}

/// Parse `text` into `T` (from the text itself, so raw values work), serialize, compare.
fn round_trip<T: DeserializeOwned + Serialize>(what: &str, text: &str) {
    let original: Value = serde_json::from_str(text).unwrap();
    let parsed: T = serde_json::from_str(text).unwrap_or_else(|e| {
        panic!(
            "{what}: does not parse as {}: {e}",
            std::any::type_name::<T>()
        )
    });
    let back = serde_json::to_value(&parsed).unwrap();
    assert_eq!(back, original, "{what}: differs after a round trip");
}

fn round_trip_value<T: DeserializeOwned + Serialize>(what: &str, v: &Value) {
    round_trip::<T>(what, &v.to_string());
}

/// A JSON-RPC envelope: when it has `jsonrpc`, the envelope parser must accept it and write
/// it back unchanged.
fn check_envelope(what: &str, v: &Value) {
    if v.get("jsonrpc").is_some() {
        let m = Message::parse(v.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{what}: envelope rejected: {e:?}"));
        let back: Value = serde_json::from_str(&m.to_json()).unwrap();
        assert_eq!(&back, v, "{what}: envelope differs after a round trip");
    }
}

/// A request or notification (or an input request without an envelope): check the method
/// and round-trip the params.
fn request<P: DeserializeOwned + Serialize>(what: &str, v: &Value, method: &str, optional: bool) {
    check_envelope(what, v);
    assert_eq!(v["method"], method, "{what}: method");
    match v.get("params") {
        Some(p) => round_trip_value::<P>(what, p),
        None => assert!(optional, "{what}: params missing"),
    }
}

/// A result response: round-trip the result (as `InputRequiredResult` when it says so).
fn response<R: DeserializeOwned + Serialize>(what: &str, v: &Value) {
    check_envelope(what, v);
    assert!(v.get("id").is_some(), "{what}: no id");
    let result = &v["result"];
    if result["resultType"] == "input_required" {
        round_trip_value::<InputRequiredResult>(what, result);
    } else {
        round_trip_value::<R>(what, result);
    }
}

/// A JSON-RPC error response with this code.
fn error_response(what: &str, v: &Value, code: i32) {
    check_envelope(what, v);
    match Message::parse(v.to_string().as_bytes()) {
        Ok(Message::Error(e)) => assert_eq!(e.error.code, code, "{what}: code"),
        other => panic!("{what}: not an error response: {other:?}"),
    }
}

/// A bare error object with this code.
fn error_object(what: &str, text: &str, code: i32) {
    round_trip::<ErrorObject>(what, text);
    let e: ErrorObject = serde_json::from_str(text).unwrap();
    assert_eq!(e.code, code, "{what}: code");
}

/// Check one example file of directory `dir`; `false` when the directory is not known.
fn check(dir: &str, what: &str, text: &str) -> bool {
    let v: Value = serde_json::from_str(text).unwrap();
    let v = &v;
    match dir {
        // Plain types.
        "AudioContent" => round_trip::<AudioContent>(what, text),
        "BlobResourceContents" => round_trip::<BlobResourceContents>(what, text),
        "BooleanSchema" => round_trip::<BooleanSchema>(what, text),
        "CallToolRequestParams" => round_trip::<CallToolRequestParams>(what, text),
        "CallToolResult" => round_trip::<CallToolResult>(what, text),
        "CancelledNotificationParams" => round_trip::<CancelledNotificationParams>(what, text),
        "ClientCapabilities" => round_trip::<ClientCapabilities>(what, text),
        "CompleteRequestParams" => round_trip::<CompleteRequestParams>(what, text),
        "CompleteResult" => round_trip::<CompleteResult>(what, text),
        "CreateMessageRequestParams" => round_trip::<CreateMessageRequestParams>(what, text),
        "CreateMessageResult" => round_trip::<CreateMessageResult>(what, text),
        "DiscoverResult" => round_trip::<DiscoverResult>(what, text),
        "ElicitRequestFormParams" => {
            round_trip::<ElicitRequestFormParams>(what, text);
            round_trip::<ElicitRequestParams>(what, text);
            if let Some(s) = v.get("requestedSchema") {
                round_trip_value::<RequestedSchema>(what, s);
            }
        }
        "ElicitRequestURLParams" => {
            round_trip::<ElicitRequestUrlParams>(what, text);
            round_trip::<ElicitRequestParams>(what, text);
        }
        "ElicitResult" => round_trip::<ElicitResult>(what, text),
        "EmbeddedResource" => round_trip::<EmbeddedResource>(what, text),
        "GetPromptRequestParams" => round_trip::<GetPromptRequestParams>(what, text),
        "GetPromptResult" => round_trip::<GetPromptResult>(what, text),
        "ImageContent" => round_trip::<ImageContent>(what, text),
        "InputRequests" => round_trip::<InputRequests>(what, text),
        "InputRequiredResult" => round_trip::<InputRequiredResult>(what, text),
        "InputResponses" => round_trip::<InputResponses>(what, text),
        "ListPromptsResult" => round_trip::<ListPromptsResult>(what, text),
        "ListResourceTemplatesResult" => round_trip::<ListResourceTemplatesResult>(what, text),
        "ListResourcesResult" => round_trip::<ListResourcesResult>(what, text),
        "ListRootsResult" => round_trip::<ListRootsResult>(what, text),
        "ListToolsResult" => round_trip::<ListToolsResult>(what, text),
        "LoggingMessageNotificationParams" => {
            round_trip::<LoggingMessageNotificationParams>(what, text)
        }
        "ModelPreferences" => round_trip::<ModelPreferences>(what, text),
        "NumberSchema" => round_trip::<NumberSchema>(what, text),
        "PaginatedRequestParams" => round_trip::<PaginatedRequestParams>(what, text),
        "ProgressNotificationParams" => round_trip::<ProgressNotificationParams>(what, text),
        "ReadResourceResult" => round_trip::<ReadResourceResult>(what, text),
        "Resource" => round_trip::<Resource>(what, text),
        "ResourceLink" => round_trip::<ResourceLink>(what, text),
        "ResourceUpdatedNotificationParams" => {
            round_trip::<ResourceUpdatedNotificationParams>(what, text)
        }
        "Root" => round_trip::<Root>(what, text),
        "SamplingMessage" => round_trip::<SamplingMessage>(what, text),
        "ServerCapabilities" => round_trip::<ServerCapabilities>(what, text),
        "StringSchema" => round_trip::<StringSchema>(what, text),
        "SubscriptionsListenResult" => round_trip::<SubscriptionsListenResult>(what, text),
        "TextContent" => round_trip::<TextContent>(what, text),
        "TextResourceContents" => round_trip::<TextResourceContents>(what, text),
        "TitledMultiSelectEnumSchema" => round_trip::<TitledMultiSelectEnumSchema>(what, text),
        "TitledSingleSelectEnumSchema" => round_trip::<TitledSingleSelectEnumSchema>(what, text),
        "Tool" => round_trip::<Tool>(what, text),
        "ToolResultContent" => round_trip::<ToolResultContent>(what, text),
        "ToolUseContent" => round_trip::<ToolUseContent>(what, text),
        "UntitledMultiSelectEnumSchema" => round_trip::<UntitledMultiSelectEnumSchema>(what, text),
        "UntitledSingleSelectEnumSchema" => {
            round_trip::<UntitledSingleSelectEnumSchema>(what, text)
        }

        // Requests.
        "CallToolRequest" => request::<CallToolRequestParams>(what, v, "tools/call", false),
        "CompleteRequest" => {
            request::<CompleteRequestParams>(what, v, "completion/complete", false)
        }
        "DiscoverRequest" => request::<RequestParams>(what, v, "server/discover", false),
        "GetPromptRequest" => request::<GetPromptRequestParams>(what, v, "prompts/get", false),
        "ListPromptsRequest" => request::<PaginatedRequestParams>(what, v, "prompts/list", false),
        "ListResourceTemplatesRequest" => {
            request::<PaginatedRequestParams>(what, v, "resources/templates/list", false)
        }
        "ListResourcesRequest" => {
            request::<PaginatedRequestParams>(what, v, "resources/list", false)
        }
        "ListToolsRequest" => request::<PaginatedRequestParams>(what, v, "tools/list", false),
        "ReadResourceRequest" => {
            request::<ReadResourceRequestParams>(what, v, "resources/read", false)
        }
        "SubscriptionsListenRequest" => {
            request::<SubscriptionsListenRequestParams>(what, v, "subscriptions/listen", false)
        }
        // Input requests (no JSON-RPC envelope in 2026-07-28): the same shape as `InputRequest`.
        "CreateMessageRequest" => {
            request::<CreateMessageRequestParams>(what, v, "sampling/createMessage", false);
            round_trip::<InputRequest>(what, text);
        }
        "ElicitRequest" => {
            request::<ElicitRequestParams>(what, v, "elicitation/create", false);
            round_trip::<InputRequest>(what, text);
        }
        "ListRootsRequest" => {
            // The example carries an `id` (not part of the 2026-07-28 shape): compare the rest.
            request::<ListRootsRequestParams>(what, v, "roots/list", true);
            let mut rest = v.clone();
            rest.as_object_mut().unwrap().remove("id");
            round_trip_value::<InputRequest>(what, &rest);
        }

        // Notifications.
        "CancelledNotification" => {
            request::<CancelledNotificationParams>(what, v, "notifications/cancelled", false)
        }
        "LoggingMessageNotification" => {
            request::<LoggingMessageNotificationParams>(what, v, "notifications/message", false)
        }
        "ProgressNotification" => {
            request::<ProgressNotificationParams>(what, v, "notifications/progress", false)
        }
        "PromptListChangedNotification" => {
            request::<NotificationParams>(what, v, "notifications/prompts/list_changed", true)
        }
        "ResourceListChangedNotification" => {
            request::<NotificationParams>(what, v, "notifications/resources/list_changed", true)
        }
        "ToolListChangedNotification" => {
            request::<NotificationParams>(what, v, "notifications/tools/list_changed", true)
        }
        "ResourceUpdatedNotification" => request::<ResourceUpdatedNotificationParams>(
            what,
            v,
            "notifications/resources/updated",
            false,
        ),
        "SubscriptionsAcknowledgedNotification" => {
            request::<SubscriptionsAcknowledgedNotificationParams>(
                what,
                v,
                "notifications/subscriptions/acknowledged",
                false,
            )
        }

        // Responses.
        "CallToolResultResponse" => response::<CallToolResult>(what, v),
        "CompleteResultResponse" => response::<CompleteResult>(what, v),
        "DiscoverResultResponse" => response::<DiscoverResult>(what, v),
        "GetPromptResultResponse" => response::<GetPromptResult>(what, v),
        "ListPromptsResultResponse" => response::<ListPromptsResult>(what, v),
        "ListResourceTemplatesResultResponse" => response::<ListResourceTemplatesResult>(what, v),
        "ListResourcesResultResponse" => response::<ListResourcesResult>(what, v),
        "ListToolsResultResponse" => response::<ListToolsResult>(what, v),
        "ReadResourceResultResponse" => response::<ReadResourceResult>(what, v),
        "SubscriptionsListenResultResponse" => response::<SubscriptionsListenResult>(what, v),

        // Errors.
        "HeaderMismatchError" => error_response(what, v, error_code::HEADER_MISMATCH),
        "MissingRequiredClientCapabilityError" => {
            error_response(what, v, error_code::MISSING_REQUIRED_CLIENT_CAPABILITY)
        }
        "UnsupportedProtocolVersionError" => {
            error_response(what, v, error_code::UNSUPPORTED_PROTOCOL_VERSION)
        }
        "InternalError" => error_object(what, text, error_code::INTERNAL_ERROR),
        "InvalidParamsError" => error_object(what, text, error_code::INVALID_PARAMS),
        "MethodNotFoundError" => error_object(what, text, error_code::METHOD_NOT_FOUND),
        "ParseError" => error_object(what, text, error_code::PARSE_ERROR),

        _ => return false,
    }
    true
}

#[test]
fn every_example_round_trips() {
    let dir = examples_dir();
    let mut dirs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        !dirs.is_empty(),
        "no example directories in {}",
        dir.display()
    );

    let mut unhandled = Vec::new();
    let mut files = 0;
    for d in &dirs {
        let name = d.file_name().unwrap().to_str().unwrap().to_owned();
        let mut entries: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        entries.sort();
        assert!(!entries.is_empty(), "{name}: no example files");
        for f in entries {
            let what = format!("{name}/{}", f.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&f).unwrap();
            if !check(&name, &what, &text) {
                unhandled.push(name.clone());
                break;
            }
            files += 1;
        }
    }
    assert!(
        unhandled.is_empty(),
        "example directories with no mapping: {unhandled:?}"
    );
    assert!(files > 0);
    eprintln!(
        "{files} example files in {} directories round-tripped",
        dirs.len()
    );
}
