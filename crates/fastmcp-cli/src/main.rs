//! `fastmcp`: run, develop, inspect, call, install and test MCP servers written in any
//! language. See `fastmcp --help` and the README's "The fastmcp command".
#![forbid(unsafe_code)]

mod args;
mod call;
mod cargo;
mod compliance;
mod dev;
mod error;
mod inspect;
mod install;
mod new;
mod run;
mod show;
mod target;
mod tasks;

use clap::Parser;

use args::{Cli, Command};
use error::CliResult;

fn main() {
    // A bug of ours is one line too, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "error: fastmcp failed inside: {}\n  hint: this is a bug of fastmcp; please report it with the command line you ran",
            error::one_line(&info.to_string())
        );
    }));
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(error::Exit::Failed as i32);
        }
    };
    if let Err(e) = rt.block_on(dispatch(cli.command)) {
        eprintln!("{e}");
        std::process::exit(e.exit as i32);
    }
}

async fn dispatch(command: Command) -> CliResult {
    match command {
        Command::Run(a) => run::run(a).await,
        Command::Dev(a) => dev::dev(a).await,
        Command::Inspect(a) => inspect::inspect(a).await,
        Command::List(a) => inspect::list(a).await,
        Command::Call(a) => call::call(a).await,
        Command::Tasks(a) => tasks::tasks(a).await,
        Command::New(a) => new::new(a),
        Command::Install(a) => install::install(a),
        Command::Test(a) => compliance::test(a).await,
    }
}
