//! Uptake per area as a user may see it: the one place that reports an area's counts and
//! rates to the screens, the command line and exports. It counts the targets of a fiscal
//! year per municipality and per small area in every sex × age cell (the definition of
//! `measures`, the joins of `uptake`), adds municipalities up to medical areas, applies
//! `suppression` over the whole hierarchy and returns one level for one filter.
//! Suppressed areas come without figures; a user with 個人情報の閲覧 who asks for them
//! gets them marked as revealed (the caller checks the right and logs the viewing).

use std::collections::{BTreeMap, HashMap};

use duckdb::{Connection, params};

use super::frame::{self, DataFrame};
use super::measures::targets_with_attendance_sql;
use super::suppression::{self, Block, Cells, Count, Sum};
use super::uptake::{Level, TargetFilter};

/// One area's figures. `suppressed`: withheld (then the three figures are `None`).
/// `revealed`: they would be withheld, and are shown because the user asked with the
/// 個人情報の閲覧 right; such figures are marked wherever they are shown.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AreaRow {
    pub code: String,
    pub name: String,
    pub targets: Option<i64>,
    pub attendees: Option<i64>,
    /// attendees / targets, 0–1 (0 when there are no targets).
    pub rate: Option<f64>,
    pub suppressed: bool,
    pub revealed: bool,
}

impl AreaRow {
    /// Targets − attendees, when shown.
    pub fn non_attendees(&self) -> Option<i64> {
        Some(self.targets? - self.attendees?)
    }
}

/// The column names of an [`AreaTable`]'s frame. The figures are null where suppressed;
/// `rate` is 0–1.
pub mod col {
    pub const CODE: &str = "code";
    pub const NAME: &str = "name";
    pub const TARGETS: &str = "targets";
    pub const ATTENDEES: &str = "attendees";
    pub const NON_ATTENDEES: &str = "non_attendees";
    pub const RATE: &str = "rate";
    pub const SUPPRESSED: &str = "suppressed";
    pub const REVEALED: &str = "revealed";
}

/// One level, fiscal year and filter as a frame (columns [`col`]), with the threshold that
/// applied.
#[derive(Debug, Clone)]
pub struct AreaTable {
    pub level: Level,
    pub fy: i32,
    pub filter: TargetFilter,
    /// Areas with fewer targets are suppressed (and others with them, see `suppression`).
    pub threshold: i64,
    /// The user asked to see suppressed figures (and held the right).
    pub reveal: bool,
    pub frame: DataFrame,
}

impl AreaTable {
    /// The areas as records (read from the frame).
    pub fn rows(&self) -> Vec<AreaRow> {
        let df = &self.frame;
        let codes = frame::texts(df, col::CODE).unwrap_or_default();
        let names = frame::texts(df, col::NAME).unwrap_or_default();
        let targets = frame::ints(df, col::TARGETS).unwrap_or_default();
        let attendees = frame::ints(df, col::ATTENDEES).unwrap_or_default();
        let rates = frame::floats(df, col::RATE).unwrap_or_default();
        let suppressed = frame::flags(df, col::SUPPRESSED).unwrap_or_default();
        let revealed = frame::flags(df, col::REVEALED).unwrap_or_default();
        (0..df.height())
            .map(|i| AreaRow {
                code: codes.get(i).cloned().flatten().unwrap_or_default(),
                name: names.get(i).cloned().flatten().unwrap_or_default(),
                targets: targets.get(i).copied().flatten(),
                attendees: attendees.get(i).copied().flatten(),
                rate: rates.get(i).copied().flatten(),
                suppressed: suppressed.get(i).copied().unwrap_or(false),
                revealed: revealed.get(i).copied().unwrap_or(false),
            })
            .collect()
    }
    pub fn len(&self) -> usize {
        self.frame.height()
    }
    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }
    pub fn suppressed_count(&self) -> usize {
        self.count(col::SUPPRESSED)
    }
    pub fn revealed_count(&self) -> usize {
        self.count(col::REVEALED)
    }
    fn count(&self, column: &str) -> usize {
        frame::flags(&self.frame, column)
            .map(|v| v.iter().filter(|b| **b).count())
            .unwrap_or(0)
    }
}

