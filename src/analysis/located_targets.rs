//! The targets of a fiscal year that have a location (住所照合), with their attendance that
//! year and over the three years to it, whether they saw a doctor that year, and their mark
//! (除外, 勧奨対象): what the map draws as insured points. Personal
//! data: only the engine's 個人情報の閲覧 gate leads here.

use duckdb::Connection;

/// One located target of FY `fy`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LocatedTarget {
    pub lon: f64,
    pub lat: f64,
    /// Attended in `fy`.
    pub attended: bool,
    /// Of `fy-2..=fy`: the years the person was a target in (1–3), and attended in (0–3).
    pub years_targeted: u8,
    pub years_attended: u8,
    /// A claim (any medical visit) in `fy`.
    pub visited: bool,
    /// The person's mark: 0 none, 1 除外, 2 勧奨対象 (`insured_marks`).
    pub mark: u8,
}

/// The located targets of fiscal year `fy` (the uptake definition of
/// [`super::measures`], once per year).
pub fn located_targets(conn: &Connection, fy: i32) -> Result<Vec<LocatedTarget>, duckdb::Error> {
    let t = super::measures::targets_with_attendance_sql();
    let sql = format!(
        "WITH a0 AS ({t}), a1 AS ({t}), a2 AS ({t})
         SELECT l.lon, l.lat, a0.attended,
                1 + (a1.insured_id IS NOT NULL)::INTEGER + (a2.insured_id IS NOT NULL)::INTEGER,
                a0.attended::INTEGER + coalesce(a1.attended::INTEGER, 0)
                  + coalesce(a2.attended::INTEGER, 0),
                a0.insured_id IN (SELECT insured_id FROM claims
                                  WHERE service_month BETWEEN a0.fy_start AND a0.fy_end),
                coalesce((SELECT CASE m.mark WHEN 'excluded' THEN 1 WHEN 'recommend' THEN 2 ELSE 0 END
                          FROM insured_marks m WHERE m.insured_id = a0.insured_id), 0)
         FROM a0
         LEFT JOIN a1 ON a1.insured_id = a0.insured_id
         LEFT JOIN a2 ON a2.insured_id = a0.insured_id
         JOIN insured_locations l ON l.insured_id = a0.insured_id
         WHERE l.lon IS NOT NULL"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        duckdb::params![fy, fy, fy - 1, fy - 1, fy - 2, fy - 2],
        |r| {
            let targeted: i32 = r.get(3)?;
            let attended: i32 = r.get(4)?;
            Ok(LocatedTarget {
                lon: r.get(0)?,
                lat: r.get(1)?,
                attended: r.get(2)?,
                years_targeted: targeted.clamp(0, 3) as u8,
                years_attended: attended.clamp(0, 3) as u8,
                visited: r.get(5)?,
                mark: r.get::<_, i32>(6)?.clamp(0, 2) as u8,
            })
        },
    )?;
    rows.collect()
}
