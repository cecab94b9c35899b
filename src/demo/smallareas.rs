//! The e-Stat 町丁・字 (small area) boundary file, dissolved by KEY_CODE: the real file has
//! several records (polygon parts) per KEY_CODE, with JINKO and SETAI per record, so parts
//! are merged, populations summed, and the record marked AREA_MAX_F = 'M' gives the label
//! and the representative point.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use geo::{BoundingRect, Contains, MultiPolygon, Point, Rect};

#[derive(Debug, thiserror::Error)]
pub enum SmallAreaError {
    #[error("境界ファイル {path} を読めません: {msg}")]
    Read { path: PathBuf, msg: String },
}

/// One small area after dissolving.
#[derive(Debug, Clone)]
pub struct SmallArea {
    /// KEY_CODE (9 or 11 digits; never padded).
    pub key_code: String,
    /// 5-digit municipality code (29201).
    pub city_code: String,
    /// MOJI: the small-area name (may be empty, and repeats within a municipality).
    pub name: String,
    pub population: u64,
    pub households: u64,
    pub shape: MultiPolygon<f64>,
    pub bbox: Rect<f64>,
    /// The representative point (X_CODE, Y_CODE of the 'M' record), inside the shape.
    pub rep_point: (f64, f64),
}

impl SmallArea {
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.shape.contains(&Point::new(lon, lat))
    }
}

fn text(rec: &dbase::Record, name: &str) -> String {
    match rec.get(name) {
        Some(dbase::FieldValue::Character(Some(s))) => s.trim().to_string(),
        Some(dbase::FieldValue::Numeric(Some(v))) => format!("{v}"),
        _ => String::new(),
    }
}

fn number(rec: &dbase::Record, name: &str) -> f64 {
    match rec.get(name) {
        Some(dbase::FieldValue::Numeric(Some(v))) => *v,
        Some(dbase::FieldValue::Float(Some(v))) => *v as f64,
        Some(dbase::FieldValue::Integer(v)) => *v as f64,
        Some(dbase::FieldValue::Double(v)) => *v,
        Some(dbase::FieldValue::Character(Some(s))) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Reads `h27ka29.shp` (with its CP932 `.dbf`) and dissolves it by KEY_CODE. Areas are
/// returned sorted by KEY_CODE.
pub fn read(shp: &Path) -> Result<Vec<SmallArea>, SmallAreaError> {
    let err = |msg: String| SmallAreaError::Read {
        path: shp.into(),
        msg,
    };
    let dbf = shp.with_extension("dbf");
    let shapes = shapefile::ShapeReader::from_path(shp).map_err(|e| err(e.to_string()))?;
    let dbf_file = File::open(&dbf).map_err(|e| err(format!("{}: {e}", dbf.display())))?;
    let records = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::SHIFT_JIS))
        .build(BufReader::new(dbf_file))
        .map_err(|e| err(e.to_string()))?;
    let mut reader = shapefile::Reader::new(shapes, records);
    struct Acc {
        city: String,
        name: String,
        pop: f64,
        hh: f64,
        polys: Vec<geo::Polygon<f64>>,
        rep: Option<(f64, f64)>,
    }
    let mut by_key: BTreeMap<String, Acc> = BTreeMap::new();
    for item in reader.iter_shapes_and_records() {
        let (shape, rec) = item.map_err(|e| err(e.to_string()))?;
        let key = text(&rec, "KEY_CODE");
        if key.is_empty() {
            continue;
        }
        let mp: MultiPolygon<f64> = match shape {
            shapefile::Shape::Polygon(p) => {
                crate::layers::shapefile_read::rings_to_multipolygon(p.rings())
            }
            shapefile::Shape::NullShape => MultiPolygon::new(vec![]),
            other => {
                return Err(err(format!(
                    "面（Polygon）ではない図形があります: {:?}",
                    other.shapetype()
                )));
            }
        };
        let city = format!("{}{}", text(&rec, "KEN"), text(&rec, "CITY"));
        let acc = by_key.entry(key).or_insert_with(|| Acc {
            city,
            name: String::new(),
            pop: 0.0,
            hh: 0.0,
            polys: vec![],
            rep: None,
        });
        acc.pop += number(&rec, "JINKO");
        acc.hh += number(&rec, "SETAI");
        acc.polys.extend(mp.0);
        if text(&rec, "AREA_MAX_F") == "M" || acc.rep.is_none() {
            acc.name = text(&rec, "MOJI");
            acc.rep = Some((number(&rec, "X_CODE"), number(&rec, "Y_CODE")));
        }
    }
    let mut out = Vec::with_capacity(by_key.len());
    for (key_code, acc) in by_key {
        let shape = MultiPolygon::new(acc.polys);
        let Some(bbox) = shape.bounding_rect() else {
            continue;
        };
        out.push(SmallArea {
            key_code,
            city_code: acc.city,
            name: acc.name,
            population: acc.pop.max(0.0).round() as u64,
            households: acc.hh.max(0.0).round() as u64,
            rep_point: acc.rep.unwrap_or((bbox.center().x, bbox.center().y)),
            shape,
            bbox,
        });
    }
    Ok(out)
}
