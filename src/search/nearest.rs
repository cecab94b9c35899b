//! The checkup institutions nearest a point, by geodesic distance on GRS80 (travel time
//! comes with the road network later): each institution with its name, address, phone,
//! cancer screening, test items and distance.

use super::cache::Institutions;
use super::fields::TEST_ITEMS;
use crate::geo::geodesic;

/// One institution and how far it is.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Nearest {
    pub code: String,
    pub name: String,
    pub address: String,
    pub phone: String,
    pub lon: f64,
    pub lat: f64,
    pub distance_m: f64,
    pub cancer_screening: bool,
    /// The test items, by their Japanese names.
    pub test_items: Vec<String>,
}

/// The `n` placed checkup institutions nearest (lon, lat), nearest first (ties by code).
pub fn nearest(inst: &Institutions, lon: f64, lat: f64, n: usize) -> Vec<Nearest> {
    let mut all: Vec<(f64, usize)> = inst
        .list
        .iter()
        .enumerate()
        .filter(|(_, i)| i.checkup)
        .filter_map(|(k, i)| i.point.map(|p| (geodesic::distance_m((lon, lat), p), k)))
        .collect();
    let n = n.min(all.len());
    if n == 0 {
        return Vec::new();
    }
    let by = |a: &(f64, usize), b: &(f64, usize)| {
        a.0.total_cmp(&b.0)
            .then_with(|| inst.list[a.1].code.cmp(&inst.list[b.1].code))
    };
    if n < all.len() {
        all.select_nth_unstable_by(n - 1, by);
        all.truncate(n);
    }
    all.sort_by(by);
    all.into_iter()
        .map(|(d, k)| {
            let i = &inst.list[k];
            let (lon, lat) = i.point.unwrap_or_default();
            Nearest {
                code: i.code.clone(),
                name: i.name.clone(),
                address: i.address.clone(),
                phone: i.phone.clone(),
                lon,
                lat,
                distance_m: d,
                cancer_screening: i.cancer_screening,
                test_items: i
                    .items
                    .iter()
                    .filter_map(|k| TEST_ITEMS.iter().find(|(t, _)| t == k))
                    .map(|(_, l)| l.to_string())
                    .collect(),
            }
        })
        .collect()
}
