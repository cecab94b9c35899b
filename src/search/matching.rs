//! Matching (突合): the rows of an extraction list against the rows of another table (the
//! recommendation list, a user table) by one or several keys combined with AND.
//!
//! Each key is folded the way the two sides differ in real files: 記号・番号 without
//! width, spaces and hyphens (and within its insurer, when both sides name one); names
//! without width and spaces; kana names also without hiragana/katakana and small/large
//! kana differences; birth dates as dates. A row whose key is incomplete matches nothing
//! and is counted apart (it is neither a match nor a non-match).
//!
//! The left side is the whole register, the list's members marked: a key value held by
//! exactly one person of the register and one row of the other side is a match (kept when
//! the person is a member); held by more persons or rows it is **ambiguous**: reported with
//! every candidate, and never resolved by guessing. A right row whose only candidates are
//! outside the list is unmatched.
//!
//! Plain Rust over rows; loading the rows is [`super::match_sides`].

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::import::normalize::{fold_kana, fold_name, fold_symbol, fold_width};

/// A key a match compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum MatchKey {
    InsuredId,
    KigoBango,
    NameBirth,
    KanaBirth,
}

impl MatchKey {
    pub const ALL: [MatchKey; 4] = [
        MatchKey::InsuredId,
        MatchKey::KigoBango,
        MatchKey::NameBirth,
        MatchKey::KanaBirth,
    ];

    /// The key's name in JSON and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            MatchKey::InsuredId => "insured_id",
            MatchKey::KigoBango => "kigo_bango",
            MatchKey::NameBirth => "name_birth",
            MatchKey::KanaBirth => "kana_birth",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MatchKey::InsuredId => "被保険者ID",
            MatchKey::KigoBango => "記号・番号",
            MatchKey::NameBirth => "氏名＋生年月日",
            MatchKey::KanaBirth => "カナ氏名＋生年月日",
        }
    }

    pub fn from_id(s: &str) -> Option<MatchKey> {
        Self::ALL.into_iter().find(|k| k.id() == s.trim())
    }

    /// `insured_id,kana_birth` → the keys, each once.
    pub fn parse_list(s: &str) -> Result<Vec<MatchKey>, String> {
        let mut out = Vec::new();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let k = MatchKey::from_id(part).ok_or_else(|| {
                format!(
                    "突合のキー「{}」はありません。insured_id, kigo_bango, name_birth, kana_birth のどれかを指定してください",
                    part.trim()
                )
            })?;
            if !out.contains(&k) {
                out.push(k);
            }
        }
        if out.is_empty() {
            return Err("突合のキーを一つ以上指定してください".into());
        }
        Ok(out)
    }

    /// The fields a key reads.
    pub fn fields(self) -> &'static [MatchField] {
        match self {
            MatchKey::InsuredId => &[MatchField::InsuredId],
            MatchKey::KigoBango => &[MatchField::Symbol],
            MatchKey::NameBirth => &[MatchField::Name, MatchField::Birth],
            MatchKey::KanaBirth => &[MatchField::Kana, MatchField::Birth],
        }
    }
}

/// A field a key is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchField {
    InsuredId,
    Symbol,
    Name,
    Kana,
    Birth,
}

impl MatchField {
    pub const ALL: [MatchField; 5] = [
        MatchField::InsuredId,
        MatchField::Symbol,
        MatchField::Name,
        MatchField::Kana,
        MatchField::Birth,
    ];
    pub fn label(self) -> &'static str {
        match self {
            MatchField::InsuredId => "被保険者ID",
            MatchField::Symbol => "記号・番号",
            MatchField::Name => "氏名",
            MatchField::Kana => "カナ氏名",
            MatchField::Birth => "生年月日",
        }
    }
}

/// One row of a side, its values as written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchRow {
    /// The row's key on its side: the insured id of a list member, the row number of a
    /// table (`行 12`).
    pub id: String,
    /// The insurer (保険者番号): 記号・番号 are numbered within it.
    pub insurer: Option<String>,
    /// A member of the list matched (left side only).
    pub member: bool,
    pub insured_id: Option<String>,
    pub symbol: Option<String>,
    pub name: Option<String>,
    pub kana: Option<String>,
    pub birth: Option<NaiveDate>,
}

impl MatchRow {
    fn raw(&self, f: MatchField) -> Option<String> {
        match f {
            MatchField::InsuredId => self.insured_id.clone(),
            MatchField::Symbol => self.symbol.clone(),
            MatchField::Name => self.name.clone(),
            MatchField::Kana => self.kana.clone(),
            MatchField::Birth => self.birth.map(|d| d.format("%Y-%m-%d").to_string()),
        }
    }

