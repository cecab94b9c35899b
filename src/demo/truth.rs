//! `truth.json`: the generator's own row counts per table and uptake per municipality and
//! per small area (KEY_CODE, where each person really lives) per fiscal year, computed from
//! its in-memory records (not from the imported tables).

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct UptakeTruth {
    pub code: String,
    pub fy: i32,
    pub targets: u64,
    pub attendees: u64,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Truth {
    pub counts: BTreeMap<String, u64>,
    pub uptake: Vec<UptakeTruth>,
    #[serde(default)]
    pub small_area_uptake: Vec<UptakeTruth>,
}
