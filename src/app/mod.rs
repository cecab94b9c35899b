//! The application layer without UI: commands, the background worker that owns the DuckDB
//! connection and runs one job at a time with progress and cancel, and the first-start
//! setup that builds and imports the demo data.

pub mod command;
pub mod first_start;
pub mod worker;

pub use command::{Command, Outcome};
pub use worker::{Event, JobId, Worker};
