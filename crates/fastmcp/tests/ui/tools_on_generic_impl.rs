use fastmcp::prelude::*;

struct Store<T>(T);

#[tools]
impl<T: Send + Sync + 'static> Store<T> {
    #[tool]
    fn size(&self) -> u64 {
        0
    }
}

fn main() {}
