//! Medical and checkup institutions, placed where people live (areas drawn by population),
//! with 10-digit codes (prefecture 29 + point-table kind + 6 digits + check digit). Some
//! checkup institutions are 集団健診 organisations with codes starting 55 and no fixed place.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::population::{Area, Municipality, point_in};
use super::rng::Rng;
use crate::geo::distance::{haversine_m, local_xy};

/// Point-table kinds: 1 医科, 3 歯科, 4 薬局.
pub const KINDS: [u8; 3] = [1, 3, 4];

#[derive(Debug, Clone)]
pub struct Institution {
    pub code: String,
    pub name: String,
    /// 1 医科, 3 歯科, 4 薬局, 0 集団健診 (55 code).
    pub kind: u8,
    pub point: Option<(f64, f64)>,
    pub address: String,
    pub phone: String,
    pub checkup: bool,
    pub cancer_screening: bool,
    /// The test items of the checkup master, in [`TEST_ITEMS`] order.
    pub items: [bool; 10],
}

/// The checkup master's test-item columns (the 5 cancer screenings, then the others).
pub const TEST_ITEMS: [&str; 10] = [
    "胃がん検診",
    "肺がん検診",
    "大腸がん検診",
    "乳がん検診",
    "子宮がん検診",
    "人間ドック",
    "心電図",
    "眼底検査",
    "貧血検査",
    "血清クレアチニン",
];

/// An institution's test items, drawn from a stream of its own (keyed by the code) so
/// that adding them left every other generated value as it was.
fn test_items(code: &str, checkup: bool, cancer: bool) -> [bool; 10] {
    let key = code
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
    let mut rng = Rng::fork(key, 91);
    let mut out = [false; 10];
    if !checkup {
        return out;
    }
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = match i {
            0..=4 => cancer && rng.chance(0.7),
            5 => rng.chance(0.2),
            6 => rng.chance(0.8),
            7 => rng.chance(0.5),
            _ => rng.chance(0.9),
        };
    }
    if cancer && !out[..5].iter().any(|&b| b) {
        out[2] = true;
    }
    out
}

fn check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| d * if i % 2 == 0 { 2 } else { 1 })
        .map(|v| v / 10 + v % 10)
        .sum();
    (10 - sum % 10) % 10
}

/// Creates the institutions. Counts are fixed (not scaled): a sample of residents still
/// lives among the same clinics.
pub fn create(areas: &[Area], munis: &[Municipality], rng: &mut Rng) -> Vec<Institution> {
    let weights: Vec<f64> = areas.iter().map(|a| a.sa.population as f64).collect();
    let mut out = Vec::new();
    let counts = [(1u8, 700usize), (3, 300), (4, 400)];
    for (kind, n) in counts {
        for i in 0..n {
            let a = rng.weighted(&weights);
            let area = &areas[a];
            let muni = &munis[area.muni];
            let p = point_in(&area.sa, rng);
            let body = format!("29{kind}{:06}", 100_000 + i * 7 % 900_000 + i);
            let code = format!("{body}{}", check_digit(&body));
            let place = area.sa.name.trim_end_matches(|c: char| {
                c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '丁' || c == '目'
            });
            let place = if place.is_empty() {
                muni.name.as_str()
            } else {
                place
            };
            let name = match kind {
                1 if i % 12 == 0 => {
                    format!("{place}{}病院", rng.pick(&["中央", "総合", "記念", ""]))
                }
                1 => format!(
                    "{place}{}",
                    rng.pick(&[
                        "内科クリニック",
                        "医院",
                        "診療所",
                        "内科",
                        "ファミリークリニック",
                        "整形外科"
                    ])
                ),
                3 => format!(
                    "{place}{}",
                    rng.pick(&["歯科医院", "歯科クリニック", "デンタルクリニック"])
                ),
                _ => format!("{place}{}", rng.pick(&["薬局", "調剤薬局", "ファーマシー"])),
            };
            let checkup = kind == 1 && rng.chance(0.45);
            out.push(Institution {
                items: [false; 10],
                code,
                name,
                kind,
                point: Some(p),
                address: format!("{}{}{}番地", muni.name, area.sa.name, rng.range(1, 40)),
                phone: format!(
                    "{}-{:02}-{:04}",
                    muni.phone_prefix,
                    rng.range(20, 99),
                    rng.range(0, 9999)
                ),
                checkup,
                cancer_screening: checkup && rng.chance(0.5),
            });
            if let Some(last) = out.last_mut() {
                last.items = test_items(&last.code, last.checkup, last.cancer_screening);
            }
        }
    }
    for i in 0..10 {
        let code = format!("55{:08}", 29_000_000 + i * 137);
        let name = if i % 2 == 0 {
            format!("奈良県健康づくり財団 集団健診班{}", i / 2 + 1)
        } else {
            String::new()
        };
        out.push(Institution {
            items: test_items(&code, true, true),
            code,
            name,
            kind: 0,
            point: None,
            address: String::new(),
            phone: String::new(),
            checkup: true,
            cancer_screening: true,
        });
    }
    out
}

/// For every 街区, the distance to the nearest fixed checkup institution; for every area,
/// the nearest institutions of each kind.
pub fn link(areas: &mut [Area], insts: &[Institution]) {
    let ref_lat = 34.5;
    let tree_of = |pred: &dyn Fn(&Institution) -> bool| {
        RTree::bulk_load(
            insts
                .iter()
                .enumerate()
                .filter(|(_, i)| pred(i))
                .filter_map(|(k, i)| {
                    i.point
                        .map(|p| GeomWithData::new(local_xy(p, ref_lat), k as u32))
                })
                .collect::<Vec<_>>(),
        )
    };
    let checkup = tree_of(&|i: &Institution| i.checkup && i.point.is_some());
    let by_kind: Vec<RTree<GeomWithData<[f64; 2], u32>>> = KINDS
        .iter()
        .map(|&k| tree_of(&|i: &Institution| i.kind == k))
        .collect();
    for area in areas.iter_mut() {
        area.block_dist_km = area
            .blocks
            .iter()
            .map(|&b| {
                checkup
                    .nearest_neighbor(local_xy(b, ref_lat))
                    .and_then(|n| insts[n.data as usize].point)
                    .map_or(10.0, |p| (haversine_m(b, p) / 1000.0) as f32)
            })
            .collect();
        let here = local_xy(area.sa.rep_point, ref_lat);
        for (slot, tree) in area.near.iter_mut().zip(&by_kind) {
            *slot = tree
                .nearest_neighbor_iter(here)
                .take(6)
                .map(|n| n.data)
                .collect();
        }
    }
}
