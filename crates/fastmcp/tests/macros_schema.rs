use fastmcp::core::{IntoTool, ToolArguments, ToolHandler};
use fastmcp::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Deserialize, JsonSchema)]
enum Unit {
    Celsius,
    Fahrenheit,
}

/// A point on Earth.
#[derive(Deserialize, JsonSchema)]
struct Location {
    /// Latitude in degrees.
    lat: f64,
    lon: f64,
}

#[derive(Serialize, JsonSchema)]
struct Forecast {
    temperature: f64,
}

/// Forecast the weather.
#[tool]
async fn weather(
    /// The city.
    city: String,
    #[arg(description = "How many days")] days: i64,
    threshold: f64,
    metric: bool,
    note: Option<String>,
    tags: Vec<String>,
    unit: Unit,
    location: Location,
) -> Json<Forecast> {
    let _ = (city, days, threshold, metric, note, tags, unit, location.lat, location.lon);
    Json(Forecast { temperature: 21.5 })
}

#[test]
fn print() {
    let t = weather.into_tool();
    println!("{}", serde_json::to_string_pretty(&t.tool()).unwrap());
}
