use fastmcp::prelude::*;

#[derive(Default)]
struct Counter(u64);

#[tools]
impl Counter {
    #[tool]
    fn increment(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

fn main() {
    let _ = Server::new("counter", "1.0.0").components(Counter::default());
}
