//! Institutions as the map and the lists see them: both masters joined by code, the
//! number of insured who used each in a fiscal year (a claim or a checkup there), and the
//! point address matching stored for those the master gives no 緯度・経度.

use duckdb::Connection;

/// Both masters joined by code, with users in fiscal year `fy` (binds: fy, fy, fy). Each
/// master gives its latest import's row of a code (a keyed re-import replaces a code's
/// row, so there is one; the order only makes sure); each master's name comes with its
/// import id, for [`pick_name`].
const SQL: &str = "
    WITH m AS (SELECT code, name, address, phone, lat, lon, import_id
               FROM medical_institutions
               QUALIFY row_number() OVER (PARTITION BY code ORDER BY import_id DESC, name) = 1),
         c AS (SELECT code, name, does_checkup AS checkup,
                      coalesce(does_cancer_screening, false) AS cancer, import_id
               FROM checkup_institutions
               QUALIFY row_number() OVER (PARTITION BY code ORDER BY import_id DESC, name) = 1),
         v AS (SELECT institution_code AS code, insured_id FROM claims
               WHERE service_month >= make_date(CAST(? AS INTEGER), 4, 1)
                 AND service_month < make_date(CAST(? AS INTEGER) + 1, 4, 1)
               UNION
               SELECT institution_code, insured_id FROM checkups WHERE fy = ?),
         u AS (SELECT code, count(DISTINCT insured_id) AS users FROM v GROUP BY code)
    SELECT coalesce(m.code, c.code) AS code, m.name, m.import_id, c.name, c.import_id,
           coalesce(m.address, ''), coalesce(m.phone, ''), m.lat, m.lon,
           m.code IS NOT NULL, coalesce(c.checkup, false), coalesce(c.cancer, false),
           coalesce(u.users, 0), l.lon, l.lat, l.match_level
    FROM m FULL JOIN c ON m.code = c.code
    LEFT JOIN u ON u.code = coalesce(m.code, c.code)
    LEFT JOIN institution_locations l ON l.institution_code = coalesce(m.code, c.code)
    ORDER BY code";

/// One institution code, from either master or both.
#[derive(Debug, Clone, PartialEq)]
pub struct InstitutionRow {
    pub code: String,
    /// The medical master's name and the import it came from.
    pub medical_name: Option<(String, i64)>,
    /// The checkup master's name and the import it came from.
    pub checkup_name: Option<(String, i64)>,
    pub address: String,
    pub phone: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// In the medical master.
    pub medical: bool,
    pub checkup: bool,
    pub cancer_screening: bool,
    /// Distinct insured with a claim or a checkup there in the fiscal year.
    pub users: i64,
    /// Where address matching placed it (stored at import, `geocode::institutions`):
    /// (lon, lat) and the match level's code.
    pub located: Option<((f64, f64), i8)>,
}

/// Every institution code of the masters, with its users in fiscal year `fy`.
pub fn rows(conn: &Connection, fy: i32) -> Result<Vec<InstitutionRow>, duckdb::Error> {
    let mut stmt = conn.prepare(SQL)?;
    let rows = stmt.query_map(duckdb::params![fy, fy, fy], |r| {
        let m_name: Option<String> = r.get(1)?;
        let m_import: Option<i64> = r.get(2)?;
        let c_name: Option<String> = r.get(3)?;
        let c_import: Option<i64> = r.get(4)?;
        Ok(InstitutionRow {
            code: r.get(0)?,
            medical_name: m_name.zip(m_import),
            checkup_name: c_name.zip(c_import),
            address: r.get(5)?,
            phone: r.get(6)?,
            lat: r.get(7)?,
            lon: r.get(8)?,
            medical: r.get(9)?,
            checkup: r.get(10)?,
            cancer_screening: r.get(11)?,
            users: r.get(12)?,
            located: {
                let lon: Option<f64> = r.get(13)?;
                let lat: Option<f64> = r.get(14)?;
                let level: Option<i8> = r.get(15)?;
                lon.zip(lat).zip(level)
            },
        })
    })?;
    rows.collect()
}
