//! Running the catalogue: one fresh connection per era, the checks in order.

use std::time::Instant;

use crate::catalogue;
use crate::checks::{http, jsonrpc, lifecycle, listing, prompts, resources, tools, Ctx, Verdict};
use crate::report::{CheckResult, EraReport, Report, Status};
use crate::session::Session;
use crate::target::{Era, Options, Target};

/// Run one check and record it.
macro_rules! check {
    ($ctx:expr, $id:literal, $f:expr) => {{
        let started = Instant::now();
        let v = $f(&mut $ctx).await;
        $ctx.record($id, v, started);
    }};
}

/// Run every check against `target`, per era.
///
/// ```no_run
/// # async fn demo() {
/// use fastmcp_tester::{run, Options, Target};
/// let report = run(Target::Url("http://127.0.0.1:8000/mcp".into()), &Options::default()).await;
/// println!("{}", report.render_table());
/// assert!(!report.failed());
/// # }
/// ```
pub async fn run(target: Target, opts: &Options) -> Report {
    let mut eras = Vec::new();
    for era in &opts.eras {
        eras.push(run_era(&target, *era, opts).await);
    }
    Report {
        target: target.describe(),
        eras,
    }
}

fn one(id: &str, v: Verdict, started: Instant) -> CheckResult {
    CheckResult {
        id: id.to_owned(),
        status: v.status,
        diagnostic: v.diagnostic,
        duration_ms: started.elapsed().as_secs_f64() * 1000.0,
    }
}

/// The checks of one era on a connection of their own.
pub(crate) async fn run_era(target: &Target, era: Era, opts: &Options) -> EraReport {
    let started = Instant::now();
    let first = match era {
        Era::Handshake => "lifecycle.initialize",
        Era::Stateless => "lifecycle.discover",
    };
    let s = match Session::open(target, era, opts.timeout).await {
        Ok(s) => s,
        Err(e) => {
            let v = Verdict::fail(format!("could not connect: {e}"));
            return EraReport {
                era,
                protocol_version: None,
                checks: vec![one(first, v, started)],
            };
        }
    };
    let mut ctx = Ctx::new(s, opts, target);
    let go_on = match era {
        Era::Handshake => {
            let (v, ok) = lifecycle::initialize(&mut ctx).await;
            ctx.record(first, v, started);
            ok
        }
        Era::Stateless => match lifecycle::discover(&mut ctx).await {
            Ok(v) => {
                ctx.record(first, v, started);
                true
            }
            Err(reason) => {
                let v = Verdict::skip(format!("the stateless era is not offered: {reason}"));
                ctx.record(first, v, started);
                ctx.s.close().await;
                return EraReport {
                    era,
                    protocol_version: None,
                    checks: ctx.results,
                };
            }
        },
    };
    if go_on {
        catalogue(&mut ctx).await;
    } else {
        for id in catalogue::after_opening() {
            let v = Verdict::skip(format!("{first} failed"));
            ctx.record(id, v, Instant::now());
        }
    }
    let results = std::mem::take(&mut ctx.results);
    let version =
        (go_on || results.iter().any(|c| c.status != Status::Fail)).then(|| ctx.s.version.clone());
    ctx.s.close().await;
    EraReport {
        era,
        protocol_version: version,
        checks: results,
    }
}

/// Everything after the first check, in order.
async fn catalogue(ctx: &mut Ctx<'_>) {
    if ctx.era() == Era::Handshake {
        check!(
            *ctx,
            "lifecycle.version-negotiation",
            lifecycle::version_negotiation
        );
    }
    check!(*ctx, "ping", lifecycle::ping);
    check!(*ctx, "tools.list", listing::tools);
    check!(*ctx, "tools.call.valid", tools::call_valid);
    check!(*ctx, "tools.call.invalid", tools::call_invalid);
    check!(*ctx, "tools.call.unknown", tools::call_unknown);
    check!(*ctx, "resources.list", listing::resources);
    check!(*ctx, "resources.templates.list", listing::templates);
    check!(*ctx, "resources.read", resources::read);
    check!(*ctx, "resources.read.unknown", resources::read_unknown);
    check!(*ctx, "resources.subscribe", resources::subscribe);
    check!(*ctx, "prompts.list", listing::prompts);
    check!(*ctx, "prompts.get", prompts::get);
    check!(*ctx, "completion.complete", prompts::complete);
    check!(*ctx, "logging.setLevel", prompts::set_level);
    check!(*ctx, "jsonrpc.unknown-method", jsonrpc::unknown_method);
    check!(*ctx, "jsonrpc.invalid-request", jsonrpc::invalid_request);
    // Late: a server that answers with wrong ids can fall out of step after it.
    check!(*ctx, "cancellation", jsonrpc::cancellation);
    check!(*ctx, "jsonrpc.ids", jsonrpc::ids);
    check!(*ctx, "http.notification-202", http::notification_202);
    check!(*ctx, "http.session-id", http::session_id);
    check!(*ctx, "http.accept-header", http::accept_header);
    check!(*ctx, "http.get-without-session", http::get_without_session);
    check!(
        *ctx,
        "http.protocol-version-header",
        http::protocol_version_header
    );
    check!(*ctx, "http.delete-session", http::delete_session);
    let started = Instant::now();
    let v = jsonrpc::framing(ctx);
    ctx.record("jsonrpc.framing", v, started);
}
