//! Uptake per area for a fiscal year, computed with SQL from the imported tables. These
//! are the raw counts, for analyses and checks inside the core: what is shown to a user
//! goes through `figures` (suppression of small areas).

use duckdb::{Connection, params};

use super::measures::targets_with_attendance_sql;

/// The area level of an uptake table.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum Level {
    /// 市町村
    Municipality,
    /// 二次医療圏
    MedicalArea,
    /// 町丁・字 (the insured placed by address matching; unplaced targets are left out)
    SmallArea,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::MedicalArea, Level::Municipality, Level::SmallArea];
    pub fn label(self) -> &'static str {
        match self {
            Level::Municipality => "市町村",
            Level::MedicalArea => "二次医療圏",
            Level::SmallArea => "町丁・字",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UptakeRow {
    pub code: String,
    pub name: String,
    pub targets: i64,
    pub attendees: i64,
    /// attendees / targets, 0–1 (0 when there are no targets).
    pub rate: f64,
}

/// Which targets to count: all, or one sex, or one 5-year age band (40–44 … 70–74).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub struct TargetFilter {
    /// 1 = 男, 2 = 女.
    pub sex: Option<i8>,
    /// The first age of a 5-year band (40, 45, … 70).
    pub age_band: Option<i32>,
}

impl TargetFilter {
    pub const AGE_BANDS: [i32; 7] = [40, 45, 50, 55, 60, 65, 70];
    pub fn label(&self) -> String {
        let age = self
            .age_band
            .map_or_else(|| "40〜74歳".to_string(), |a| Self::age_label(Some(a)));
        format!("{}・{age}", Self::sex_label(self.sex))
    }
    pub fn sex_label(sex: Option<i8>) -> &'static str {
        match sex {
            Some(1) => "男性",
            Some(2) => "女性",
            _ => "男女計",
        }
    }
    pub fn age_label(band: Option<i32>) -> String {
        band.map_or_else(
            || "40〜74歳（全体）".to_string(),
            |a| format!("{a}〜{}歳", a + 4),
        )
    }
}

/// Uptake per area for `fy`, every area listed (areas without targets show 0).
pub fn uptake(conn: &Connection, level: Level, fy: i32) -> Result<Vec<UptakeRow>, duckdb::Error> {
    uptake_filtered(conn, level, fy, TargetFilter::default())
}

/// [`uptake`] for the targets of one sex and/or age band.
pub fn uptake_filtered(
    conn: &Connection,
    level: Level,
    fy: i32,
    filter: TargetFilter,
) -> Result<Vec<UptakeRow>, duckdb::Error> {
    // Column names and joins come from the fixed matches below; every value is bound.
    let filter_sql = "(CAST(? AS TINYINT) IS NULL OR sex = CAST(? AS TINYINT))
                      AND (CAST(? AS INTEGER) IS NULL OR age BETWEEN CAST(? AS INTEGER) AND CAST(? AS INTEGER) + 4)";
    let (per_area, areas) = match level {
        Level::Municipality | Level::MedicalArea => (
            format!(
                "SELECT municipality_code AS area, count(*) AS targets, count(*) FILTER (WHERE attended) AS attendees
                 FROM a WHERE {filter_sql} GROUP BY municipality_code"
            ),
            if level == Level::Municipality {
                "SELECT m.code, any_value(m.name) AS name, sum(p.targets) AS targets, sum(p.attendees) AS attendees
                 FROM ref_municipalities m LEFT JOIN per_area p ON p.area = m.code GROUP BY m.code"
            } else {
                "SELECT m.medical_area_code, any_value(m.medical_area_name) AS name, sum(p.targets) AS targets, sum(p.attendees) AS attendees
                 FROM ref_municipalities m LEFT JOIN per_area p ON p.area = m.code GROUP BY m.medical_area_code"
            },
        ),
        Level::SmallArea => (
            format!(
                "SELECT l.key_code AS area, count(*) AS targets, count(*) FILTER (WHERE attended) AS attendees
                 FROM a JOIN insured_locations l ON l.insured_id = a.insured_id
                 WHERE l.key_code IS NOT NULL AND {filter_sql} GROUP BY l.key_code"
            ),
            "SELECT s.key_code, s.name, p.targets, p.attendees
             FROM ref_small_areas s LEFT JOIN per_area p ON p.area = s.key_code",
        ),
    };
    let sql = format!(
        "WITH a AS ({}), per_area AS ({per_area}), areas AS ({areas})
         SELECT * EXCLUDE (targets, attendees), coalesce(targets, 0)::BIGINT, coalesce(attendees, 0)::BIGINT
         FROM areas ORDER BY 1",
        targets_with_attendance_sql()
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![
            fy,
            fy,
            filter.sex,
            filter.sex,
            filter.age_band,
            filter.age_band,
            filter.age_band
        ],
        |r| {
            let targets: i64 = r.get(2)?;
            let attendees: i64 = r.get(3)?;
            Ok(UptakeRow {
                code: r.get(0)?,
                name: r.get(1)?,
                targets,
                attendees,
                rate: if targets > 0 {
                    attendees as f64 / targets as f64
                } else {
                    0.0
                },
            })
        },
    )?;
    rows.collect()
}
