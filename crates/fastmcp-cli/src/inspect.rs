//! `fastmcp inspect` (everything a server offers) and `fastmcp list` (one of its lists).

use fastmcp::client::Client;
use fastmcp::protocol::{Prompt, Resource, ResourceTemplate, Tool};
use serde_json::{json, Value};

use crate::args::{InspectArgs, ListArgs, What};
use crate::error::{CliError, CliResult};
use crate::show::{self, Console};
use crate::target;

/// Everything the server offers, read once.
struct Catalogue {
    tools: Vec<Tool>,
    resources: Vec<Resource>,
    templates: Vec<ResourceTemplate>,
    prompts: Vec<Prompt>,
}

/// A server error as the command's failure.
pub fn server_error(what: &str, e: fastmcp::Error) -> CliError {
    if e.kind() == fastmcp::ErrorKind::Timeout {
        return CliError::new(
            crate::error::Exit::Timeout,
            format!("{what}: {}", e.message()),
        )
        .hint("raise --timeout");
    }
    CliError::failed(format!("{what}: {}", e.message()))
}

async fn catalogue(c: &Client) -> CliResult<Catalogue> {
    let caps = c.server_capabilities();
    let tools = match caps.tools {
        Some(_) => c
            .list_tools()
            .await
            .map_err(|e| server_error("tools/list", e))?,
        None => vec![],
    };
    let (resources, templates) = match caps.resources {
        Some(_) => (
            c.list_resources()
                .await
                .map_err(|e| server_error("resources/list", e))?,
            c.list_resource_templates()
                .await
                .map_err(|e| server_error("resources/templates/list", e))?,
        ),
        None => (vec![], vec![]),
    };
    let prompts = match caps.prompts {
        Some(_) => c
            .list_prompts()
            .await
            .map_err(|e| server_error("prompts/list", e))?,
        None => vec![],
    };
    Ok(Catalogue {
        tools,
        resources,
        templates,
        prompts,
    })
}

/// `fastmcp inspect`.
pub async fn inspect(a: InspectArgs) -> CliResult {
    let named = target::resolve(a.server.as_deref(), &a.connect)?;
    let console = Console::default();
    let c = target::connect(&named, &a.connect, &console).await?;
    let cat = catalogue(&c).await?;
    let info = c.server_info();
    let caps = c.server_capabilities();
    if a.json {
        show::json(&json!({
            "serverInfo": info,
            "protocolVersion": c.protocol_version().as_str(),
            "capabilities": caps,
            "instructions": c.instructions(),
            "tools": cat.tools,
            "resources": cat.resources,
            "resourceTemplates": cat.templates,
            "prompts": cat.prompts,
        }))?;
    } else {
        let (name, version) = info
            .map(|i| (i.name, i.version))
            .unwrap_or_else(|| ("(no server info)".into(), String::new()));
        println!("{name} {version}");
        println!("  protocol     {}", c.protocol_version().as_str());
        let declared: Vec<&str> = [
            ("tools", caps.tools.is_some()),
            ("resources", caps.resources.is_some()),
            ("prompts", caps.prompts.is_some()),
            ("completions", caps.completions.is_some()),
            ("logging", caps.logging.is_some()),
            ("tasks", caps.tasks.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, on)| on.then_some(n))
        .collect();
        println!("  capabilities {}", declared.join(", "));
        if let Some(i) = c.instructions() {
            println!("  instructions {}", show::short(&i, 100));
        }
        print_tools(&cat.tools, true);
        print_resources(&cat.resources);
        print_templates(&cat.templates);
        print_prompts(&cat.prompts);
    }
    close(c).await
}

/// `fastmcp list`.
pub async fn list(a: ListArgs) -> CliResult {
    let named = target::resolve(a.server.as_deref(), &a.connect)?;
    let console = Console::default();
    let c = target::connect(&named, &a.connect, &console).await?;
    let cat = catalogue(&c).await?;
    match (a.what, a.json) {
        (What::Tools, true) => show::json(&cat.tools)?,
        (What::Resources, true) => show::json(&cat.resources)?,
        (What::Templates, true) => show::json(&cat.templates)?,
        (What::Prompts, true) => show::json(&cat.prompts)?,
        (What::Tools, false) => print_tools(&cat.tools, false),
        (What::Resources, false) => print_resources(&cat.resources),
        (What::Templates, false) => print_templates(&cat.templates),
        (What::Prompts, false) => print_prompts(&cat.prompts),
    }
    close(c).await
}

/// Close the connection (a child process is ended).
pub async fn close(c: Client) -> CliResult {
    c.close()
        .await
        .map_err(|e| CliError::failed(format!("closing the connection: {}", e.message())))
}

fn print_tools(tools: &[Tool], schemas: bool) {
    println!("tools ({})", tools.len());
    for t in tools {
        let desc = t.description.as_deref().map(|d| show::short(d, 80));
        println!(
            "  {}{}",
            t.name,
            desc.map(|d| format!("  {d}")).unwrap_or_default()
        );
        if schemas {
            for line in schema_lines(&t.input_schema) {
                println!("      {line}");
            }
        }
    }
}

/// One line per property of an object schema: name, type, required, description.
fn schema_lines(schema: &Value) -> Vec<String> {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let Some(props) = schema["properties"].as_object() else {
        return vec![];
    };
    props
        .iter()
        .map(|(name, p)| {
            let ty = match &p["type"] {
                Value::String(s) => s.clone(),
                Value::Array(a) => a
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("|"),
                _ if p.get("enum").is_some() => "enum".into(),
                _ => "any".into(),
            };
            let req = if required.contains(&name.as_str()) {
                ", required"
            } else {
                ""
            };
            let desc = p["description"]
                .as_str()
                .map(|d| format!("  {}", show::short(d, 60)))
                .unwrap_or_default();
            format!("{name}: {ty}{req}{desc}")
        })
        .collect()
}

fn print_resources(resources: &[Resource]) {
    println!("resources ({})", resources.len());
    for r in resources {
        let mime = r.mime_type.as_deref().unwrap_or("");
        println!("  {}  {}  {mime}", r.uri, r.name);
    }
}

fn print_templates(templates: &[ResourceTemplate]) {
    println!("resource templates ({})", templates.len());
    for t in templates {
        println!("  {}  {}", t.uri_template, t.name);
    }
}

fn print_prompts(prompts: &[Prompt]) {
    println!("prompts ({})", prompts.len());
    for p in prompts {
        let args: Vec<String> = p
            .arguments
            .iter()
            .flatten()
            .map(|a| {
                let opt = if a.required == Some(true) { "" } else { "?" };
                format!("{}{opt}", a.name)
            })
            .collect();
        let desc = p.description.as_deref().map(|d| show::short(d, 60));
        println!(
            "  {}({}){}",
            p.name,
            args.join(", "),
            desc.map(|d| format!("  {d}")).unwrap_or_default()
        );
    }
}
