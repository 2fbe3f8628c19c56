//! Running one scenario against one implementation: one module per kind of scenario, each
//! returning the cell to show.

mod cold_start;
mod http_load;
mod http_server;
mod scale;
mod sessions;
mod slow;
mod stdio_load;
mod tools_list;

pub use cold_start::cold_start;
pub use http_load::http_load;
pub use scale::scale_sessions;
pub use sessions::sessions;
pub use slow::slow_call;
pub use stdio_load::stdio_calls;
pub use tools_list::tools_list;
