//! Place conditions made concrete: every [`Place`] becomes a [`Region`] (areas of the
//! bundled layers by code, features of any polygon layer, a drawn rectangle or polygon,
//! a geodesic circle).

use geo::{MultiPolygon, Polygon, Rect};

use super::SearchError;
use super::cache::SearchCache;
use super::query::Place;
pub use super::region::Region;
use crate::layers::bundled;
use duckdb::Connection;

/// The region of `place`. Layer polygons come from the cache (loaded once per layer).
pub fn resolve(
    conn: &Connection,
    cache: &mut SearchCache,
    place: &Place,
) -> Result<Region, SearchError> {
    let by_code = |cache: &mut SearchCache,
                   layer: &str,
                   field: &str,
                   codes: &[String]|
     -> Result<Region, SearchError> {
        let l = cache.layer(conn, layer)?;
        let i =
            l.0.field_index(field)
                .ok_or_else(|| SearchError::NoLayer(format!("{layer}（{field}）")))?;
        let mut polys: Vec<Polygon<f64>> = Vec::new();
        let mut found = std::collections::HashSet::new();
        for f in &l.1 {
            let code = f.attrs.get(i).map(|a| a.display()).unwrap_or_default();
            if codes.iter().any(|c| *c == code) {
                found.insert(code);
                polys.extend(polygons_of(&f.geom));
            }
        }
        if let Some(missing) = codes.iter().find(|c| !found.contains(*c)) {
            return Err(SearchError::NoArea {
                layer: layer.into(),
                code: missing.clone(),
            });
        }
        Ok(Region::Polygons(MultiPolygon(polys)))
    };
    match place {
        Place::Municipality(codes) => by_code(
            cache,
            bundled::MUNICIPALITIES,
            bundled::MUNICIPALITY_CODE,
            codes,
        ),
        Place::MedicalArea(codes) => by_code(
            cache,
            bundled::MEDICAL_AREAS,
            bundled::MEDICAL_AREA_CODE,
            codes,
        ),
        Place::SmallArea(codes) => {
            by_code(cache, bundled::SMALL_AREAS, bundled::SMALL_AREA_CODE, codes)
        }
        Place::Layer { layer, fids } => {
            let l = cache.layer(conn, layer)?;
            let mut polys = Vec::new();
            for &fid in fids {
                let f = usize::try_from(fid)
                    .ok()
                    .and_then(|i| l.1.get(i))
                    .ok_or_else(|| SearchError::NoArea {
                        layer: layer.clone(),
                        code: fid.to_string(),
                    })?;
                let p = polygons_of(&f.geom);
                if p.is_empty() {
                    return Err(SearchError::NotAreaLayer(layer.clone()));
                }
                polys.extend(p);
            }
            Ok(Region::Polygons(MultiPolygon(polys)))
        }
        Place::Rect(b) => Ok(Region::Polygons(MultiPolygon(vec![
            Rect::new((b[0], b[1]), (b[2], b[3])).to_polygon(),
        ]))),
        Place::Polygon(wkt) => Ok(Region::Polygons(crate::geo::wkt::parse_polygons(wkt)?)),
        Place::Circle { lon, lat, radius_m }
            if !(0.0..=200_000.0).contains(radius_m)
                || !(120.0..=155.0).contains(lon)
                || !(20.0..=47.0).contains(lat) =>
        {
            Err(SearchError::BadCircle)
        }
        Place::Circle { lon, lat, radius_m } => Ok(Region::Circle {
            center: (*lon, *lat),
            radius_m: *radius_m,
        }),
    }
}

fn polygons_of(g: &geo::Geometry<f64>) -> Vec<Polygon<f64>> {
    match g {
        geo::Geometry::Polygon(p) => vec![p.clone()],
        geo::Geometry::MultiPolygon(m) => m.0.clone(),
        _ => Vec::new(),
    }
}
