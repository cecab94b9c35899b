//! One address → a point and a small area, with the level at which it matched.
//!
//! 1. Fold the text ([`super::address::fold`]), drop `奈良県`, find the municipality (the
//!    register's municipality code when the text starts at the town).
//! 2. Find the longest town stem of that municipality, then the 丁目 and block numbers.
//! 3. 街区: the block is in the address-point reference → that point; the small area is the
//!    polygon containing it.
//! 4. 町丁・字: otherwise (or when the point lies in no polygon) the town name is looked up
//!    among the small areas of the municipality. One KEY_CODE → that area and its
//!    representative point. Several → 曖昧, with the candidates; nothing is guessed.
//! 5. Nothing found → 不明, listed for the user to fix.

use super::address::{fold, parse_numbers, strip_aza};
use super::book::AddressBook;
use crate::layers::index::LayerIndex;

/// How precisely an address was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum MatchLevel {
    /// 街区: a block point from the reference.
    Block,
    /// 町丁・字: the town name, one small area.
    Town,
    /// 曖昧: the town name fits several small areas.
    Ambiguous,
    /// 不明: not found.
    None,
}

impl MatchLevel {
    pub fn code(self) -> i8 {
        match self {
            MatchLevel::Block => 1,
            MatchLevel::Town => 2,
            MatchLevel::Ambiguous => 3,
            MatchLevel::None => 0,
        }
    }
    pub fn from_code(c: i8) -> MatchLevel {
        match c {
            1 => MatchLevel::Block,
            2 => MatchLevel::Town,
            3 => MatchLevel::Ambiguous,
            _ => MatchLevel::None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            MatchLevel::Block => "街区",
            MatchLevel::Town => "町丁・字",
            MatchLevel::Ambiguous => "曖昧",
            MatchLevel::None => "不明",
        }
    }
}

/// Where one address was placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    pub level: MatchLevel,
    /// The municipality found in the text (or the register's).
    pub municipality_code: Option<String>,
    pub point: Option<(f64, f64)>,
    pub key_code: Option<String>,
    /// For 曖昧: the candidate KEY_CODEs.
    pub candidates: Vec<String>,
}

impl Location {
    fn none(code: Option<String>) -> Location {
        Location {
            level: MatchLevel::None,
            municipality_code: code,
            point: None,
            key_code: None,
            candidates: vec![],
        }
    }
}

/// The address book plus the small-area polygons for point-in-polygon.
pub struct Geocoder<'a> {
    pub book: &'a AddressBook,
    pub polygons: &'a LayerIndex,
    /// Index of the polygons' KEY_CODE field.
    pub key_field: usize,
}

impl Geocoder<'_> {
    /// Places `address`; `register_code` is the municipality code on the insured's record,
    /// used when the text does not name one.
    pub fn locate(&self, address: &str, register_code: &str) -> Location {
        let text = fold(address);
        let text = text.strip_prefix("奈良県").unwrap_or(&text);
        let (code, rest) = match self.book.municipality_in(text) {
            Some((code, rest)) => (code, rest),
            None => (register_code.to_string(), text),
        };
        let stripped = strip_aza(rest);
        let found = self
            .book
            .stem_in(&code, stripped)
            .or_else(|| self.book.stem_in(&code, rest));
        let Some((stem, info, after)) = found else {
            return Location::none(Some(code));
        };
        let numbers = parse_numbers(after, info.has_chome && !info.has_plain);
        let numbers = if numbers.chome.is_none() && numbers.block.is_none() && info.has_chome {
            // A town with both plain and 丁目 parts: try the 丁目 reading too.
            parse_numbers(after, true)
        } else {
            numbers
        };
        if let Some(block) = numbers.block
            && let Some(point) =
                self.book
                    .block_point(&code, stem, numbers.chome.unwrap_or(0), block)
            && let Some(i) = self.polygons.hit(point.0, point.1, 0.0)
        {
            let key = self.polygons.features[i]
                .attrs
                .get(self.key_field)
                .map(|a| a.display());
            return Location {
                level: MatchLevel::Block,
                municipality_code: Some(code),
                point: Some(point),
                key_code: key,
                candidates: vec![],
            };
        }
        let areas = self.book.areas_named(&code, stem, numbers.chome, info);
        match areas.as_slice() {
            [] => Location::none(Some(code)),
            [one] => {
                let a = &self.book.areas[*one];
                Location {
                    level: MatchLevel::Town,
                    municipality_code: Some(code),
                    point: Some(a.point),
                    key_code: Some(a.key_code.clone()),
                    candidates: vec![],
                }
            }
            many => Location {
                level: MatchLevel::Ambiguous,
                municipality_code: Some(code),
                point: None,
                key_code: None,
                candidates: many
                    .iter()
                    .map(|&i| self.book.areas[i].key_code.clone())
                    .collect(),
            },
        }
    }
}
