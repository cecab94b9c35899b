//! MBTiles (tiles in an SQLite file, rows counted from the south: TMS): reading by z/x/y,
//! and writing for `tiles build --format mbtiles`. rusqlite is used only for these files;
//! the app's own data stays in DuckDB.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::TileError;

pub struct MbTiles {
    conn: Mutex<Connection>,
}

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> TileError + '_ {
    move |e| TileError::Invalid {
        path: path.into(),
        msg: format!("MBTiles として読めません: {e}"),
    }
}

impl MbTiles {
    pub fn open(path: &Path) -> Result<MbTiles, TileError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql_err(path))?;
        // A file without a tiles table (or view) is not an MBTiles set.
        conn.query_row("SELECT count(*) FROM tiles WHERE 0", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(sql_err(path))?;
        Ok(MbTiles {
            conn: Mutex::new(conn),
        })
    }

    pub fn zoom_range(&self) -> Option<(u8, u8)> {
        let conn = self.conn.lock().ok()?;
        conn.query_row(
            "SELECT min(zoom_level), max(zoom_level) FROM tiles",
            [],
            |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
        )
        .ok()
        .and_then(|(a, b)| Some((a? as u8, b? as u8)))
    }

    pub fn tile(&self, z: u8, x: u32, y: u32) -> Option<Vec<u8>> {
        let tms_row = (1i64 << z) - 1 - y as i64;
        let conn = self.conn.lock().ok()?;
        conn.query_row(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            params![z as i64, x as i64, tms_row],
            |r| r.get(0),
        )
        .optional()
        .ok()
        .flatten()
    }
}

/// Writes `tiles` as a new MBTiles file (replacing `path`), in one transaction.
pub fn write(
    path: &Path,
    name: &str,
    tiles: &[((u8, u32, u32), Vec<u8>)],
    png: bool,
    bounds: [f64; 4],
) -> Result<(), TileError> {
    let _ = std::fs::remove_file(path);
    let mut conn = Connection::open(path).map_err(sql_err(path))?;
    let tx = conn.transaction().map_err(sql_err(path))?;
    tx.execute_batch(
        "CREATE TABLE metadata (name TEXT, value TEXT);
         CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
         CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);",
    )
    .map_err(sql_err(path))?;
    let (min_z, max_z) = tiles.iter().fold((u8::MAX, 0u8), |(a, b), ((z, _, _), _)| {
        (a.min(*z), b.max(*z))
    });
    let bounds_text = format!("{},{},{},{}", bounds[0], bounds[1], bounds[2], bounds[3]);
    for (k, v) in [
        ("name", name.to_string()),
        ("format", (if png { "png" } else { "jpg" }).to_string()),
        ("type", "baselayer".to_string()),
        ("bounds", bounds_text),
        ("minzoom", min_z.min(max_z).to_string()),
        ("maxzoom", max_z.to_string()),
    ] {
        tx.execute("INSERT INTO metadata VALUES (?, ?)", params![k, v])
            .map_err(sql_err(path))?;
    }
    {
        let mut stmt = tx
            .prepare("INSERT INTO tiles VALUES (?, ?, ?, ?)")
            .map_err(sql_err(path))?;
        for ((z, x, y), data) in tiles {
            let tms_row = (1i64 << z) - 1 - *y as i64;
            stmt.execute(params![*z as i64, *x as i64, tms_row, data])
                .map_err(sql_err(path))?;
        }
    }
    tx.commit().map_err(sql_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_flipped_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.mbtiles");
        let tiles = vec![((3u8, 2u32, 1u32), vec![1u8, 2, 3]), ((4, 5, 6), vec![9])];
        write(&path, "t", &tiles, true, [135.0, 33.0, 137.0, 35.0]).expect("write");
        let mb = MbTiles::open(&path).expect("open");
        assert_eq!(mb.tile(3, 2, 1), Some(vec![1, 2, 3]));
        assert_eq!(mb.tile(4, 5, 6), Some(vec![9]));
        assert_eq!(mb.tile(3, 2, 6), None);
        assert_eq!(mb.zoom_range(), Some((3, 4)));
        // The TMS row is stored: z3 y1 → row 6.
        let raw = Connection::open(&path).expect("sqlite");
        let row: i64 = raw
            .query_row("SELECT tile_row FROM tiles WHERE zoom_level = 3", [], |r| {
                r.get(0)
            })
            .expect("row");
        assert_eq!(row, 6);
    }

    #[test]
    fn a_file_that_is_not_mbtiles_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("x.mbtiles");
        std::fs::write(&path, b"not sqlite at all").expect("write");
        assert!(MbTiles::open(&path).is_err());
    }
}
