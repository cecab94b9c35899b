//! What both readers do with each feature's geometry: check it is of the layer's one
//! geometry type, and convert it from the file's CRS to JGD2011 lon/lat.

use geo::{Coord, Geometry};

use super::model::GeometryType;
use crate::geo::crs::{Crs, Datum};

pub(crate) struct Placer {
    crs: Crs,
    seen: Option<GeometryType>,
}

impl Placer {
    pub fn new(crs: Crs) -> Placer {
        Placer { crs, seen: None }
    }

    /// The geometry type of the features placed so far.
    pub fn geometry_type(&self) -> Option<GeometryType> {
        self.seen
    }

    /// Feature `no` (1-based) of type `ty`, in file coordinates → lon/lat; the error says why
    /// not, in Japanese.
    pub fn place(
        &mut self,
        no: usize,
        ty: GeometryType,
        g: Geometry<f64>,
    ) -> Result<Geometry<f64>, String> {
        match self.seen {
            None => self.seen = Some(ty),
            Some(t) if t != ty => {
                return Err(format!(
                    "{no}件目の図形の種類（{}）が他（{}）と違います",
                    ty.label(),
                    t.label()
                ));
            }
            _ => {}
        }
        reproject(g, &self.crs)
            .ok_or_else(|| format!("{no}件目の座標を {} として変換できません", self.crs.label()))
    }
}

/// File coordinates → JGD2011 lon/lat; `None` if any point cannot be converted.
fn reproject(g: Geometry<f64>, crs: &Crs) -> Option<Geometry<f64>> {
    if *crs == Crs::Geographic(Datum::Jgd2011) {
        return Some(g);
    }
    let ok = std::cell::Cell::new(true);
    let g = geo::MapCoords::map_coords(&g, |c| match crs.to_lonlat(c.x, c.y) {
        Some((x, y)) => Coord { x, y },
        None => {
            ok.set(false);
            c
        }
    });
    ok.get().then_some(g)
}
