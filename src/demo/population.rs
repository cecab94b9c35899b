//! The synthetic insured population: people placed in real small areas in proportion to
//! the 2015 census population (JINKO), an NHI-like age structure (old-heavy), qualification
//! dates, lifestyle-disease status, and addresses at 街区 level whose points lie inside the
//! right small-area polygon.

use chrono::{Datelike, Duration, NaiveDate};
use geo::{Contains, Point};

use super::rng::Rng;
use super::smallareas::SmallArea;

/// The demo's data window: FY2017 to FY2021.
pub fn window_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 4, 1).unwrap_or_default()
}
pub fn window_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2022, 3, 31).unwrap_or_default()
}

/// Lifestyle-disease flags.
pub const HYPERTENSION: u8 = 1;
pub const DIABETES: u8 = 2;
pub const DYSLIPIDAEMIA: u8 = 4;

#[derive(Debug, Clone)]
pub struct Municipality {
    pub code: String,
    pub name: String,
    pub insurer_no: String,
    /// The uptake the model aims at for this municipality (25–45%).
    pub base_rate: f64,
    pub phone_prefix: &'static str,
}

/// A small area with the 街区 points allotted to it.
pub struct Area {
    pub sa: SmallArea,
    pub muni: usize,
    /// The first 街区 number of this area (numbers run on across areas of the same name).
    pub first_block: u32,
    /// One point per 街区.
    pub blocks: Vec<(f64, f64)>,
    /// Distance from each 街区 to the nearest checkup institution, km.
    pub block_dist_km: Vec<f32>,
    /// Nearby medical institutions (indices), nearest first, by kind: 医科, 歯科, 薬局.
    pub near: [Vec<u32>; 3],
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: u32,
    pub area: u32,
    pub block: u16,
    pub lot: u16,
    pub sex: u8,
    pub birth: NaiveDate,
    pub acquired: NaiveDate,
    pub lost: Option<NaiveDate>,
    pub conditions: u8,
    pub propensity: f32,
    pub surname: u16,
    pub given: u16,
}

impl Person {
    pub fn insured_id(&self) -> String {
        format!("29{:08}", self.id)
    }
    /// Age on a date (the age rises on the birthday; a 29 February birthday on 1 March).
    pub fn age_on(&self, d: NaiveDate) -> i32 {
        let mut age = d.year() - self.birth.year();
        if (d.month(), d.day()) < (self.birth.month(), self.birth.day()) {
            age -= 1;
        }
        age
    }
    /// Insured on day `d`: acquired on or before it, and not yet lost.
    pub fn insured_on(&self, d: NaiveDate) -> bool {
        self.acquired <= d && self.lost.is_none_or(|l| l > d)
    }
}

/// Relative weights of 5-year age bands 0–4 … 70–74 in an NHI population.
const AGE_WEIGHTS: [f64; 15] = [
    2.0, 2.2, 2.4, 2.6, 3.0, 3.0, 3.1, 3.4, 4.0, 4.4, 4.4, 5.2, 9.5, 17.0, 19.0,
];

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// A random point inside a small area (rejection sampling in its bbox), falling back on the
/// representative point, which lies inside.
pub fn point_in(area: &SmallArea, rng: &mut Rng) -> (f64, f64) {
    let (min, max) = (area.bbox.min(), area.bbox.max());
    for _ in 0..200 {
        let x = min.x + rng.f64() * (max.x - min.x);
        let y = min.y + rng.f64() * (max.y - min.y);
        if area.shape.contains(&Point::new(x, y)) {
            return ((x * 1e6).round() / 1e6, (y * 1e6).round() / 1e6);
        }
    }
    area.rep_point
}

/// How many insured live in each area, in proportion to JINKO, for a total of `insured`.
pub fn allot(areas: &[SmallArea], insured: u64, rng: &mut Rng) -> Vec<u32> {
    let total: u64 = areas
        .iter()
        .filter(|a| !a.name.is_empty())
        .map(|a| a.population)
        .sum();
    areas
        .iter()
        .map(|a| {
            if a.name.is_empty() || total == 0 {
                return 0;
            }
            let exact = a.population as f64 * insured as f64 / total as f64;
            let mut n = exact.floor() as u32;
            if rng.chance(exact - exact.floor()) {
                n += 1;
            }
            n
        })
        .collect()
}