/// The frame of `rows` ([`col`]).
fn to_frame(rows: &[AreaRow]) -> Result<DataFrame, frame::FrameError> {
    frame::Builder::default()
        .text(col::CODE, rows.iter().map(|r| r.code.as_str()))
        .text(col::NAME, rows.iter().map(|r| r.name.as_str()))
        .int(col::TARGETS, rows.iter().map(|r| r.targets))
        .int(col::ATTENDEES, rows.iter().map(|r| r.attendees))
        .float(col::RATE, rows.iter().map(|r| r.rate))
        .flag(col::SUPPRESSED, rows.iter().map(|r| r.suppressed))
        .flag(col::REVEALED, rows.iter().map(|r| r.revealed))
        .int(col::NON_ATTENDEES, rows.iter().map(|r| r.non_attendees()))
        .build()
}

#[derive(Debug, thiserror::Error)]
pub enum FiguresError {
    #[error(
        "集計の条件（性別 {sex:?}、年齢階層 {age:?}）は選べる値ではありません。男女計・男性・女性と 40〜70 歳の 5 歳階級から選んでください。"
    )]
    BadFilter { sex: Option<i8>, age: Option<i32> },
    #[error("受診率の集計に失敗しました: {0}")]
    Sql(#[from] duckdb::Error),
    #[error(transparent)]
    Frame(#[from] frame::FrameError),
}

/// The areas of every level, in code order, with their cells and the sums between them.
struct Hierarchy {
    /// (level, code, name) per area.
    areas: Vec<(Level, String, String)>,
    cells: Vec<Cells>,
    sums: Vec<Sum>,
}

/// The table of `level` for `fy` and `filter` with suppression at `threshold`; with
/// `reveal`, suppressed figures are given and marked instead.
pub fn area_table(
    conn: &Connection,
    level: Level,
    fy: i32,
    filter: TargetFilter,
    threshold: i64,
    reveal: bool,
) -> Result<AreaTable, FiguresError> {
    let cell = suppression::cell_of(filter).ok_or(FiguresError::BadFilter {
        sex: filter.sex,
        age: filter.age_band,
    })?;
    let threshold = threshold.max(suppression::MIN_THRESHOLD);
    let h = hierarchy(conn, fy)?;
    let hidden = suppression::suppress(&h.cells, &h.sums, threshold);
    let rows = level_rows(&h, &hidden, level, cell, reveal);
    Ok(AreaTable {
        level,
        fy,
        filter,
        threshold,
        reveal,
        frame: to_frame(&rows)?,
    })
}

/// Every sex × age cell of `level` for `fy` (the cells of `suppression::SEXES` ×
/// `suppression::BANDS`, in that order), suppressed at `threshold` over the whole
/// hierarchy as [`area_table`] does, counted once: an atlas page's table of a municipality
/// by sex and age band.
pub fn every_cell(
    conn: &Connection,
    level: Level,
    fy: i32,
    threshold: i64,
    reveal: bool,
) -> Result<Vec<(TargetFilter, Vec<AreaRow>)>, FiguresError> {
    let threshold = threshold.max(suppression::MIN_THRESHOLD);
    let h = hierarchy(conn, fy)?;
    let hidden = suppression::suppress(&h.cells, &h.sums, threshold);
    let mut out = Vec::with_capacity(suppression::CELLS);
    for sex in suppression::SEXES {
        for age_band in suppression::BANDS {
            let filter = TargetFilter { sex, age_band };
            let cell = suppression::cell_of(filter)
                .ok_or(FiguresError::BadFilter { sex, age: age_band })?;
            out.push((filter, level_rows(&h, &hidden, level, cell, reveal)));
        }
    }
    Ok(out)
}

/// The areas of `level` with the figures of `cell`, withheld where `hidden` says so
/// (given and marked with `reveal`).
fn level_rows(
    h: &Hierarchy,
    hidden: &[suppression::Hidden],
    level: Level,
    cell: usize,
    reveal: bool,
) -> Vec<AreaRow> {
    let block = Block::of(cell) as usize;
    h.areas
        .iter()
        .zip(&h.cells)
        .zip(hidden)
        .filter(|(((l, _, _), _), _)| *l == level)
        .map(|(((_, code, name), cells), hid)| {
            let c = cells.0[cell];
            let withheld = hid[block];
            let shown = !withheld || reveal;
            AreaRow {
                code: code.clone(),
                name: name.clone(),
                targets: shown.then_some(c.targets),
                attendees: shown.then_some(c.attendees),
                rate: shown.then(|| {
                    if c.targets > 0 {
                        c.attendees as f64 / c.targets as f64
                    } else {
                        0.0
                    }
                }),
                suppressed: !shown,
                revealed: withheld && reveal,
            }
        })
        .collect()
}

/// Medical areas, municipalities and small areas with their cells for `fy`, and the sums:
/// the prefecture = medical areas, a medical area = its municipalities, a municipality =
/// its small areas (+ unplaced targets). A small area whose municipality is not in the
/// reference is in no sum (no shown total holds it).
fn hierarchy(conn: &Connection, fy: i32) -> Result<Hierarchy, duckdb::Error> {
    let munis: Vec<(String, String, String, String)> = conn
        .prepare(
            "SELECT code, name, medical_area_code, medical_area_name FROM ref_municipalities ORDER BY code",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let smalls: Vec<(String, String, String)> = conn
        .prepare("SELECT key_code, name, municipality_code FROM ref_small_areas ORDER BY key_code")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let (muni_cells, small_cells) = cells(conn, fy)?;

    let mut areas = Vec::new();
    let mut all_cells = Vec::new();
    let mut medical: BTreeMap<&str, (usize, &str, Vec<usize>)> = BTreeMap::new();
    for (_, _, ma, ma_name) in &munis {
        medical.entry(ma).or_insert((0, ma_name, vec![]));
    }
    for (code, (ix, name, _)) in medical.iter_mut() {
        *ix = areas.len();
        areas.push((Level::MedicalArea, code.to_string(), name.to_string()));
        all_cells.push(Cells::default());
    }
    let mut muni_ix: HashMap<&str, usize> = HashMap::new();
    for (code, name, ma, _) in &munis {
        let ix = areas.len();
        muni_ix.insert(code, ix);
        areas.push((Level::Municipality, code.clone(), name.clone()));
        let c = muni_cells.get(code.as_str()).copied().unwrap_or_default();
        all_cells.push(c);
        if let Some((ma_ix, _, parts)) = medical.get_mut(ma.as_str()) {
            all_cells[*ma_ix].add_all(&c);
            parts.push(ix);
        }
    }
    let mut small_parts: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (code, name, muni) in &smalls {
        let ix = areas.len();
        areas.push((Level::SmallArea, code.clone(), name.clone()));
        all_cells.push(small_cells.get(code.as_str()).copied().unwrap_or_default());
        if let Some(&m) = muni_ix.get(muni.as_str()) {
            small_parts.entry(m).or_default().push(ix);
        }
    }
    let mut sums = vec![Sum {
        total: None,
        parts: medical.values().map(|m| m.0).collect(),
    }];
    sums.extend(medical.values().map(|(ix, _, parts)| Sum {
        total: Some(*ix),
        parts: parts.clone(),
    }));
    sums.extend(small_parts.into_iter().map(|(m, parts)| Sum {
        total: Some(m),
        parts,
    }));
    Ok(Hierarchy {
        areas,
        cells: all_cells,
        sums,
    })
}

type CellsByCode = HashMap<String, Cells>;

/// Targets and attendees of `fy` per municipality (of the register) and per small area
/// (placed by address matching), in every sex × age cell.
fn cells(conn: &Connection, fy: i32) -> Result<(CellsByCode, CellsByCode), duckdb::Error> {
    let sql = format!(
        "WITH a AS ({}),
         b AS (SELECT insured_id, municipality_code, CAST(sex AS INTEGER) AS sex,
                      CAST((age // 5) * 5 AS INTEGER) AS band, attended FROM a)
         SELECT 0 AS kind, municipality_code AS area, sex, band, count(*),
                count(*) FILTER (WHERE attended)
         FROM b WHERE municipality_code IS NOT NULL GROUP BY municipality_code, sex, band
         UNION ALL
         SELECT 1, l.key_code, b.sex, b.band, count(*), count(*) FILTER (WHERE b.attended)
         FROM b JOIN insured_locations l ON l.insured_id = b.insured_id
         WHERE l.key_code IS NOT NULL GROUP BY l.key_code, b.sex, b.band",
        targets_with_attendance_sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![fy, fy], |r| {
        Ok((
            r.get::<_, i32>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    let mut munis = CellsByCode::new();
    let mut smalls = CellsByCode::new();
    for row in rows {
        let (kind, area, sex, band, targets, attendees) = row?;
        let map = if kind == 0 { &mut munis } else { &mut smalls };
        map.entry(area)
            .or_default()
            .add(sex.unwrap_or(0), band, Count { targets, attendees });
    }
    Ok((munis, smalls))
}
