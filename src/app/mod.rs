//! The application layer without UI: commands, the background worker that owns the DuckDB
//! connection and runs one job at a time with progress and cancel, and the first-start
//! setup that builds and imports the demo data.

pub mod command;
pub mod engine;
pub mod first_start;
mod handlers;
pub mod worker;

pub use command::{AdminOp, Command, Outcome, Secret, SessionInfo};
pub use engine::Engine;
pub use worker::{Event, JobId, Worker};
