//! 住所照合: the insured's registered addresses → a point and a small area (町丁・字), for
//! small-area uptake and for point maps.
//!
//! `address` folds the many writings of one address; `book` holds the reference (the
//! address points in the 位置参照情報 layout and the small-area names); `locate` places one
//! address and says at which level it matched. [`run`] places every insured person and
//! stores the result in `insured_locations` in one transaction; [`report`] gives the match
//! rates per municipality and [`unmatched`] the addresses the user has to fix.
//!
//! The results table holds ids and codes, never the address text: the unmatched list reads
//! the address from `insured` when a user asks for it.

pub use kenshin_parse::address;
pub mod book;
pub mod institutions;
pub mod locate;

use std::collections::BTreeMap;

use duckdb::{Connection, params};

use crate::job::Progress;
use crate::layers::{self, bundled, index::LayerIndex};
use crate::store::Store;
pub use book::{AddressBook, AddressPoint, SmallAreaName};
pub use locate::{Geocoder, Location, MatchLevel};

#[derive(Debug, thiserror::Error)]
pub enum GeocodeError {
    #[error(
        "住所照合に使う小地域レイヤ「{0}」がありません。レイヤを取り込んでから実行してください。"
    )]
    NoLayer(String),
    #[error(
        "小地域レイヤ「{layer}」に列 {field} がありません。町丁・字の KEY_CODE と名称（MOJI）を持つレイヤを選んでください。"
    )]
    MissingField { layer: String, field: String },
    #[error("住所照合を取り消しました。結果は変わっていません。")]
    Cancelled,
    #[error(transparent)]
    Layer(#[from] layers::LayerError),
    #[error("住所照合のデータベース処理に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
}

/// Which small-area layer to assign to.
#[derive(Debug, Clone)]
pub struct GeocodeOptions {
    pub layer: String,
    /// Where the bundled layers are read from when the default layer is not stored yet.
    pub reference_dir: std::path::PathBuf,
}

impl Default for GeocodeOptions {
    fn default() -> Self {
        GeocodeOptions {
            layer: bundled::SMALL_AREAS.to_string(),
            reference_dir: crate::paths::reference_dir(),
        }
    }
}

/// Match counts of one municipality.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct MatchRates {
    pub municipality_code: String,
    pub municipality_name: String,
    pub block: u64,
    pub town: u64,
    pub ambiguous: u64,
    pub none: u64,
}

impl MatchRates {
    pub fn total(&self) -> u64 {
        self.block + self.town + self.ambiguous + self.none
    }
    /// Share placed at 街区 level, 0–1.
    pub fn block_rate(&self) -> f64 {
        self.block as f64 / self.total().max(1) as f64
    }
    fn add(&mut self, level: MatchLevel, n: u64) {
        match level {
            MatchLevel::Block => self.block += n,
            MatchLevel::Town => self.town += n,
            MatchLevel::Ambiguous => self.ambiguous += n,
            MatchLevel::None => self.none += n,
        }
    }
}

/// The result of a run: per municipality, and the prefecture total last.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct GeocodeReport {
    pub layer: String,
    pub reference_blocks: u64,
    pub rows: Vec<MatchRates>,
    pub total: MatchRates,
}

/// Loads the small-area layer and the fields the matcher needs.
fn small_areas(
    conn: &Connection,
    layer: &str,
) -> Result<(LayerIndex, usize, Vec<SmallAreaName>), GeocodeError> {
    let (info, features) = match layers::storage::load(conn, layer) {
        Ok(x) => x,
        Err(layers::LayerError::NotFound(_)) => return Err(GeocodeError::NoLayer(layer.into())),
        Err(e) => return Err(e.into()),
    };
    let field = |name: &str| {
        info.field_index(name)
            .ok_or_else(|| GeocodeError::MissingField {
                layer: layer.into(),
                field: name.into(),
            })
    };
    let key = field(bundled::SMALL_AREA_CODE)?;
    let name = field(bundled::SMALL_AREA_NAME)?;
    let (x, y) = (info.field_index("X_CODE"), info.field_index("Y_CODE"));
    let text = |f: &layers::model::Feature, i: usize| {
        f.attrs.get(i).map(|a| a.display()).unwrap_or_default()
    };
    let number = |f: &layers::model::Feature, i: Option<usize>| {
        i.and_then(|i| text(f, i).parse::<f64>().ok())
    };
    let areas = features
        .iter()
        .map(|f| {
            let key_code = text(f, key);
            // KEY_CODE starts with the 5-digit municipality code (29201…).
            let municipality_code = key_code.get(..5).unwrap_or_default().to_string();
            let point = match (number(f, x), number(f, y)) {
                (Some(x), Some(y)) => (x, y),
                _ => interior(&f.geom),
            };
            SmallAreaName {
                key_code,
                municipality_code,
                name: text(f, name),
                point,
            }
        })
        .collect();
    Ok((LayerIndex::new(info, features), key, areas))
}

