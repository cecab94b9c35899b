//! The uptake model behind the demo's checkups. The chance that a target attends in a fiscal
//! year rises with the municipality's base rate, falls with distance to the nearest checkup
//! institution, is higher at 65–74 and for women, lower for people already treated for a
//! lifestyle disease (I10, E11, E78), and carries a personal propensity. Each municipality's
//! intercept is calibrated so that its targets average its base rate.

use chrono::NaiveDate;

use super::population::{Area, Person};

pub const DIST_PER_KM: f64 = -0.22;
pub const AGE_65_74: f64 = 0.45;
pub const FEMALE: f64 = 0.25;
pub const UNDER_TREATMENT: f64 = -0.35;
pub const PROPENSITY_SD: f64 = 1.1;

/// Fiscal-year shifts (FY2020's dip: checkups paused in spring 2020).
pub fn year_shift(fy: i32) -> f64 {
    match fy {
        2017 => -0.08,
        2018 => -0.04,
        2020 => -0.30,
        2021 => -0.10,
        _ => 0.0,
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The person's linear predictor without intercept and year shift.
pub fn predictor(p: &Person, areas: &[Area], fy: i32) -> f64 {
    let fy_end = NaiveDate::from_ymd_opt(fy + 1, 3, 31).unwrap_or_default();
    let age = p.age_on(fy_end);
    let dist = areas[p.area as usize]
        .block_dist_km
        .get(p.block as usize)
        .copied()
        .unwrap_or(3.0) as f64;
    let mut x = DIST_PER_KM * (dist - 1.0) + PROPENSITY_SD * p.propensity as f64;
    if (65..=74).contains(&age) {
        x += AGE_65_74;
    }
    if p.sex == 2 {
        x += FEMALE;
    }
    if p.conditions != 0 {
        x += UNDER_TREATMENT;
    }
    x
}

/// Probability of attending in `fy`.
pub fn probability(intercept: f64, p: &Person, areas: &[Area], fy: i32) -> f64 {
    sigmoid(intercept + year_shift(fy) + predictor(p, areas, fy))
}

/// Finds the intercept at which the mean probability over `predictors` equals `rate`.
pub fn calibrate(predictors: &[f64], rate: f64) -> f64 {
    if predictors.is_empty() {
        return (rate / (1.0 - rate)).ln();
    }
    let (mut lo, mut hi) = (-10.0, 10.0);
    for _ in 0..40 {
        let mid = (lo + hi) / 2.0;
        let mean =
            predictors.iter().map(|x| sigmoid(mid + x)).sum::<f64>() / predictors.len() as f64;
        if mean < rate { lo = mid } else { hi = mid }
    }
    (lo + hi) / 2.0
}
