//! The e-Stat 町丁・字 (small area) boundary file, dissolved by KEY_CODE: the real file has
//! several records (polygon parts) per KEY_CODE, with JINKO and SETAI per record, so parts
//! are merged, populations summed, and the record marked AREA_MAX_F = 'M' gives the label
//! and the representative point.

use std::path::{Path, PathBuf};

use geo::{BoundingRect, Contains, Geometry, MultiPolygon, Point, Rect};

use crate::layers::{Feature, LayerOptions};

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

fn text(f: &Feature, ix: Option<usize>) -> String {
    ix.and_then(|i| f.attrs.get(i))
        .map(|a| a.display())
        .unwrap_or_default()
}

fn number(f: &Feature, ix: Option<usize>) -> f64 {
    ix.and_then(|i| f.attrs.get(i))
        .and_then(|a| a.as_f64())
        .unwrap_or(0.0)
}

/// Reads `h27ka29.shp` through the layer reader, dissolved by KEY_CODE (parts unioned,
/// JINKO and SETAI summed, the 'M' record's attributes kept). Areas come sorted by KEY_CODE.
pub fn read(shp: &Path) -> Result<Vec<SmallArea>, SmallAreaError> {
    let opts = LayerOptions {
        dissolve: Some("KEY_CODE".into()),
        ..Default::default()
    };
    let raw = crate::layers::read_file(shp, &opts).map_err(|e| SmallAreaError::Read {
        path: shp.into(),
        msg: e.to_string(),
    })?;
    let ix = |name: &str| raw.field_index(name);
    let (key, ken, city, moji, jinko, setai, x, y) = (
        ix("KEY_CODE"),
        ix("KEN"),
        ix("CITY"),
        ix("MOJI"),
        ix("JINKO"),
        ix("SETAI"),
        ix("X_CODE"),
        ix("Y_CODE"),
    );
    let mut out = Vec::with_capacity(raw.features.len());
    for f in &raw.features {
        let key_code = text(f, key);
        let Geometry::MultiPolygon(shape) = &f.geom else {
            continue;
        };
        let Some(bbox) = shape.bounding_rect() else {
            continue;
        };
        if key_code.is_empty() {
            continue;
        }
        let rep = (number(f, x), number(f, y));
        out.push(SmallArea {
            key_code,
            city_code: format!("{}{}", text(f, ken), text(f, city)),
            name: text(f, moji),
            population: number(f, jinko).max(0.0).round() as u64,
            households: number(f, setai).max(0.0).round() as u64,
            rep_point: if rep.0 != 0.0 {
                rep
            } else {
                (bbox.center().x, bbox.center().y)
            },
            shape: shape.clone(),
            bbox,
        });
    }
    Ok(out)
}
