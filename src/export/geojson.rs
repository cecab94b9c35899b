//! GeoJSON (RFC 7946): always JGD2011 longitude/latitude (GeoJSON has no other CRS),
//! a FeatureCollection whose properties keep the table's kinds (numbers, booleans, dates
//! as YYYY-MM-DD text). Rings follow the RFC's right-hand rule (outer counter-clockwise,
//! holes clockwise); a row without a place has a null geometry.

use geo::{Geometry, LineString, Polygon};
use serde_json::{Map, Value, json};

use super::{Features, Values};

/// Coordinates are rounded to 1e-7 degree (about 1 cm).
fn c(x: f64) -> Value {
    json!((x * 1e7).round() / 1e7)
}

/// A ring, closed, turned to `ccw` (true: counter-clockwise).
fn ring(ls: &LineString<f64>, ccw: bool) -> Value {
    let mut pts: Vec<[f64; 2]> = ls.0.iter().map(|p| [p.x, p.y]).collect();
    if pts.first() != pts.last()
        && let Some(f) = pts.first().copied()
    {
        pts.push(f);
    }
    let area2: f64 = pts
        .windows(2)
        .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
        .sum();
    if (area2 > 0.0) != ccw {
        pts.reverse();
    }
    Value::Array(pts.iter().map(|p| json!([c(p[0]), c(p[1])])).collect())
}

fn polygon(p: &Polygon<f64>) -> Value {
    let mut rings = vec![ring(p.exterior(), true)];
    rings.extend(p.interiors().iter().map(|r| ring(r, false)));
    Value::Array(rings)
}

fn geometry(g: &Geometry<f64>) -> Value {
    match g {
        Geometry::Point(p) => json!({"type": "Point", "coordinates": [c(p.x()), c(p.y())]}),
        Geometry::MultiPoint(m) => json!({"type": "MultiPoint",
            "coordinates": m.0.iter().map(|p| json!([c(p.x()), c(p.y())])).collect::<Vec<_>>()}),
        Geometry::Polygon(p) => json!({"type": "Polygon", "coordinates": polygon(p)}),
        Geometry::MultiPolygon(m) => json!({"type": "MultiPolygon",
            "coordinates": m.0.iter().map(polygon).collect::<Vec<_>>()}),
        Geometry::LineString(l) => json!({"type": "LineString",
            "coordinates": l.0.iter().map(|p| json!([c(p.x), c(p.y)])).collect::<Vec<_>>()}),
        Geometry::MultiLineString(m) => json!({"type": "MultiLineString",
            "coordinates": m.0.iter().map(|l| l.0.iter().map(|p| json!([c(p.x), c(p.y)])).collect::<Vec<_>>()).collect::<Vec<_>>()}),
        _ => Value::Null,
    }
}

fn property(v: &Values, row: usize) -> Value {
    match v {
        Values::Int(x) => x[row].map_or(Value::Null, |n| json!(n)),
        Values::Float(x) => x[row]
            .filter(|f| f.is_finite())
            .map_or(Value::Null, |f| json!(f)),
        Values::Flag(x) => x[row].map_or(Value::Null, |b| json!(b)),
        Values::Date(_) | Values::Text(_) => {
            let t = v.text(row);
            let null = matches!(v, Values::Date(d) if d[row].is_none())
                || matches!(v, Values::Text(t) if t[row].is_none());
            if null { Value::Null } else { json!(t) }
        }
    }
}

pub fn to_value(f: &Features) -> Value {
    let features: Vec<Value> = (0..f.table.rows())
        .map(|r| {
            let props: Map<String, Value> = f
                .table
                .columns
                .iter()
                .map(|col| (col.name.clone(), property(&col.values, r)))
                .collect();
            json!({
                "type": "Feature",
                "properties": props,
                "geometry": f.geoms.get(r).and_then(|g| g.as_ref()).map_or(Value::Null, geometry),
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "name": f.table.title, "features": features})
}

/// The file's bytes.
pub fn to_bytes(f: &Features) -> Vec<u8> {
    // A `Value` always serialises.
    serde_json::to_vec(&to_value(f)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rings_follow_the_right_hand_rule() {
        let cw = LineString::from(vec![(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]);
        let outer = ring(&cw, true);
        let pts: Vec<[f64; 2]> = serde_json::from_value(outer).unwrap();
        assert_eq!(pts.first(), pts.last(), "closed");
        let area2: f64 = pts
            .windows(2)
            .map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1])
            .sum();
        assert!(area2 > 0.0, "counter-clockwise");
    }
}
