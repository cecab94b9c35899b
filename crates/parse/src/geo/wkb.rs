//! Well-Known Binary for the geometries layers store: (Multi)Point, (Multi)LineString and
//! (Multi)Polygon, 2D, little-endian on write, either byte order on read. Layers keep their
//! geometry as WKB in DuckDB so any tool (DuckDB's `ST_GeomFromWKB`, GDAL) can read it.

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum WkbError {
    #[error("図形データ（WKB）が途中で切れています")]
    Truncated,
    #[error("図形データ（WKB）の種類 {0} には対応していません")]
    UnsupportedType(u32),
}

pub fn to_wkb(g: &Geometry<f64>) -> Vec<u8> {
    let mut out = Vec::new();
    write(&mut out, g);
    out
}

fn header(out: &mut Vec<u8>, kind: u32) {
    out.push(1);
    out.extend_from_slice(&kind.to_le_bytes());
}

fn coords(out: &mut Vec<u8>, ls: &LineString<f64>) {
    out.extend_from_slice(&(ls.0.len() as u32).to_le_bytes());
    for c in &ls.0 {
        out.extend_from_slice(&c.x.to_le_bytes());
        out.extend_from_slice(&c.y.to_le_bytes());
    }
}

fn polygon_body(out: &mut Vec<u8>, p: &Polygon<f64>) {
    out.extend_from_slice(&(1 + p.interiors().len() as u32).to_le_bytes());
    coords(out, p.exterior());
    for r in p.interiors() {
        coords(out, r);
    }
}

fn write(out: &mut Vec<u8>, g: &Geometry<f64>) {
    match g {
        Geometry::Point(p) => {
            header(out, 1);
            out.extend_from_slice(&p.x().to_le_bytes());
            out.extend_from_slice(&p.y().to_le_bytes());
        }
        Geometry::LineString(ls) => {
            header(out, 2);
            coords(out, ls);
        }
        Geometry::Polygon(p) => {
            header(out, 3);
            polygon_body(out, p);
        }
        Geometry::MultiPoint(mp) => {
            header(out, 4);
            out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
            for p in &mp.0 {
                write(out, &Geometry::Point(*p));
            }
        }
        Geometry::MultiLineString(ml) => {
            header(out, 5);
            out.extend_from_slice(&(ml.0.len() as u32).to_le_bytes());
            for l in &ml.0 {
                header(out, 2);
                coords(out, l);
            }
        }
        Geometry::MultiPolygon(mp) => {
            header(out, 6);
            out.extend_from_slice(&(mp.0.len() as u32).to_le_bytes());
            for p in &mp.0 {
                header(out, 3);
                polygon_body(out, p);
            }
        }
        // Layers never hold these kinds; write an empty collection rather than panic.
        _ => {
            header(out, 7);
            out.extend_from_slice(&0u32.to_le_bytes());
        }
    }
}

struct Cursor<'a> {
    b: &'a [u8],
    pos: usize,
    le: bool,
}

impl Cursor<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N], WkbError> {
        let s = self
            .b
            .get(self.pos..self.pos + N)
            .ok_or(WkbError::Truncated)?;
        self.pos += N;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }
    fn u32(&mut self) -> Result<u32, WkbError> {
        let a = self.take::<4>()?;
        Ok(if self.le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }
    fn f64(&mut self) -> Result<f64, WkbError> {
        let a = self.take::<8>()?;
        Ok(if self.le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        })
    }
    /// A count, bounded by what the remaining bytes could hold (no huge allocation on bad input).
    fn count(&mut self, min_item: usize) -> Result<usize, WkbError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_item) > self.b.len() - self.pos {
            return Err(WkbError::Truncated);
        }
        Ok(n)
    }
    fn ring(&mut self) -> Result<LineString<f64>, WkbError> {
        let n = self.count(16)?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(Coord {
                x: self.f64()?,
                y: self.f64()?,
            });
        }
        Ok(LineString(v))
    }
    fn polygon(&mut self) -> Result<Polygon<f64>, WkbError> {
        let n = self.count(4)?;
        let mut rings = Vec::with_capacity(n);
        for _ in 0..n {
            rings.push(self.ring()?);
        }
        let mut it = rings.into_iter();
        let ext = it.next().unwrap_or_else(|| LineString(vec![]));
        Ok(Polygon::new(ext, it.collect()))
    }
}

