//! Who is on the recommendation list (受診勧奨対象者リスト), as the `recommended` search
//! field reads it: each insurer's latest list (made once a year for the coming year, so
//! its date is not the fiscal year searched). A row with a 被保険者ID names that person of
//! that insurer. A row without one is matched by 記号・番号 folded as
//! [`crate::import::normalize::fold_symbol`] folds it (width, spaces, hyphens), and only
//! when exactly one person of the insurer has that folded 記号・番号: a shared value is
//! never resolved by guessing.
//!
//! Computed in Rust once (the register read and folded) and kept in the search cache:
//! folding 300k 記号・番号 in SQL cost about a second a search.

use std::collections::{HashMap, HashSet};

use duckdb::Connection;

use super::SearchError;
use crate::import::normalize::fold_symbol;

/// The insured ids on the latest lists, sorted.
pub fn on_latest_lists(conn: &Connection) -> Result<Vec<String>, SearchError> {
    let mut stmt = conn.prepare(
        "SELECT r.insurer_no, r.insured_id, r.symbol_no FROM recommendation_targets r
         WHERE r.list_date = (SELECT max(list_date) FROM recommendation_targets r2
                              WHERE r2.insurer_no = r.insurer_no)",
    )?;
    let rows: Vec<(String, Option<String>, Option<String>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let by_symbol = rows.iter().any(|r| r.1.is_none());
    let mut ids: HashSet<(String, String)> = HashSet::new();
    let mut symbols: HashMap<(String, String), Vec<String>> = HashMap::new();
    let mut stmt = conn.prepare("SELECT insured_id, insurer_no, symbol_no FROM insured")?;
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        let id: String = r.get(0)?;
        let insurer: String = r.get(1)?;
        if by_symbol && let Some(s) = r.get::<_, Option<String>>(2)? {
            symbols
                .entry((insurer.clone(), fold_symbol(&s)))
                .or_default()
                .push(id.clone());
        }
        ids.insert((insurer, id));
    }
    let mut out: Vec<String> = Vec::new();
    for (insurer, id, symbol) in rows {
        match (id, symbol) {
            (Some(id), _) => {
                if ids.contains(&(insurer, id.clone())) {
                    out.push(id);
                }
            }
            (None, Some(s)) => {
                if let Some([one]) = symbols.get(&(insurer, fold_symbol(&s))).map(Vec::as_slice) {
                    out.push(one.clone());
                }
            }
            (None, None) => {}
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}
