//! `fastmcp test`: the compliance tester (`fastmcp-tester`) against one server, or two
//! side by side with `--compare`.

use std::time::Duration;

use fastmcp::client::ServerEntry;
use fastmcp_tester::{Era, Options, Target};

use crate::args::{TestArgs, TestEras};
use crate::error::{CliError, CliResult};
use crate::show;
use crate::target::{self, Named};

/// `fastmcp test`.
pub async fn test(a: TestArgs) -> CliResult {
    let mut opts = Options::default();
    if let Some(t) = target::timeout(&a.connect)? {
        opts.timeout = t.max(Duration::from_millis(1));
    }
    opts.eras = match a.eras {
        TestEras::Both => vec![Era::Handshake, Era::Stateless],
        TestEras::Handshake => vec![Era::Handshake],
        TestEras::Stateless => vec![Era::Stateless],
    };
    opts.http_checks = !a.no_http_checks;
    if let Some(pair) = &a.compare {
        let [first, second] = pair.as_slice() else {
            return Err(CliError::usage("--compare takes two servers"));
        };
        let one =
            tester_target(&target::resolve(Some(first), &a.connect).or_else(|_| command(first))?)?;
        let two = tester_target(
            &target::resolve(Some(second), &a.connect).or_else(|_| command(second))?,
        )?;
        let c = fastmcp_tester::compare(one, two, &opts).await;
        if a.json {
            show::json(&c)?;
        } else {
            print!("{}", c.render_table());
        }
        return if c.differs() {
            Err(CliError::failed(
                "the two servers behave differently (see above)",
            ))
        } else {
            Ok(())
        };
    }
    let named = target::resolve(a.server.as_deref(), &a.connect)?;
    let report = fastmcp_tester::run(tester_target(&named)?, &opts).await;
    if a.json {
        show::json(&report)?;
    } else {
        print!("{}", report.render_table());
    }
    if report.failed() {
        let s = report.summary();
        return Err(
            CliError::failed(format!("{} of the checks failed", s.failed))
                .hint("each failure's diagnostic is under its row above"),
        );
    }
    Ok(())
}

/// A command given as one word of `--compare`: split at spaces.
fn command(line: &str) -> CliResult<Named> {
    let words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
    let Some((program, args)) = words.split_first() else {
        return Err(CliError::usage("an empty server in --compare"));
    };
    Ok(Named {
        label: line.to_owned(),
        entry: ServerEntry::Stdio {
            command: program.clone(),
            args: args.to_vec(),
            env: Default::default(),
            cwd: None,
        },
    })
}

/// What the tester can reach: a command on stdio, or Streamable HTTP.
fn tester_target(named: &Named) -> CliResult<Target> {
    match &named.entry {
        ServerEntry::Stdio {
            command, args, env, ..
        } => Ok(Target::Command {
            program: command.clone(),
            args: args.clone(),
            env: env.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        }),
        ServerEntry::Remote { url, transport, .. } if transport.is_none() => {
            Ok(Target::Url(url.clone()))
        }
        ServerEntry::Remote { url, .. } => Err(CliError::usage(format!(
            "{url}: fastmcp test speaks stdio and Streamable HTTP"
        ))
        .hint("test the server's Streamable HTTP endpoint (usually /mcp)")),
    }
}
