//! `src/os` compiled alone, as `crate::os`, so that its Windows paths can be type-checked
//! for a Windows target without building DuckDB or the window (see Cargo.toml).

#[path = "../../src/os/mod.rs"]
pub mod os;
