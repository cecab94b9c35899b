//! Layers in DuckDB: one row in `layers` with the metadata, and one table `layer_<id>` per
//! layer with `_fid`, `_geom` (WKB, JGD2011 lon/lat), `_minx/_miny/_maxx/_maxy`, then the
//! attribute columns `a1, a2, …` in the order of the fields. The layer's name and its
//! fields' names (from the file) are data (`layers.name`, `layers.fields_json`) and never
//! SQL identifiers. Layers saved before had their fields' names as column names; columns
//! are read by position, so those load the same. Saving is one transaction.

use duckdb::types::Value;
use duckdb::{Connection, params};
use geo::BoundingRect;

use super::LayerError;
use super::model::{AttrValue, Feature, FieldDef, FieldType, GeometryType, RawLayer};
use crate::geo::wkb;

/// A stored layer's metadata, as `layer list --json` prints it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LayerInfo {
    #[serde(skip)]
    pub id: i64,
    pub name: String,
    pub geometry_type: GeometryType,
    pub feature_count: u64,
    pub source_crs: String,
    /// [min lon, min lat, max lon, max lat].
    pub bbox: [f64; 4],
    pub fields: Vec<FieldDef>,
    pub source_file: Option<String>,
    pub encoding: Option<String>,
    pub notes: Vec<String>,
}