/// Gives each area its 街区 points: about one per six residents, numbered so that a
/// (municipality, name, number) triple is unique even where names repeat.
pub fn place_blocks(areas: &mut [Area], residents: &[u32], rng: &mut Rng) {
    let mut next_block: std::collections::HashMap<(String, String), u32> =
        std::collections::HashMap::new();
    for (area, &n) in areas.iter_mut().zip(residents) {
        let k = (n as usize).div_ceil(6).clamp(1, 60);
        let counter = next_block
            .entry((area.sa.city_code.clone(), area.sa.name.clone()))
            .or_insert(1);
        area.first_block = *counter;
        *counter += k as u32;
        area.blocks = (0..k).map(|_| point_in(&area.sa, rng)).collect();
    }
}

/// Draws one person living in `area`.
pub fn draw_person(id: u32, area_idx: u32, blocks: usize, rng: &mut Rng) -> Person {
    let band = rng.weighted(&AGE_WEIGHTS) as i64;
    let age0 = band * 5 + rng.range(0, 4);
    let start = window_start();
    let end = window_end();
    let birth = NaiveDate::from_ymd_opt(start.year() - age0 as i32, 4, 1).unwrap_or(start)
        - Duration::days(rng.range(1, 365));
    let female_share = if age0 >= 60 { 0.55 } else { 0.49 };
    let sex = if rng.chance(female_share) { 2 } else { 1 };
    let span = (end - start).num_days();
    let acquired = if rng.chance(0.82) {
        let earliest = birth.max(NaiveDate::from_ymd_opt(1995, 4, 1).unwrap_or(start));
        let days = (start - earliest).num_days().max(0);
        earliest + Duration::days(rng.range(0, days))
    } else {
        (start + Duration::days(rng.range(1, span))).max(birth)
    };
    let mut lost = None;
    if let Some(turn75) = NaiveDate::from_ymd_opt(birth.year() + 75, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(birth.year() + 75, 3, 1))
        && turn75 <= end
    {
        lost = Some(turn75);
    }
    if rng.chance(0.12) {
        let d = acquired.max(start) + Duration::days(rng.range(1, span));
        if d <= end && lost.is_none_or(|l| d < l) {
            lost = Some(d);
        }
    }
    let age_mid = age0 as f64 + 2.5;
    let mut conditions = 0;
    if rng.chance(logistic((age_mid - 62.0) / 7.0) * 0.55) {
        conditions |= HYPERTENSION;
    }
    if rng.chance(logistic((age_mid - 64.0) / 8.0) * 0.22) {
        conditions |= DIABETES;
    }
    if rng.chance(logistic((age_mid - 58.0) / 8.0) * 0.35) {
        conditions |= DYSLIPIDAEMIA;
    }
    Person {
        id,
        area: area_idx,
        block: rng.range(0, blocks as i64 - 1) as u16,
        lot: rng.range(1, 30) as u16,
        sex,
        birth,
        acquired,
        lost,
        conditions,
        propensity: rng.normal() as f32,
        surname: rng.range(0, super::names::SURNAMES.len() as i64 - 1) as u16,
        given: rng.range(0, 19) as u16,
    }
}

const KANJI_DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// 1–99 in kanji numerals (二十三).
pub fn kanji_number(n: u32) -> String {
    match n {
        0..=9 => KANJI_DIGITS[n as usize].to_string(),
        10..=99 => {
            let (t, o) = (n / 10, n % 10);
            let tens = if t == 1 {
                String::new()
            } else {
                KANJI_DIGITS[t as usize].to_string()
            };
            let ones = if o == 0 {
                String::new()
            } else {
                KANJI_DIGITS[o as usize].to_string()
            };
            format!("{tens}十{ones}")
        }
        _ => n.to_string(),
    }
}

