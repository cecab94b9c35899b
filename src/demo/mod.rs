//! The Nara demo data generator: a complete, deterministic, KDB-shaped data set for the 39
//! municipalities, built on the real e-Stat small areas. Files are written as KDB writes them
//! (CP932, CRLF, quoted, Japanese headers, wareki dates, report lines above the header), plus
//! a synthetic address-point reference in the 位置参照情報 layout and `truth.json`, the
//! generator's own counts and uptake, computed from its in-memory records independently of
//! the SQL that later computes the same figures.

mod csv_out;
mod facilities;
mod model;
mod names;
pub mod population;
mod recommendations;
mod records;
pub mod rng;
pub mod smallareas;
pub mod truth;

use std::path::{Path, PathBuf};

use crate::job::Progress;
use population::{Area, Municipality};
use rng::Rng;

/// How big a data set to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// About 3% of Nara's insured: for the first start and the tests.
    Small,
    /// About 300k insured and 600k claims a month.
    Nara,
    /// 6.5M claims a month: the capacity test (population scaled up).
    Spec,
}

impl Scale {
    pub fn insured(self) -> u64 {
        match self {
            Scale::Small => 9_000,
            Scale::Nara => 300_000,
            Scale::Spec => 3_250_000,
        }
    }
    /// Default number of claim months (ending March 2022).
    pub fn default_months(self) -> u32 {
        match self {
            Scale::Small => 12,
            Scale::Nara | Scale::Spec => 60,
        }
    }
}

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub scale: Scale,
    pub seed: u64,
    /// Months of claims, counted back from March 2022 (1–60).
    pub months: u32,
    /// Where `data/reference` is (the small areas and municipality list).
    pub reference_dir: PathBuf,
    /// Write only the claims files (for the import benchmark).
    pub claims_only: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Area(#[from] smallareas::SmallAreaError),
    #[error("デモデータを書けません: {0}")]
    Io(#[from] std::io::Error),
    #[error("デモデータを書けません: {0}")]
    Xlsx(String),
}

/// What was written.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub files: Vec<PathBuf>,
    pub truth: truth::Truth,
}

/// Municipality list from the shipped reference (code, name), with base rates spread over
/// 25–45% in a seed-determined order.
fn municipalities(reference_dir: &Path, rng: &mut Rng) -> Result<Vec<Municipality>, DemoError> {
    let text = std::fs::read_to_string(reference_dir.join("secondary_medical_areas.csv"))?;
    let rows: Vec<(String, String)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.trim().split(',').collect();
            (c.len() >= 2).then(|| (c[0].to_string(), c[1].to_string()))
        })
        .collect();
    let n = rows.len().max(2);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    for i in (1..order.len()).rev() {
        let j = rng.range(0, i as i64) as usize;
        order.swap(i, j);
    }
    Ok(rows
        .into_iter()
        .enumerate()
        .map(|(i, (code, name))| {
            let serial = format!("29{:03}", i + 1);
            let check: u32 = serial.chars().filter_map(|c| c.to_digit(10)).sum::<u32>() % 10;
            let phone_prefix = match &code[..] {
                "29201" => "0742",
                c if c < "29205" => "0743",
                c if c < "29300" => "0745",
                _ => "0746",
            };
            Municipality {
                base_rate: 0.25 + 0.20 * order[i] as f64 / (n - 1) as f64,
                code,
                name,
                insurer_no: format!("{serial}{check}"),
                phone_prefix,
            }
        })
        .collect())
}

/// Generates the data set into `out` (created if needed).
pub fn generate(
    out: &Path,
    opts: &DemoOptions,
    progress: &Progress,
) -> Result<DemoSummary, DemoError> {
    std::fs::create_dir_all(out)?;
    progress.set(0.0, "デモデータ: 小地域を読み込んでいます");
    let mut rng = Rng::fork(opts.seed, 1);
    let munis = municipalities(&opts.reference_dir, &mut rng)?;
    let small = smallareas::read(&opts.reference_dir.join("smallareas/h27ka29.shp"))?;
    let residents = population::allot(&small, opts.scale.insured(), &mut Rng::fork(opts.seed, 2));
    let mut areas: Vec<Area> = small
        .into_iter()
        .filter_map(|sa| {
            let muni = munis.iter().position(|m| m.code == sa.city_code)?;
            Some(Area {
                sa,
                muni,
                first_block: 0,
                blocks: vec![],
                block_dist_km: vec![],
                near: Default::default(),
            })
        })
        .collect();
    let residents: Vec<u32> = residents.into_iter().take(areas.len()).collect();
    progress.set(0.05, "デモデータ: 街区と医療機関を配置しています");
    population::place_blocks(&mut areas, &residents, &mut Rng::fork(opts.seed, 3));
    let insts = facilities::create(&areas, &munis, &mut Rng::fork(opts.seed, 4));
    facilities::link(&mut areas, &insts);
    progress.set(0.1, "デモデータ: 被保険者を作成しています");
    let mut prng = Rng::fork(opts.seed, 5);
    let mut people = Vec::with_capacity(opts.scale.insured() as usize);
    for (a, &n) in residents.iter().enumerate() {
        for _ in 0..n {
            let id = people.len() as u32 + 1;
            people.push(population::draw_person(
                id,
                a as u32,
                areas[a].blocks.len(),
                &mut prng,
            ));
        }
    }
    let ctx = records::Context {
        out,
        opts,
        munis: &munis,
        areas: &areas,
        insts: &insts,
        people: &people,
        progress,
    };
    ctx.write_all()
}

pub use records::claim_file_name;
