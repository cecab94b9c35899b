//! The application layer without UI: commands by domain, the engine that gates, runs and
//! logs them, the background worker that owns the engine (and so the DuckDB connection)
//! and runs one job at a time with progress and cancel, and the first-start setup that
//! builds and imports the demo data.

pub mod command;
pub mod domain;
pub mod engine;
pub mod error;
pub mod first_start;
pub mod spec;
pub mod worker;

pub use command::{Command, Gate, Outcome, Secret, SessionInfo, Spec};
pub use domain::accounts::{AccountCmd, AccountReply};
pub use domain::admin::{AdminCmd, AdminOp, AdminReply};
pub use domain::geocode::{GeocodeCmd, GeocodeReply};
pub use domain::imports::{ImportCmd, ImportReply};
pub use domain::maps::{MapCmd, MapReply};
pub use engine::Engine;
pub use error::{AppError, Location};
pub use worker::{Event, JobId, Worker};
