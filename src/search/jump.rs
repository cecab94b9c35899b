//! 場所移動 (jump): one search box that finds an address (through the geocoder: 街区 →
//! 町丁・字 → 市区町村, with the level reached), an insured person (by ID, 記号・番号, name or
//! kana: personal data, only with 個人情報の閲覧) or an institution (by name or code).
//! Text is compared width- and kana-insensitively.

use duckdb::Connection;

use super::SearchError;
use super::cache::SearchCache;
use crate::geocode::locate::{Geocoder, MatchLevel};
use crate::import::normalize::fold_for_search;

/// What a jump found.
#[derive(Debug, Clone, PartialEq)]
pub enum JumpKind {
    /// An address, placed to this level (市区町村 when only the municipality was found).
    Address {
        level: String,
        confidence: &'static str,
    },
    Person {
        insured_id: String,
    },
    Institution {
        code: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct JumpHit {
    pub kind: JumpKind,
    /// What the list shows (a person's name only with the right).
    pub label: String,
    pub lon: f64,
    pub lat: f64,
}

/// The most hits of one kind.
const MAX_HITS: usize = 20;

/// How a jump is written to the audit log. The typed text never is (an address may carry
/// a name, and a name may match a clinic): a text that may name a person is written as
/// 「（氏名）」 or 「（記号番号）」, with what was found (the kind of hit, an address's level,
/// institutions' codes, how many persons).
pub fn logged_as(text: &str, hits: &[JumpHit]) -> String {
    let t = crate::import::normalize::fold_width(text);
    let masked = if t.chars().any(|c| c.is_ascii_digit()) {
        "（記号番号）"
    } else {
        "（氏名）"
    };
    let mut found = Vec::new();
    for h in hits {
        match &h.kind {
            JumpKind::Address { level, .. } => found.push(format!("住所 {level}")),
            JumpKind::Institution { code } => found.push(format!("機関 {code}")),
            JumpKind::Person { .. } => {}
        }
    }
    let persons = hits
        .iter()
        .filter(|h| matches!(h.kind, JumpKind::Person { .. }))
        .count();
    if persons > 0 {
        found.push(format!("被保険者 {persons} 人"));
    }
    if found.is_empty() {
        format!("{masked} 該当なし")
    } else {
        format!("{masked} {}", found.join("、"))
    }
}

/// Finds `text`. Persons are searched only when `personal` (the session holds 個人情報の閲覧).
pub fn find(
    conn: &Connection,
    cache: &mut SearchCache,
    text: &str,
    personal: bool,
) -> Result<Vec<JumpHit>, SearchError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let needle = fold_for_search(text);
    let mut hits = Vec::new();
    // Institutions: code, or the name contains the text.
    let inst = cache.institutions(conn)?;
    for i in &inst.list {
        if hits.len() >= MAX_HITS {
            break;
        }
        if let Some((lon, lat)) = i.point
            && (i.code == needle || (!needle.is_empty() && i.folded.contains(&needle)))
        {
            hits.push(JumpHit {
                kind: JumpKind::Institution {
                    code: i.code.clone(),
                },
                label: format!("{}（{}）", i.name, i.code),
                lon,
                lat,
            });
        }
    }
    if personal {
        hits.extend(persons(conn, &needle)?);
    }
    if let Some(a) = address(conn, cache, text)? {
        hits.insert(0, a);
    }
    Ok(hits)
}

fn persons(conn: &Connection, needle: &str) -> Result<Vec<JumpHit>, SearchError> {
    let mut stmt = conn.prepare(
        "SELECT i.insured_id, coalesce(i.symbol_no, ''), i.name, coalesce(i.kana_name, ''), l.lon, l.lat
         FROM insured i JOIN insured_locations l ON l.insured_id = i.insured_id
         WHERE l.lon IS NOT NULL ORDER BY i.insured_id",
    )?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let symbol: String = r.get(1)?;
        let name: String = r.get(2)?;
        let kana: String = r.get(3)?;
        let hit = fold_for_search(&id) == needle
            || (!symbol.is_empty() && fold_for_search(&symbol) == needle)
            || fold_for_search(&name).contains(needle)
            || (!kana.is_empty() && fold_for_search(&kana).contains(needle));
        if hit {
            out.push(JumpHit {
                kind: JumpKind::Person {
                    insured_id: id.clone(),
                },
                label: format!("{name}（{id}）"),
                lon: r.get(4)?,
                lat: r.get(5)?,
            });
            if out.len() >= MAX_HITS {
                break;
            }
        }
    }
    Ok(out)
}

fn address(
    conn: &Connection,
    cache: &mut SearchCache,
    text: &str,
) -> Result<Option<JumpHit>, SearchError> {
    let g = cache.geocoder(conn)?;
    let geocoder = Geocoder {
        book: &g.0,
        polygons: &g.1,
        key_field: g.2,
    };
    let loc = geocoder.locate(text, "");
    let (level, confidence, point) = match (loc.level, loc.point) {
        (MatchLevel::Block, Some(p)) => ("街区".to_string(), "高", p),
        (MatchLevel::Town, Some(p)) => ("町丁・字".to_string(), "中", p),
        (MatchLevel::Ambiguous, Some(p)) => ("町丁・字（候補が複数）".to_string(), "低", p),
        _ => {
            // Only the municipality: its polygons' centre.
            let Some(code) = loc.municipality_code.filter(|c| !c.is_empty()) else {
                return Ok(None);
            };
            let region =
                super::place::resolve(conn, cache, &super::query::Place::Municipality(vec![code]));
            let Some(b) = region.ok().and_then(|r| r.bbox()) else {
                return Ok(None);
            };
            (
                "市区町村".to_string(),
                "低",
                ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0),
            )
        }
    };
    Ok(Some(JumpHit {
        label: format!("{text}（{level}・確からしさ {confidence}）"),
        kind: JumpKind::Address { level, confidence },
        lon: point.0,
        lat: point.1,
    }))
}
