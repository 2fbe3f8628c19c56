//! A notes server: tools with structured input and output, a tool error, progress in a
//! cancellable loop, a static resource and a resource template, a prompt, state made at
//! startup and shared by every handler. `notes` serves stdio, `notes http 127.0.0.1:8000`
//! Streamable HTTP. The same server in Python FastMCP is `examples/notes/notes.py` (the
//! line counts are in `examples/README.md`).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use fastmcp::prelude::*;

/// A note.
#[schema]
#[derive(Clone)]
struct Note {
    id: u64,
    title: String,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
}

/// Notes found.
#[schema]
struct NoteList {
    notes: Vec<Note>,
}

/// The notes by id, shared by every handler.
type Store = Mutex<BTreeMap<u64, Note>>;

/// Keep a note.
#[tool]
async fn add_note(
    s: State<Store>,
    title: String,
    body: String,
    tags: Option<Vec<String>>,
) -> Json<Note> {
    let mut notes = s.lock().unwrap();
    let id = notes.len() as u64 + 1;
    let note = Note {
        id,
        title,
        body,
        tags: tags.unwrap_or_default(),
    };
    notes.insert(id, note.clone());
    Json(note)
}

/// One note, by id.
#[tool]
async fn get_note(s: State<Store>, id: u64) -> Result<Json<Note>, Error> {
    let note = s.lock().unwrap().get(&id).cloned();
    note.map(Json)
        .ok_or_else(|| Error::tool(format!("no note {id}")))
}

/// The notes with a tag (all without one).
#[tool]
async fn search(s: State<Store>, tag: Option<String>) -> Json<NoteList> {
    let notes = s.lock().unwrap();
    let with_tag = |n: &&Note| tag.as_ref().is_none_or(|t| n.tags.contains(t));
    let notes = notes.values().filter(with_tag).cloned().collect();
    Json(NoteList { notes })
}

/// Export every note as Markdown, reporting progress (cancellable).
#[tool]
async fn export(s: State<Store>, ctx: &Context) -> Result<String, Error> {
    let notes: Vec<Note> = s.lock().unwrap().values().cloned().collect();
    let mut out = String::new();
    for (i, note) in notes.iter().enumerate() {
        ctx.report_progress(i as f64 + 1.0, Some(notes.len() as f64), None)
            .await?;
        out += &format!("# {}\n\n{}\n\n", note.title, note.body);
        ctx.sleep(Duration::from_millis(10)).await?; // stops here once cancelled
    }
    Ok(out)
}

/// How many notes there are.
#[resource(uri = "notes://count")]
async fn count(s: State<Store>) -> String {
    s.lock().unwrap().len().to_string()
}

/// One note, as text.
#[resource(uri = "note://{id}")]
async fn one_note(s: State<Store>, id: u64) -> Result<String, Error> {
    let n = s.lock().unwrap().get(&id).cloned();
    let n = n.ok_or_else(|| Error::resource_not_found(&format!("note://{id}")))?;
    Ok(format!("{}\n\n{}", n.title, n.body))
}

/// Ask for a summary of the notes.
#[prompt]
async fn summarize(style: Option<String>) -> String {
    let style = style.unwrap_or_else(|| "short".into());
    format!("Read the notes with the search tool and write a {style} summary.")
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let ready = || async {
        eprintln!("notes: ready");
        Ok(Store::default())
    };
    let server = Server::new("notes", "1.0.0")
        .lifespan(ready, |_| async { Ok(()) })
        .components((
            add_note, get_note, search, export, count, one_note, summarize,
        ));
    match std::env::args().nth(2) {
        Some(addr) => server.run_http(&addr).await,
        None => server.run_stdio().await,
    }
}