fn interior(g: &geo::Geometry<f64>) -> (f64, f64) {
    use geo::InteriorPoint;
    g.interior_point().map_or((0.0, 0.0), |p| (p.x(), p.y()))
}

fn address_points(conn: &Connection) -> Result<Vec<AddressPoint>, duckdb::Error> {
    let mut stmt = conn.prepare(
        "SELECT city_name, coalesce(oaza, ''), coalesce(koaza, ''), block, lon, lat
         FROM address_points WHERE lon IS NOT NULL AND lat IS NOT NULL",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(AddressPoint {
            city_name: r.get(0)?,
            oaza: r.get(1)?,
            koaza: r.get(2)?,
            block: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
            lon: r.get(4)?,
            lat: r.get(5)?,
        })
    })?;
    rows.collect()
}

fn municipalities(conn: &Connection) -> Result<Vec<(String, String)>, duckdb::Error> {
    let mut stmt = conn.prepare("SELECT code, name FROM ref_municipalities ORDER BY code")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect()
}

/// Builds the address book from the store.
pub fn load_book(
    conn: &Connection,
    opts: &GeocodeOptions,
) -> Result<(AddressBook, LayerIndex, usize), GeocodeError> {
    let (index, key, areas) = small_areas(conn, &opts.layer)?;
    let book = AddressBook::new(&municipalities(conn)?, address_points(conn)?, areas);
    Ok((book, index, key))
}

