//! What the stateless era adds to every result: `resultType`, and on lists `ttlMs` and
//! `cacheScope`.

/// Stamp result `$r` of `$call` for its era (`list` adds the cache hints of `$rt`).
macro_rules! stamp {
    ($call:expr, $r:expr) => {
        if $call.stateless() {
            $r.result_type = Some(fastmcp_protocol::ResultType::Complete);
        }
    };
    ($rt:expr, $call:expr, $r:expr, list) => {
        if $call.stateless() {
            $r.result_type = Some(fastmcp_protocol::ResultType::Complete);
            $r.ttl_ms = Some($rt.config.list_ttl_ms);
            $r.cache_scope = Some($rt.config.cache_scope);
        }
    };
}

pub(crate) use stamp;