/// Splits `平松４丁目` into (`平松`, 4).
pub fn split_chome(name: &str) -> Option<(&str, u32)> {
    let stem = name.strip_suffix("丁目")?;
    let digits_start = stem
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || ('０'..='９').contains(c))
        .last()?
        .0;
    let digits: String = stem[digits_start..]
        .chars()
        .map(|c| {
            if c.is_ascii_digit() {
                c
            } else {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
        })
        .collect();
    Some((&stem[..digits_start], digits.parse().ok()?))
}

/// The 位置参照情報 spelling of a small-area name: 丁目 in kanji numerals (`平松四丁目`).
pub fn reference_name(name: &str) -> String {
    match split_chome(name) {
        Some((stem, n)) => format!("{stem}{}丁目", kanji_number(n)),
        None => name.to_string(),
    }
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() || c == '-' {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// Old kanji a 住民票 may keep (邊 for 辺 …), written for some residents.
const OLD_KANJI: [(char, char); 6] = [
    ('辺', '邊'),
    ('高', '髙'),
    ('崎', '﨑'),
    ('島', '嶋'),
    ('浜', '濱'),
    ('沢', '澤'),
];

/// A resident's address as registers write it, in one of the many real forms. About 3 in
/// 1,000 are register slips that no matcher can place (the town left out), so that the
/// unmatched list is never empty.
pub fn address(muni: &Municipality, area: &Area, person: &Person, rng: &mut Rng) -> String {
    let block = area.first_block + person.block as u32;
    let slip = rng.chance(0.003);
    let old = rng.chance(0.3);
    let spaced_kanji = rng.chance(0.03);
    let mut s = String::new();
    if rng.chance(0.4) {
        s.push_str("奈良県");
    }
    s.push_str(&muni.name);
    if rng.chance(0.05) {
        s.push(' ');
    }
    let chome = split_chome(&area.sa.name);
    let town_start = s.len();
    match chome {
        Some((stem, n)) => {
            s.push_str(stem);
            match rng.range(0, 2) {
                0 => s.push_str(&format!("{}丁目", full_width(&n.to_string()))),
                1 => s.push_str(&format!("{n}丁目")),
                _ => s.push_str(&format!("{}丁目", kanji_number(n))),
            }
        }
        None => {
            if muni.code.as_str() >= "29300" && !area.sa.name.starts_with("大字") && rng.chance(0.3)
            {
                s.push_str("大字");
            }
            s.push_str(&area.sa.name);
        }
    }
    if old {
        let town: String = s[town_start..]
            .chars()
            .map(|c| OLD_KANJI.iter().find(|o| o.0 == c).map_or(c, |o| o.1))
            .collect();
        s.truncate(town_start);
        s.push_str(&town);
    }
    if slip {
        s.truncate(town_start);
    }
    let lot = person.lot;
    if spaced_kanji && chome.is_none() {
        // 奈良市 登大路町 三十番地
        s.insert(town_start, ' ');
        s.push_str(&format!(" {}番地", kanji_number(block)));
        return s;
    }
    let number = match (chome.is_some(), rng.range(0, 3)) {
        (true, 0) => format!("{block}番{lot}号"),
        (true, 1) => format!("{block}-{lot}"),
        (true, 2) => full_width(&format!("{block}-{lot}")),
        (true, _) => format!("{block}番地{lot}"),
        (false, 0) => format!("{block}番地"),
        (false, 1) => format!("{block}番地の{lot}"),
        (false, 2) => full_width(&format!("{block}")),
        (false, _) => format!("{block}-{lot}"),
    };
    s.push_str(&number);
    if rng.chance(0.08) {
        s.push_str(&format!(
            " {}ハイツ{}0{}号",
            rng.pick(&["メゾン", "コーポ", "グリーン"]),
            rng.range(1, 5),
            rng.range(1, 9)
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chome_forms() {
        assert_eq!(split_chome("平松４丁目"), Some(("平松", 4)));
        assert_eq!(split_chome("西大寺国見町１丁目"), Some(("西大寺国見町", 1)));
        assert_eq!(split_chome("北向町"), None);
        assert_eq!(reference_name("平松４丁目"), "平松四丁目");
        assert_eq!(kanji_number(23), "二十三");
        assert_eq!(kanji_number(10), "十");
    }
}
