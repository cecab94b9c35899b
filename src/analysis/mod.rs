//! Analyses over the imported tables. Every measure is defined once, in `measures`, and
//! every query uses that definition. What a user sees of an area's counts goes through
//! `figures`, which applies `suppression` (少数のため非表示).

pub mod breaks;
pub mod figures;
pub mod frame;
pub mod institutions;
pub mod located_targets;
pub mod measures;
pub mod suppression;
pub mod uptake;