/// Places every insured person and replaces `insured_locations` (one transaction), then
/// the institutions without lat/lon (`institutions::place`).
pub fn run(
    store: &Store,
    opts: &GeocodeOptions,
    progress: &Progress,
) -> Result<GeocodeReport, GeocodeError> {
    let conn = store.conn();
    progress.set(0.0, "住所照合: 参照データを読み込んでいます");
    if opts.layer == bundled::SMALL_AREAS {
        bundled::ensure(store, &opts.reference_dir)?;
    }
    let (book, index, key_field) = load_book(conn, opts)?;
    let geocoder = Geocoder {
        book: &book,
        polygons: &index,
        key_field,
    };
    let people: Vec<(String, String, String, String)> = {
        let mut stmt = conn.prepare(
            "SELECT insured_id, insurer_no, municipality_code, coalesce(address, '') FROM insured",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    let n = people.len().max(1);
    let mut located = Vec::with_capacity(people.len());
    for (i, (id, insurer, muni, addr)) in people.iter().enumerate() {
        if i % 4096 == 0 {
            if progress.is_cancelled() {
                return Err(GeocodeError::Cancelled);
            }
            progress.set(
                0.1 + 0.8 * i as f32 / n as f32,
                format!("住所照合: {i}/{} 人", people.len()),
            );
        }
        let mut loc = geocoder.locate(addr, muni);
        if loc.municipality_code.is_none() {
            loc.municipality_code = Some(muni.clone());
        }
        located.push((id, insurer, loc));
    }
    progress.set(0.9, "住所照合: 結果を保存しています");
    crate::store::in_transaction(conn, || -> Result<(), GeocodeError> {
        conn.execute_batch("DELETE FROM insured_locations; DELETE FROM ref_small_areas;")?;
        {
            let mut app = conn.appender("ref_small_areas")?;
            let mut seen = std::collections::HashSet::new();
            for a in book
                .areas
                .iter()
                .filter(|a| seen.insert(a.key_code.clone()))
            {
                app.append_row(params![a.key_code, a.municipality_code, a.name, opts.layer])?;
            }
            let mut app = conn.appender("insured_locations")?;
            for (id, insurer, loc) in &located {
                let candidates = (!loc.candidates.is_empty()).then(|| loc.candidates.join(","));
                app.append_row(params![
                    id,
                    insurer,
                    loc.municipality_code,
                    loc.level.code(),
                    loc.key_code,
                    loc.point.map(|p| p.0),
                    loc.point.map(|p| p.1),
                    candidates
                ])?;
            }
        }
        if progress.is_cancelled() {
            return Err(GeocodeError::Cancelled);
        }
        Ok(())
    })?;
    progress.set(0.95, "住所照合: 医療機関の位置を求めています");
    institutions::place(conn, opts)?;
    progress.set(1.0, "住所照合が終わりました");
    Ok(report(conn)?)
}

/// Match rates per municipality from the stored results.
pub fn report(conn: &Connection) -> Result<GeocodeReport, duckdb::Error> {
    let mut stmt = conn.prepare(
        "SELECT m.code, m.name, l.match_level, count(l.insured_id)
         FROM ref_municipalities m LEFT JOIN insured_locations l ON l.municipality_code = m.code
         GROUP BY ALL ORDER BY m.code",
    )?;
    let mut rows: BTreeMap<String, MatchRates> = BTreeMap::new();
    let mut total = MatchRates {
        municipality_code: "29".into(),
        municipality_name: "奈良県計".into(),
        ..Default::default()
    };
    let mut q = stmt.query([])?;
    while let Some(r) = q.next()? {
        let code: String = r.get(0)?;
        let entry = rows.entry(code.clone()).or_insert_with(|| MatchRates {
            municipality_code: code,
            municipality_name: r.get(1).unwrap_or_default(),
            ..Default::default()
        });
        if let Some(level) = r.get::<_, Option<i8>>(2)? {
            let n: i64 = r.get(3)?;
            entry.add(MatchLevel::from_code(level), n as u64);
            total.add(MatchLevel::from_code(level), n as u64);
        }
    }
    let layer: Option<String> = conn
        .query_row(
            "SELECT any_value(layer_name) FROM ref_small_areas",
            [],
            |r| r.get(0),
        )
        .unwrap_or(None);
    let blocks: i64 = conn.query_row("SELECT count(*) FROM address_points", [], |r| r.get(0))?;
    Ok(GeocodeReport {
        layer: layer.unwrap_or_default(),
        reference_blocks: blocks as u64,
        rows: rows.into_values().collect(),
        total,
    })
}

/// An address that was not placed at 街区 level, for the user to check.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Unmatched {
    pub insured_id: String,
    pub municipality_code: String,
    pub address: String,
    pub level: MatchLevel,
    pub candidates: Vec<String>,
}

/// The addresses matched below 街区 level (曖昧 and 不明 first), at most `limit`. This reads
/// personal data: show it to the user, never write it to a log.
pub fn unmatched(conn: &Connection, limit: usize) -> Result<Vec<Unmatched>, duckdb::Error> {
    let mut stmt = conn.prepare(
        "SELECT l.insured_id, coalesce(l.municipality_code, ''), coalesce(i.address, ''), l.match_level, coalesce(l.candidates, '')
         FROM insured_locations l JOIN insured i USING (insured_id, insurer_no)
         WHERE l.match_level <> 1
         ORDER BY CASE l.match_level WHEN 0 THEN 0 WHEN 3 THEN 1 ELSE 2 END, l.municipality_code, l.insured_id
         LIMIT ?",
    )?;
    let rows = stmt.query_map(params![limit as i64], |r| {
        let c: String = r.get(4)?;
        Ok(Unmatched {
            insured_id: r.get(0)?,
            municipality_code: r.get(1)?,
            address: r.get(2)?,
            level: MatchLevel::from_code(r.get(3)?),
            candidates: c
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        })
    })?;
    rows.collect()
}

/// True when there are insured but no stored locations (a database from before address
/// matching, or a run that failed).
pub fn needs_run(conn: &Connection) -> Result<bool, duckdb::Error> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM insured) > 0 AND (SELECT count(*) FROM insured_locations) = 0",
        [],
        |r| r.get(0),
    )
}

/// The tables whose import changes where the insured live.
const LOCATION_INPUTS: [&str; 2] = ["insured", "address_points"];

/// Re-runs address matching when one of `tables` (just imported) changes its input: the
/// insured and the institutions after the insured or the address points, the institutions
/// alone after the medical institution master. Returns the insured's report, or `None`
/// when they were not matched again (an error placing institutions is returned too).
pub fn after_import(
    store: &Store,
    tables: &[&str],
    progress: &Progress,
) -> Option<Result<GeocodeReport, GeocodeError>> {
    let opts = GeocodeOptions::default();
    if tables.iter().any(|t| LOCATION_INPUTS.contains(t)) {
        Some(run(store, &opts, progress))
    } else if tables.iter().any(|t| institutions::INPUTS.contains(t)) {
        progress.set(0.95, "医療機関の位置を求めています");
        if opts.layer == bundled::SMALL_AREAS
            && let Err(e) = bundled::ensure(store, &opts.reference_dir)
        {
            return Some(Err(e.into()));
        }
        institutions::place(store.conn(), &opts).err().map(Err)
    } else {
        None
    }
}
