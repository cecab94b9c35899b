//! Rows with a place, for the layer formats (shapefile, GeoJSON): a [`Table`] of
//! attributes and one JGD2011 lon/lat geometry per row (`None`: the row has no place, as
//! a person whose address did not match). A search's persons or institutions carry their
//! point in the 経度・緯度 columns; areas with uptake take their polygons from the layer.

use geo::{Geometry, Point};

use super::{ExportError, Table, Values};

#[derive(Debug, Clone)]
pub struct Features {
    pub table: Table,
    pub geoms: Vec<Option<Geometry<f64>>>,
}

impl Features {
    /// Points from the lon/lat columns, which are then left out of the attributes.
    pub fn from_lonlat(
        mut table: Table,
        lon: &str,
        lat: &str,
        format: &'static str,
    ) -> Result<Features, ExportError> {
        let take = |t: &mut Table, name: &str| -> Option<Vec<Option<f64>>> {
            let i = t.columns.iter().position(|c| c.name == name)?;
            match t.columns.remove(i).values {
                Values::Float(v) => Some(v),
                Values::Int(v) => Some(v.into_iter().map(|x| x.map(|n| n as f64)).collect()),
                _ => None,
            }
        };
        let no_location = |t: &Table| ExportError::NoLocation {
            table: t.title.clone(),
            format,
        };
        let xs = take(&mut table, lon).ok_or_else(|| no_location(&table))?;
        let ys = take(&mut table, lat).ok_or_else(|| no_location(&table))?;
        let geoms = xs
            .into_iter()
            .zip(ys)
            .map(|p| match p {
                (Some(x), Some(y)) if x.is_finite() && y.is_finite() => {
                    Some(Geometry::Point(Point::new(x, y)))
                }
                _ => None,
            })
            .collect();
        Ok(Features { table, geoms })
    }

    /// Whether every geometry is a point (else areas).
    pub fn points(&self) -> bool {
        self.geoms
            .iter()
            .flatten()
            .all(|g| matches!(g, Geometry::Point(_) | Geometry::MultiPoint(_)))
    }

    /// Rows without a place.
    pub fn unplaced(&self) -> usize {
        self.geoms.iter().filter(|g| g.is_none()).count()
    }
}
