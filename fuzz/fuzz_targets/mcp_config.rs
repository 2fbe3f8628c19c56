//! MCPConfig documents (`fastmcp_client::McpConfig::from_json`): the `mcpServers` JSON of
//! the editors and the `fastmcp` CLI.
//!
//! Checks: nothing panics; a document that parses serializes to JSON that parses to the
//! same configuration.
#![no_main]

use fastmcp_client::McpConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(config) = McpConfig::from_json(text) else {
        return;
    };
    let json = serde_json::to_string(&config).expect("a parsed config serializes");
    match McpConfig::from_json(&json) {
        Ok(again) => assert_eq!(again, config, "round trip of {json}"),
        Err(e) => panic!("serialized config does not parse: {e:?}: {json}"),
    }
});