    fn folded(&self, f: MatchField) -> Option<String> {
        let v = match f {
            MatchField::InsuredId => fold_width(self.insured_id.as_deref()?.trim()).into_owned(),
            MatchField::Symbol => fold_symbol(self.symbol.as_deref()?),
            MatchField::Name => fold_name(self.name.as_deref()?),
            MatchField::Kana => fold_kana(self.kana.as_deref()?),
            MatchField::Birth => self.birth?.format("%Y-%m-%d").to_string(),
        };
        (!v.is_empty()).then_some(v)
    }

    /// The folded key of the row, or `None` when a value is missing.
    pub fn key(&self, keys: &[MatchKey]) -> Option<String> {
        let mut parts = Vec::new();
        for k in keys {
            if *k == MatchKey::KigoBango {
                parts.push(self.insurer.clone().unwrap_or_default());
            }
            for f in k.fields() {
                parts.push(self.folded(*f)?);
            }
        }
        Some(parts.join("\u{1f}"))
    }

    /// The row's values of the keys' fields as written, `記号・番号=奈01-000123` …
    pub fn shown(&self, keys: &[MatchKey]) -> String {
        let mut out = Vec::new();
        for k in keys {
            for f in k.fields() {
                out.push(format!(
                    "{}={}",
                    f.label(),
                    self.raw(*f).unwrap_or_default()
                ));
            }
        }
        out.join(" ")
    }
}

/// A key value shared by several rows: every candidate on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Ambiguous {
    /// The key values as the first row writes them.
    pub key: String,
    /// The number of candidates the row of the smaller side has.
    pub candidates: usize,
    pub left: Vec<MatchRow>,
    pub right: Vec<MatchRow>,
}

/// What a match found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchOutcome {
    /// (left id, right id) of each unambiguous match of a member.
    pub matched: Vec<(String, String)>,
    /// Members with a complete key and no partner.
    pub unmatched_left: Vec<MatchRow>,
    /// Right rows with no partner among the members (incomplete keys included).
    pub unmatched_right: Vec<MatchRow>,
    /// Key values held by several rows, where a member is among the candidates.
    pub ambiguous: Vec<Ambiguous>,
    /// Members whose key has a missing value: neither matched nor unmatched.
    pub incomplete: Vec<MatchRow>,
    /// Rows whose key had a missing value, per side (members only on the left).
    pub incomplete_left: usize,
    pub incomplete_right: usize,
}