impl LayerInfo {
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// The column of field `i` (from 0): a name made from its position, never from the file.
fn attr_column(i: usize) -> String {
    format!("a{}", i + 1)
}

/// The columns of `layer_<id>` before the attributes (`_fid`, `_geom` and the bbox).
const FIXED_COLUMNS: usize = 6;

/// The table of layer `id`: a name made from the integer id only (the layer's display
/// name is data in `layers`), so it can stand in SQL text.
fn table_of(id: i64) -> String {
    format!("layer_{id}")
}

fn bbox_of(features: &[Feature]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in features {
        if let Some(r) = f.geom.bounding_rect() {
            b = [
                b[0].min(r.min().x),
                b[1].min(r.min().y),
                b[2].max(r.max().x),
                b[3].max(r.max().y),
            ];
        }
    }
    if b[0].is_finite() { b } else { [0.0; 4] }
}

/// Saves `raw` as layer `name`. With `replace`, an existing layer of that name is replaced
/// in the same transaction; without, it is an error.
pub fn save(
    conn: &Connection,
    name: &str,
    source_file: Option<&str>,
    raw: &RawLayer,
    replace: bool,
) -> Result<LayerInfo, LayerError> {
    crate::store::in_transaction(conn, || save_inner(conn, name, source_file, raw, replace))
}

fn save_inner(
    conn: &Connection,
    name: &str,
    source_file: Option<&str>,
    raw: &RawLayer,
    replace: bool,
) -> Result<LayerInfo, LayerError> {
    if let Some(old) = find_id(conn, name)? {
        if !replace {
            return Err(LayerError::Exists(name.to_string()));
        }
        conn.execute_batch(&format!("DROP TABLE IF EXISTS {}", table_of(old)))?;
        conn.execute("DELETE FROM layers WHERE layer_id = ?", params![old])?;
    }
    let bbox = bbox_of(&raw.features);
    let fields_json = serde_json::to_string(&raw.fields).unwrap_or_else(|_| "[]".into());
    let id: i64 = conn.query_row(
        "INSERT INTO layers (name, geometry_type, feature_count, source_file, source_crs, encoding, min_lon, min_lat, max_lon, max_lat, fields_json, notes)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING layer_id",
        params![
            name,
            raw.geometry_type.as_str(),
            raw.features.len() as i64,
            source_file,
            raw.source_crs,
            raw.encoding,
            bbox[0],
            bbox[1],
            bbox[2],
            bbox[3],
            fields_json,
            raw.notes.join("\n")
        ],
        |r| r.get(0),
    )?;
    let table = table_of(id);
    let mut ddl = format!(
        "CREATE TABLE {table} (_fid BIGINT PRIMARY KEY, _geom BLOB, _minx DOUBLE, _miny DOUBLE, _maxx DOUBLE, _maxy DOUBLE"
    );
    for (i, f) in raw.fields.iter().enumerate() {
        ddl += &format!(", {} {}", attr_column(i), f.ty.sql());
    }
    ddl += ")";
    conn.execute_batch(&ddl)?;
    {
        let mut app = conn.appender(&table_of(id))?;
        for (fid, f) in raw.features.iter().enumerate() {
            let r = f.geom.bounding_rect();
            let mut row: Vec<Value> = vec![
                Value::BigInt(fid as i64),
                Value::Blob(wkb::to_wkb(&f.geom)),
                r.map(|r| Value::Double(r.min().x)).unwrap_or(Value::Null),
                r.map(|r| Value::Double(r.min().y)).unwrap_or(Value::Null),
                r.map(|r| Value::Double(r.max().x)).unwrap_or(Value::Null),
                r.map(|r| Value::Double(r.max().y)).unwrap_or(Value::Null),
            ];
            row.extend(f.attrs.iter().map(|a| match a {
                AttrValue::Null => Value::Null,
                AttrValue::Text(s) => Value::Text(s.clone()),
                AttrValue::Int(i) => Value::BigInt(*i),
                AttrValue::Real(x) => Value::Double(*x),
                AttrValue::Bool(b) => Value::Boolean(*b),
            }));
            app.append_row(duckdb::appender_params_from_iter(row))?;
        }
        app.flush()?;
    }
    info(conn, id)
}

fn find_id(conn: &Connection, name: &str) -> Result<Option<i64>, LayerError> {
    let mut stmt = conn.prepare("SELECT layer_id FROM layers WHERE name = ?")?;
    let mut rows = stmt.query(params![name])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

fn info(conn: &Connection, id: i64) -> Result<LayerInfo, LayerError> {
    Ok(conn.query_row(
        &format!("{INFO_SELECT} WHERE layer_id = ?"),
        params![id],
        row_info,
    )?)
}

/// The columns [`row_info`] reads, in its order.
const INFO_SELECT: &str = "SELECT layer_id, name, geometry_type, feature_count, source_crs, min_lon, min_lat, max_lon, max_lat,
        fields_json, source_file, encoding, coalesce(notes, '') FROM layers";

fn row_info(r: &duckdb::Row) -> duckdb::Result<LayerInfo> {
    let fields_json: String = r.get(9)?;
    let notes: String = r.get(12)?;
    Ok(LayerInfo {
        id: r.get(0)?,
        name: r.get(1)?,
        geometry_type: GeometryType::parse(&r.get::<_, String>(2)?)
            .unwrap_or(GeometryType::Polygon),
        feature_count: r.get::<_, i64>(3)? as u64,
        source_crs: r.get(4)?,
        bbox: [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?],
        fields: serde_json::from_str(&fields_json).unwrap_or_default(),
        source_file: r.get(10)?,
        encoding: r.get(11)?,
        notes: notes
            .lines()
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .collect(),
    })
}

/// Every stored layer, in the order they were added.
pub fn list(conn: &Connection) -> Result<Vec<LayerInfo>, LayerError> {
    let mut stmt = conn.prepare(&format!("{INFO_SELECT} ORDER BY layer_id"))?;
    let rows = stmt.query_map([], row_info)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Loads a stored layer's features (in `_fid` order).
pub fn load(conn: &Connection, name: &str) -> Result<(LayerInfo, Vec<Feature>), LayerError> {
    let id = find_id(conn, name)?.ok_or_else(|| LayerError::NotFound(name.to_string()))?;
    let info = info(conn, id)?;
    // By position: the attribute columns follow the fixed ones in the order of the fields.
    let mut stmt = conn.prepare(&format!("SELECT * FROM {} ORDER BY _fid", table_of(id)))?;
    let mut rows = stmt.query([])?;
    let mut features = Vec::with_capacity(info.feature_count as usize);
    while let Some(r) = rows.next()? {
        let blob: Vec<u8> = r.get(1)?;
        let geom = wkb::from_wkb(&blob).map_err(|e| super::ReadError::Invalid {
            file: name.to_string(),
            msg: e.to_string(),
        })?;
        let mut attrs = Vec::with_capacity(info.fields.len());
        for (j, f) in info.fields.iter().enumerate() {
            let v: Value = r.get(FIXED_COLUMNS + j)?;
            attrs.push(match (v, f.ty) {
                (Value::Null, _) => AttrValue::Null,
                (Value::Text(s), _) => AttrValue::Text(s),
                (Value::BigInt(i), _) => AttrValue::Int(i),
                (Value::Int(i), _) => AttrValue::Int(i as i64),
                (Value::Double(x), _) => AttrValue::Real(x),
                (Value::Boolean(b), _) => AttrValue::Bool(b),
                (other, FieldType::Text) => AttrValue::Text(format!("{other:?}")),
                _ => AttrValue::Null,
            });
        }
        features.push(Feature { geom, attrs });
    }
    Ok((info, features))
}

/// Removes a layer and its table.
pub fn delete(conn: &Connection, name: &str) -> Result<(), LayerError> {
    let id = find_id(conn, name)?.ok_or_else(|| LayerError::NotFound(name.to_string()))?;
    crate::store::in_transaction(conn, || -> Result<(), LayerError> {
        conn.execute_batch(&format!("DROP TABLE {}", table_of(id)))?;
        conn.execute("DELETE FROM layers WHERE layer_id = ?", params![id])?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layers::model::FieldType;

    fn field(name: &str, ty: FieldType) -> FieldDef {
        FieldDef {
            name: name.into(),
            ty,
        }
    }

    fn column_names_of(conn: &Connection, table: &str) -> Vec<String> {
        let mut stmt = conn
            .prepare(
                "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
            )
            .unwrap();
        stmt.query_map(params![table], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    /// Field names from a file are data: the columns are a1, a2, …; the names and the
    /// values come back as they were, and a layer stored under the old naming (columns
    /// named after the fields) still loads.
    #[test]
    fn field_names_never_become_columns() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(dir.path()).unwrap();
        let conn = store.conn();
        let fields = vec![
            field("x\"); DROP TABLE users; --", FieldType::Text),
            field("_fid", FieldType::Integer),
            field("Ä", FieldType::Real),
            field("ä", FieldType::Bool),
        ];
        let attrs = vec![
            AttrValue::Text("奈良".into()),
            AttrValue::Int(7),
            AttrValue::Real(1.5),
            AttrValue::Bool(true),
        ];
        let raw = RawLayer {
            geometry_type: GeometryType::Point,
            fields: fields.clone(),
            features: vec![Feature {
                geom: geo::Geometry::Point(geo::Point::new(135.8, 34.68)),
                attrs: attrs.clone(),
            }],
            source_crs: "JGD2011".into(),
            encoding: None,
            notes: vec![],
        };
        let info = save(conn, "users", None, &raw, false).unwrap();
        assert_eq!(
            column_names_of(conn, &format!("layer_{}", info.id))[6..],
            ["a1", "a2", "a3", "a4"]
        );
        let n: i64 = conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "the accounts table is there, untouched");
        let (back, features) = load(conn, "users").unwrap();
        assert_eq!(back.fields, fields);
        assert_eq!(features[0].attrs, attrs);

        // A layer as the old code stored it: its columns carry the fields' names.
        conn.execute_batch(&format!(
            "DROP TABLE layer_{id};
             CREATE TABLE layer_{id} (_fid BIGINT PRIMARY KEY, _geom BLOB, _minx DOUBLE, _miny DOUBLE, _maxx DOUBLE, _maxy DOUBLE,
                 \"x\"\"); DROP TABLE users; --\" VARCHAR, f__fid BIGINT, \"Ä\" DOUBLE, \"ä_2\" BOOLEAN)",
            id = info.id
        ))
        .unwrap();
        let mut app = conn.appender(&format!("layer_{}", info.id)).unwrap();
        app.append_row(duckdb::params![
            0i64,
            wkb::to_wkb(&raw.features[0].geom),
            135.8,
            34.68,
            135.8,
            34.68,
            "奈良",
            7i64,
            1.5,
            true
        ])
        .unwrap();
        drop(app);
        let (_, features) = load(conn, "users").unwrap();
        assert_eq!(features[0].attrs, attrs);
    }
}
