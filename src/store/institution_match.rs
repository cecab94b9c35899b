//! How the institution codes of the checkups (`checkups.institution_code`) match the two
//! institution masters: how many distinct codes, how many are in a master, how many start
//! with 55 (集団健診 organisations), and which codes not starting with 55 have no name in
//! either master (the spec requires a name for every such code). Shown after an import of
//! checkups or of a master, and in `stats --json`.

use duckdb::Connection;

use super::Result;

/// Codes of 集団健診 organisations start with this; they need no name in the masters.
pub const GROUP_CHECKUP_PREFIX: &str = "55";

/// How many codes the import result lists by name (all are in `stats --json`).
const LISTED: usize = 10;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct InstitutionMatch {
    /// Distinct institution codes in the checkups (blank codes left out).
    pub codes: u64,
    /// Codes found in the medical or the checkup institution master.
    pub matched: u64,
    /// Codes found in neither master.
    pub unmatched: u64,
    /// Codes starting with 55.
    pub starts_55: u64,
    /// Codes not starting with 55 with no name in either master (not in a master, or
    /// there with a blank name), in code order.
    pub non55_without_name: Vec<String>,
}

/// Every distinct checkup code with whether a master has it and whether one names it.
const CODES_SQL: &str = "
    WITH codes AS (SELECT DISTINCT institution_code AS code FROM checkups
                   WHERE institution_code IS NOT NULL AND trim(institution_code) <> ''),
         masters AS (SELECT code, nullif(trim(name), '') AS name FROM medical_institutions
                     UNION ALL
                     SELECT code, nullif(trim(name), '') FROM checkup_institutions),
         known AS (SELECT code, bool_or(name IS NOT NULL) AS named FROM masters GROUP BY code)
    SELECT codes.code, known.code IS NOT NULL, coalesce(known.named, false)
    FROM codes LEFT JOIN known ON known.code = codes.code
    ORDER BY codes.code";

pub(crate) fn collect(conn: &Connection) -> Result<InstitutionMatch> {
    let mut stmt = conn.prepare(CODES_SQL)?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, bool>(1)?,
            r.get::<_, bool>(2)?,
        ))
    })?;
    let mut m = InstitutionMatch::default();
    for row in rows {
        let (code, matched, named) = row?;
        m.codes += 1;
        if matched {
            m.matched += 1;
        } else {
            m.unmatched += 1;
        }
        if code.starts_with(GROUP_CHECKUP_PREFIX) {
            m.starts_55 += 1;
        } else if !named {
            m.non55_without_name.push(code);
        }
    }
    Ok(m)
}

impl InstitutionMatch {
    /// One Japanese paragraph for the import result; `None` when the checkups have no
    /// institution code yet.
    pub fn summary(&self) -> Option<String> {
        if self.codes == 0 {
            return None;
        }
        let mut s = format!(
            "健診結果の健診機関コード {} 件のうち、医療機関マスタ・健診機関マスタにあるもの {} 件、ないもの {} 件（55 で始まる集団健診のコード {} 件）。",
            self.codes, self.matched, self.unmatched, self.starts_55
        );
        if self.non55_without_name.is_empty() {
            s += "55 で始まらないコードにはすべて名称があります。";
        } else {
            let shown: Vec<&str> = self
                .non55_without_name
                .iter()
                .take(LISTED)
                .map(String::as_str)
                .collect();
            let more = self.non55_without_name.len().saturating_sub(LISTED);
            s += &format!(
                "55 で始まらないのに名称のないコード {} 件: {}{}。医療機関マスタか健診機関マスタに名称を追加して取り込んでください。",
                self.non55_without_name.len(),
                shown.join("、"),
                if more > 0 {
                    format!(" ほか {more} 件")
                } else {
                    String::new()
                }
            );
        }
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_the_codes_without_a_name() {
        assert_eq!(InstitutionMatch::default().summary(), None);
        let m = InstitutionMatch {
            codes: 14,
            matched: 12,
            unmatched: 2,
            starts_55: 1,
            non55_without_name: (0..12).map(|i| format!("29100000{i:02}")).collect(),
        };
        let s = m.summary().unwrap();
        assert!(s.contains("14 件のうち"), "{s}");
        assert!(s.contains("ないもの 2 件"), "{s}");
        assert!(s.contains("名称のないコード 12 件: 2910000000、"), "{s}");
        assert!(s.contains("2910000009 ほか 2 件"), "{s}");
        assert!(!s.contains("2910000010"), "{s}");
    }
}