/// Matches `left` (the register, members marked) with `right` on `keys` (all of them:
/// AND). When the right side names no insurer, the left's is not compared either.
pub fn match_rows(left: &[MatchRow], right: &[MatchRow], keys: &[MatchKey]) -> MatchOutcome {
    let mut out = MatchOutcome::default();
    let by_insurer = right.iter().any(|r| r.insurer.is_some());
    let mut l: BTreeMap<String, Vec<MatchRow>> = BTreeMap::new();
    for row in left {
        let mut row = row.clone();
        if !by_insurer {
            row.insurer = None;
        }
        match row.key(keys) {
            Some(k) => l.entry(k).or_default().push(row),
            None if row.member => out.incomplete.push(row),
            None => {}
        }
    }
    out.incomplete_left = out.incomplete.len();
    let mut r: BTreeMap<String, Vec<MatchRow>> = BTreeMap::new();
    for row in right {
        match row.key(keys) {
            Some(k) => r.entry(k).or_default().push(row.clone()),
            None => {
                out.incomplete_right += 1;
                out.unmatched_right.push(row.clone());
            }
        }
    }
    for (key, ls) in l {
        let members = ls.iter().filter(|x| x.member).count();
        match r.remove(&key) {
            None => out
                .unmatched_left
                .extend(ls.into_iter().filter(|x| x.member)),
            // Only persons outside the list hold this value: the row is not a member's.
            Some(rs) if members == 0 => out.unmatched_right.extend(rs),
            Some(rs) if ls.len() == 1 && rs.len() == 1 => {
                out.matched.push((ls[0].id.clone(), rs[0].id.clone()));
            }
            Some(rs) => out.ambiguous.push(Ambiguous {
                key: ls[0].shown(keys),
                candidates: ls.len().max(rs.len()),
                left: ls,
                right: rs,
            }),
        }
    }
    for (_, rs) in r {
        out.unmatched_right.extend(rs);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, symbol: &str, kana: &str, birth: (i32, u32, u32)) -> MatchRow {
        MatchRow {
            id: id.into(),
            symbol: (!symbol.is_empty()).then(|| symbol.into()),
            kana: Some(kana.into()),
            birth: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2),
            member: true,
            ..Default::default()
        }
    }

    #[test]
    fn folded_keys_match_and_shared_keys_are_reported_not_guessed() {
        let left = vec![
            row("A", "奈01-000001", "ヤマダ タロウ", (1950, 1, 2)),
            row("B", "奈01-000002", "スズキ キョウコ", (1951, 3, 4)),
            row("C", "奈01-000003", "サトウ ハナコ", (1952, 5, 6)),
            row("D", "", "タナカ イチロウ", (1953, 7, 8)),
            row("E", "奈01-000005", "サトウ ハナコ", (1952, 5, 6)),
        ];
        let right = vec![
            row("1", "奈０１－０００００１", "ﾔﾏﾀﾞﾀﾛｳ", (1950, 1, 2)),
            row("2", "奈01 000002", "スズキ キヨウコ", (1951, 3, 4)),
            row("3", "奈01000002", "スズキ キヨウコ", (1951, 3, 4)),
            row("4", "奈01-000003", "サトウ ハナコ", (1952, 5, 6)),
            row("5", "奈01-000009", "ダレカ", (1960, 1, 1)),
        ];
        let by_symbol = match_rows(&left, &right, &[MatchKey::KigoBango]);
        assert_eq!(
            by_symbol.matched,
            vec![("A".into(), "1".into()), ("C".into(), "4".into())]
        );
        assert_eq!(by_symbol.ambiguous.len(), 1);
        assert_eq!(by_symbol.ambiguous[0].candidates, 2);
        assert_eq!(by_symbol.ambiguous[0].left[0].id, "B");
        let ids = |v: &[MatchRow]| v.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&by_symbol.unmatched_left), vec!["E"]);
        assert_eq!(
            ids(&by_symbol.incomplete),
            vec!["D"],
            "neither matched nor not"
        );
        assert_eq!(ids(&by_symbol.unmatched_right), vec!["5"]);
        assert_eq!(by_symbol.incomplete_left, 1);

        // By kana + birth, C and E (two persons, same kana and birth) are ambiguous
        // with right row 4: neither is picked.
        let by_kana = match_rows(&left, &right, &[MatchKey::KanaBirth]);
        assert_eq!(by_kana.matched, vec![("A".into(), "1".into())]);
        assert_eq!(by_kana.ambiguous.len(), 2);
        assert!(
            by_kana
                .ambiguous
                .iter()
                .any(|a| ids(&a.left) == vec!["C", "E"] && ids(&a.right) == vec!["4"])
        );
        // Both keys together (AND): D has no symbol, so nothing of D matches.
        let both = match_rows(&left, &right, &[MatchKey::KigoBango, MatchKey::KanaBirth]);
        assert_eq!(
            both.matched,
            vec![("A".into(), "1".into()), ("C".into(), "4".into())]
        );
    }

    #[test]
    fn the_register_outside_the_list_makes_a_value_ambiguous_or_not_a_members() {
        let mut outside = row("F", "奈01-000006", "ヤマダ タロウ", (1950, 1, 2));
        outside.member = false;
        let mut only_outside = row("G", "奈01-000007", "ダレカ", (1960, 1, 1));
        only_outside.member = false;
        let left = vec![
            row("A", "奈01-000001", "ヤマダ タロウ", (1950, 1, 2)),
            outside,
            only_outside,
        ];
        let right = vec![
            row("1", "", "ﾔﾏﾀﾞﾀﾛｳ", (1950, 1, 2)),
            row("2", "", "ダレカ", (1960, 1, 1)),
        ];
        let r = match_rows(&left, &right, &[MatchKey::KanaBirth]);
        assert!(r.matched.is_empty(), "A or F: not guessed");
        assert_eq!(r.ambiguous.len(), 1);
        assert_eq!(r.ambiguous[0].left.len(), 2);
        let ids = |v: &[MatchRow]| v.iter().map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&r.unmatched_right), vec!["2"], "G is not on the list");
        assert!(r.unmatched_left.is_empty());
    }

    #[test]
    fn a_symbol_is_compared_within_its_insurer() {
        let mut a = row("A", "奈01-000001", "ア", (1950, 1, 2));
        a.insurer = Some("290012".into());
        let mut b = row("1", "奈01-000001", "ア", (1950, 1, 2));
        b.insurer = Some("290023".into());
        let r = match_rows(&[a.clone()], &[b.clone()], &[MatchKey::KigoBango]);
        assert!(r.matched.is_empty());
        b.insurer = Some("290012".into());
        assert_eq!(
            match_rows(&[a.clone()], &[b], &[MatchKey::KigoBango])
                .matched
                .len(),
            1
        );
        // A side without insurers (a user table) compares the symbol alone.
        let mut c = row("1", "奈01-000001", "ア", (1950, 1, 2));
        c.insurer = None;
        assert_eq!(
            match_rows(&[a], &[c], &[MatchKey::KigoBango]).matched.len(),
            1
        );
    }

    #[test]
    fn key_lists_parse_with_japanese_errors() {
        assert_eq!(
            MatchKey::parse_list("kigo_bango, kana_birth,kigo_bango").unwrap(),
            vec![MatchKey::KigoBango, MatchKey::KanaBirth]
        );
        assert!(
            MatchKey::parse_list("name")
                .unwrap_err()
                .contains("「name」")
        );
        assert!(MatchKey::parse_list("").is_err());
    }
}
