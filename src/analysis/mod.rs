//! Analyses over the imported tables. Every measure is defined once, in `measures`, and
//! every query uses that definition.

pub mod breaks;
pub mod measures;
pub mod uptake;
