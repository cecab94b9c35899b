//! Institutions placed by address, once: those the medical institution master gives no
//! 緯度・経度 are matched like the insured (a point at 街区 or 町丁・字 level; an ambiguous
//! name is not guessed) and stored in `institution_locations`, replaced as a whole when
//! the master or the address points are imported. The map reads the stored points.

use duckdb::{Connection, params};

use super::{GeocodeError, GeocodeOptions, Geocoder, MatchLevel, load_book};

/// The tables whose import changes where institutions are.
pub const INPUTS: [&str; 2] = ["medical_institutions", "address_points"];

/// Places every institution of the medical master without lat/lon and replaces
/// `institution_locations` (one transaction). Returns how many were placed. Without the
/// small-area layer nothing can be placed: the table is emptied.
pub fn place(conn: &Connection, opts: &GeocodeOptions) -> Result<usize, GeocodeError> {
    let placed = match load_book(conn, opts) {
        Ok((book, polygons, key_field)) => {
            let g = Geocoder {
                book: &book,
                polygons: &polygons,
                key_field,
            };
            locate_all(conn, &g)?
        }
        Err(GeocodeError::NoLayer(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    crate::store::in_transaction(conn, || -> Result<(), GeocodeError> {
        conn.execute("DELETE FROM institution_locations", [])?;
        let mut app = conn.appender("institution_locations")?;
        for (code, level, (lon, lat)) in &placed {
            app.append_row(params![code, level.code(), lon, lat])?;
        }
        Ok(())
    })?;
    Ok(placed.len())
}

/// The codes the master leaves without lat/lon, with the point their address gives.
fn locate_all(
    conn: &Connection,
    g: &Geocoder,
) -> Result<Vec<(String, MatchLevel, (f64, f64))>, GeocodeError> {
    let mut stmt = conn.prepare(
        "SELECT code, address FROM medical_institutions
         QUALIFY row_number() OVER (PARTITION BY code ORDER BY import_id DESC, name) = 1
             AND (lat IS NULL OR lon IS NULL) AND coalesce(address, '') <> ''
         ORDER BY code",
    )?;
    let rows: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(code, address)| {
            let loc = g.locate(&address, "");
            match (loc.point, loc.level) {
                (Some(p), level @ (MatchLevel::Block | MatchLevel::Town)) => Some((code, level, p)),
                _ => None,
            }
        })
        .collect())
}

/// True when the master (each code's latest row, as [`place`] reads it) has institutions
/// to place by address but none is stored (a database from before institutions were
/// placed at import). When no address matches at all it stays true, and [`place`] runs
/// again at the next first-start check: a cost, not a fault.
pub fn needs_place(conn: &Connection) -> Result<bool, duckdb::Error> {
    conn.query_row(
        "SELECT (SELECT count(*) FROM (
                    SELECT code FROM medical_institutions
                    QUALIFY row_number() OVER (PARTITION BY code ORDER BY import_id DESC, name) = 1
                        AND (lat IS NULL OR lon IS NULL) AND coalesce(address, '') <> '')) > 0
            AND (SELECT count(*) FROM institution_locations) = 0",
        [],
        |r| r.get(0),
    )
}
