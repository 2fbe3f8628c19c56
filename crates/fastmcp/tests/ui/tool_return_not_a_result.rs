use fastmcp::prelude::*;

struct Weather {
    celsius: f64,
}

#[tool]
fn weather() -> Weather {
    Weather { celsius: 21.5 }
}

fn main() {
    let _ = Server::new("weather", "1.0.0").tool(weather);
}
