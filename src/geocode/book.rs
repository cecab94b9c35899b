//! The address book the matcher looks things up in, built from three sources:
//! - the municipality names (`ref_municipalities`), to find the municipality in the text;
//! - the address-point reference in the 位置参照情報 layout (街区 → point);
//! - the small-area layer (町丁・字 name → KEY_CODE, for the fallback by name).
//!
//! Every name is [`fold`]ed and split into a stem and a 丁目 number, so that `平松４丁目`
//! (e-Stat), `平松四丁目` (位置参照情報) and `平松2-…` (an address) meet on (平松, 4).

use std::collections::{HashMap, HashSet};

use super::address::{fold, split_chome, strip_aza};

/// One row of the address-point reference.
#[derive(Debug, Clone)]
pub struct AddressPoint {
    pub city_name: String,
    pub oaza: String,
    pub koaza: String,
    pub block: String,
    pub lon: f64,
    pub lat: f64,
}

/// One small area of the layer the insured are assigned to.
#[derive(Debug, Clone)]
pub struct SmallAreaName {
    pub key_code: String,
    pub municipality_code: String,
    pub name: String,
    /// The representative point (lon, lat).
    pub point: (f64, f64),
}

/// A town in one municipality: its folded stem and whether it is divided into 丁目.
#[derive(Debug, Clone, Copy, Default)]
pub struct StemInfo {
    pub has_chome: bool,
    pub has_plain: bool,
}

#[derive(Debug, Default)]
pub struct AddressBook {
    /// (folded name, code), longest name first.
    municipalities: Vec<(String, String)>,
    /// municipality code → stem → info.
    stems: HashMap<String, HashMap<String, StemInfo>>,
    /// Longest stem per municipality, in chars (bounds the prefix search).
    longest: HashMap<String, usize>,
    /// (municipality, stem, 丁目 or 0, block) → point.
    blocks: HashMap<(String, String, u32, u32), (f64, f64)>,
    /// (municipality, stem, 丁目 or 0) → indexes into `areas`.
    by_name: HashMap<(String, String, u32), Vec<usize>>,
    pub areas: Vec<SmallAreaName>,
    /// Reference rows whose municipality or number could not be read.
    pub skipped_points: u64,
}

impl AddressBook {
    pub fn new(
        municipalities: &[(String, String)],
        points: impl IntoIterator<Item = AddressPoint>,
        areas: Vec<SmallAreaName>,
    ) -> AddressBook {
        let mut book = AddressBook::default();
        let mut munis: Vec<(String, String)> = municipalities
            .iter()
            .map(|(code, name)| (fold(name), code.clone()))
            .collect();
        munis.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
        book.municipalities = munis;
        for p in points {
            let Some((code, _)) = book.municipality_in(&fold(&p.city_name)) else {
                book.skipped_points += 1;
                continue;
            };
            let town = fold(&format!("{}{}", p.oaza, p.koaza));
            let block = super::address::leading_number(&fold(&p.block)).map(|(n, _)| n);
            let Some(block) = block else {
                book.skipped_points += 1;
                continue;
            };
            let (stem, chome) = book.add_stem(&code, &town);
            book.blocks
                .insert((code, stem, chome, block), (p.lon, p.lat));
        }
        for (i, a) in areas.iter().enumerate() {
            if a.name.is_empty() {
                continue;
            }
            let (stem, chome) = book.add_stem(&a.municipality_code, &fold(&a.name));
            book.by_name
                .entry((a.municipality_code.clone(), stem, chome))
                .or_default()
                .push(i);
        }
        book.areas = areas;
        book
    }

    fn add_stem(&mut self, code: &str, town: &str) -> (String, u32) {
        let town = strip_aza(town);
        let (stem, chome) = split_chome(town);
        let info = self
            .stems
            .entry(code.to_string())
            .or_default()
            .entry(stem.to_string())
            .or_default();
        if chome.is_some() {
            info.has_chome = true;
        } else {
            info.has_plain = true;
        }
        let len = self.longest.entry(code.to_string()).or_default();
        *len = (*len).max(stem.chars().count());
        (stem.to_string(), chome.unwrap_or(0))
    }

