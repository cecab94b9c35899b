//! `truth.json`: the generator's own row counts per table and uptake per municipality and
//! per small area (KEY_CODE, where each person really lives) per fiscal year, computed from
//! its in-memory records (not from the imported tables), and who is on the recommendation
//! list and why.

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
    /// Who is on the recommendation list (受診勧奨対象者リスト) and why.
    #[serde(default)]
    pub recommendation: Vec<ListMember>,
}

/// Why a person is on the recommendation list, seen from FY2021.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListStatus {
    /// A FY2021 checkup target who did not attend: the list's purpose.
    NonAttender,
    /// A FY2021 target who attended anyway (the list was made from older data).
    Attended,
    /// Lost the insurance during FY2021: not a target any more.
    NoLongerInsured,
}

/// A person on the recommendation list, with how the list writes them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListMember {
    pub insured_id: String,
    pub status: ListStatus,
    /// Rows for this person (2: listed twice, which a match reports as ambiguous).
    pub rows: u32,
    /// Rows without the 被保険者ID (matched by 記号・番号 only).
    pub without_id: u32,
    /// Rows whose 記号・番号 is written otherwise than the register's.
    pub symbol_reformatted: u32,
    /// The name is written in the standard form of the register's old kanji (髙→高).
    pub kanji_variant: bool,
}