pub fn from_wkb(b: &[u8]) -> Result<Geometry<f64>, WkbError> {
    let mut c = Cursor {
        b,
        pos: 0,
        le: true,
    };
    read(&mut c)
}

fn read(c: &mut Cursor) -> Result<Geometry<f64>, WkbError> {
    c.le = c.take::<1>()?[0] == 1;
    let kind = c.u32()?;
    Ok(match kind {
        1 => Geometry::Point(Point::new(c.f64()?, c.f64()?)),
        2 => Geometry::LineString(c.ring()?),
        3 => Geometry::Polygon(c.polygon()?),
        4..=6 => {
            let n = c.count(5)?;
            let mut parts = Vec::with_capacity(n);
            for _ in 0..n {
                parts.push(read(c)?);
            }
            match kind {
                4 => Geometry::MultiPoint(MultiPoint(
                    parts
                        .into_iter()
                        .filter_map(|g| {
                            if let Geometry::Point(p) = g {
                                Some(p)
                            } else {
                                None
                            }
                        })
                        .collect(),
                )),
                5 => Geometry::MultiLineString(MultiLineString(
                    parts
                        .into_iter()
                        .filter_map(|g| {
                            if let Geometry::LineString(l) = g {
                                Some(l)
                            } else {
                                None
                            }
                        })
                        .collect(),
                )),
                _ => Geometry::MultiPolygon(MultiPolygon(
                    parts
                        .into_iter()
                        .filter_map(|g| {
                            if let Geometry::Polygon(p) = g {
                                Some(p)
                            } else {
                                None
                            }
                        })
                        .collect(),
                )),
            }
        }
        k => return Err(WkbError::UnsupportedType(k)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{line_string, point, polygon};

    #[test]
    fn round_trips_every_kind() {
        let holed = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0), (x: 0.0, y: 0.0)],
            interiors: [[(x: 2.0, y: 2.0), (x: 2.0, y: 4.0), (x: 4.0, y: 4.0), (x: 2.0, y: 2.0)]],
        );
        let gs: Vec<Geometry<f64>> = vec![
            point!(x: 135.8, y: 34.6).into(),
            line_string![(x: 0.0, y: 0.0), (x: 1.5, y: -2.0)].into(),
            holed.clone().into(),
            MultiPoint(vec![point!(x: 1.0, y: 2.0), point!(x: 3.0, y: 4.0)]).into(),
            MultiLineString(vec![line_string![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0)]]).into(),
            MultiPolygon(vec![holed.clone(), polygon![(x: 20.0, y: 0.0), (x: 21.0, y: 0.0), (x: 21.0, y: 1.0), (x: 20.0, y: 0.0)]]).into(),
        ];
        for g in gs {
            assert_eq!(from_wkb(&to_wkb(&g)).unwrap(), g);
        }
    }

    #[test]
    fn reads_big_endian_and_refuses_garbage() {
        // POINT(1 2) in big-endian WKB.
        let mut be = vec![0u8, 0, 0, 0, 1];
        be.extend_from_slice(&1f64.to_be_bytes());
        be.extend_from_slice(&2f64.to_be_bytes());
        assert_eq!(
            from_wkb(&be).unwrap(),
            Geometry::Point(point!(x: 1.0, y: 2.0))
        );
        assert_eq!(from_wkb(&be[..10]), Err(WkbError::Truncated));
        // A count of four billion rings in a 13-byte blob is refused, not allocated.
        assert_eq!(
            from_wkb(&[1, 3, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0]),
            Err(WkbError::Truncated)
        );
        assert_eq!(
            from_wkb(&[1, 9, 0, 0, 0]),
            Err(WkbError::UnsupportedType(9))
        );
    }
}
