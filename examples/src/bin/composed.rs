//! Composition: one server made of three. `weather` and `math` are mounted live (they
//! start and stop with `app`, run their own middleware, and their changes reach `app`'s
//! clients); `notes` is copied in once. Clients see `weather_forecast`, `math_add`,
//! `notes_add_note` and the resource `notes://notes/all`.

use std::sync::Mutex;

use fastmcp::prelude::*;

/// Tomorrow's weather in a city.
#[tool]
async fn forecast(city: String) -> String {
    format!("Sunny in {city}")
}

/// Add two numbers.
#[tool]
async fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// The notes taken so far.
static NOTES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Take a note.
#[tool]
async fn add_note(text: String) -> usize {
    let mut notes = NOTES.lock().unwrap();
    notes.push(text);
    notes.len()
}

/// Every note, one per line.
#[resource("notes://all", mime_type = "text/plain")]
async fn all() -> String {
    NOTES.lock().unwrap().join("\n")
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let weather = Server::new("weather", "1.0.0").tool(forecast);
    let math = Server::new("math", "1.0.0").tool(add);
    let notes = Server::new("notes", "1.0.0").tool(add_note).resource(all);
    Server::new("app", "1.0.0")
        .mount(weather, "weather")
        .mount(math, "math")
        .import_server(notes, "notes")
        .run_stdio()
        .await
}