    /// The municipality whose name starts `s` (after an optional `…郡`), with the rest of
    /// `s`. `s` must be folded.
    pub fn municipality_in<'a>(&self, s: &'a str) -> Option<(String, &'a str)> {
        let find = |t: &'a str| {
            self.municipalities
                .iter()
                .find(|(name, _)| t.starts_with(name.as_str()))
                .map(|(name, code)| (code.clone(), &t[name.len()..]))
        };
        if let Some(found) = find(s) {
            return Some(found);
        }
        // 郡名: 生駒郡斑鳩町, 北葛城郡王寺町 …
        let gun = s.char_indices().take(5).find(|&(_, c)| c == '郡')?;
        find(&s[gun.0 + '郡'.len_utf8()..])
    }

    /// The longest town stem of municipality `code` that starts `s`, with its info and the
    /// rest of `s`.
    pub fn stem_in<'a>(&self, code: &str, s: &'a str) -> Option<(&str, StemInfo, &'a str)> {
        let stems = self.stems.get(code)?;
        let max = *self.longest.get(code)?;
        let ends: Vec<usize> = s
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take(max)
            .collect();
        for &end in ends.iter().rev() {
            if let Some((k, info)) = stems.get_key_value(&s[..end]) {
                return Some((k.as_str(), *info, &s[end..]));
            }
        }
        None
    }

    pub fn block_point(
        &self,
        code: &str,
        stem: &str,
        chome: u32,
        block: u32,
    ) -> Option<(f64, f64)> {
        // A borrowed lookup would need a custom key type; addresses are short.
        self.blocks
            .get(&(code.to_string(), stem.to_string(), chome, block))
            .copied()
    }

    /// The small areas named (stem, 丁目) in municipality `code`. With no 丁目 given for a
    /// town divided into 丁目, every 丁目 of the town is a candidate.
    pub fn areas_named(
        &self,
        code: &str,
        stem: &str,
        chome: Option<u32>,
        info: StemInfo,
    ) -> Vec<usize> {
        let get = |c: u32| {
            self.by_name
                .get(&(code.to_string(), stem.to_string(), c))
                .cloned()
                .unwrap_or_default()
        };
        match chome {
            Some(c) => get(c),
            None if info.has_plain => get(0),
            None => {
                let mut all: Vec<usize> = self
                    .by_name
                    .iter()
                    .filter(|((m, s, c), _)| m == code && s == stem && *c > 0)
                    .flat_map(|(_, v)| v.iter().copied())
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .collect();
                all.sort_unstable();
                all
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> AddressBook {
        let munis = vec![
            ("29201".to_string(), "奈良市".to_string()),
            ("29343".to_string(), "斑鳩町".to_string()),
        ];
        let pt = |city: &str, oaza: &str, block: &str| AddressPoint {
            city_name: city.into(),
            oaza: oaza.into(),
            koaza: String::new(),
            block: block.into(),
            lon: 135.8,
            lat: 34.68,
        };
        let area = |code: &str, m: &str, name: &str| SmallAreaName {
            key_code: code.into(),
            municipality_code: m.into(),
            name: name.into(),
            point: (135.0, 34.0),
        };
        AddressBook::new(
            &munis,
            vec![
                pt("奈良市", "平松四丁目", "3"),
                pt("生駒郡斑鳩町", "大字法隆寺", "１２"),
            ],
            vec![
                area("29201539004", "29201", "平松４丁目"),
                area("292010230", "29201", "芝辻町"),
                area("29201344000", "29201", "芝辻町"),
            ],
        )
    }

    #[test]
    fn names_meet_across_sources() {
        let b = book();
        assert_eq!(b.block_point("29201", "平松", 4, 3), Some((135.8, 34.68)));
        assert_eq!(
            b.block_point("29343", "法隆寺", 0, 12),
            Some((135.8, 34.68))
        );
        let (stem, info, rest) = b.stem_in("29201", "平松4-3-5").expect("stem");
        assert_eq!((stem, info.has_chome, rest), ("平松", true, "4-3-5"));
        assert_eq!(b.areas_named("29201", "平松", Some(4), info), vec![0]);
        let (_, info, _) = b.stem_in("29201", "芝辻町1").expect("stem");
        assert_eq!(b.areas_named("29201", "芝辻町", None, info), vec![1, 2]);
    }

    #[test]
    fn municipality_with_and_without_gun() {
        let b = book();
        assert_eq!(
            b.municipality_in("生駒郡斑鳩町法隆寺"),
            Some(("29343".to_string(), "法隆寺"))
        );
        assert_eq!(
            b.municipality_in("奈良市平松"),
            Some(("29201".to_string(), "平松"))
        );
        assert_eq!(b.municipality_in("大和郡山市"), None);
    }
}
