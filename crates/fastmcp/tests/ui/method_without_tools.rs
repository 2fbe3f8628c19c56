use fastmcp::prelude::*;

struct Calc;

impl Calc {
    #[tool]
    fn add(&self, a: i64, b: i64) -> i64 {
        a + b
    }
}

fn main() {
    let _ = Calc.add(1, 2);
}
