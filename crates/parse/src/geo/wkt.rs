//! Reading and writing WKT `POLYGON` and `MULTIPOLYGON` (what a search's drawn polygon is
//! kept as). Only these two types: a point or a line is no area to search inside. Rings
//! are closed when they are not; a ring of fewer than 3 distinct points is an error.

use geo::{Coord, LineString, MultiPolygon, Polygon};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WktError {
    #[error("WKT は POLYGON または MULTIPOLYGON で書いてください（{0}）")]
    Type(String),
    #[error("WKT の {0} 文字目が読めません")]
    Syntax(usize),
    #[error("WKT の多角形には 3 点以上が必要です")]
    TooFewPoints,
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Result<(), WktError> {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            Ok(())
        } else {
            Err(WktError::Syntax(self.i + 1))
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn number(&mut self) -> Result<f64, WktError> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && matches!(
                self.s[self.i],
                b'0'..=b'9' | b'.' | b'-' | b'+' | b'e' | b'E'
            )
        {
            self.i += 1;
        }
        std::str::from_utf8(&self.s[start..self.i])
            .ok()
            .and_then(|t| t.parse::<f64>().ok())
            .filter(|x| x.is_finite())
            .ok_or(WktError::Syntax(start + 1))
    }
    fn ring(&mut self) -> Result<LineString<f64>, WktError> {
        self.eat(b'(')?;
        let mut pts = Vec::new();
        loop {
            let x = self.number()?;
            let y = self.number()?;
            pts.push(Coord { x, y });
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b')') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(WktError::Syntax(self.i + 1)),
            }
        }
        if pts.first() != pts.last() {
            pts.push(pts[0]);
        }
        let mut distinct: Vec<(u64, u64)> =
            pts.iter().map(|c| (c.x.to_bits(), c.y.to_bits())).collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len() < 3 {
            return Err(WktError::TooFewPoints);
        }
        Ok(LineString(pts))
    }
    fn polygon(&mut self) -> Result<Polygon<f64>, WktError> {
        self.eat(b'(')?;
        let outer = self.ring()?;
        let mut holes = Vec::new();
        while self.peek() == Some(b',') {
            self.i += 1;
            holes.push(self.ring()?);
        }
        self.eat(b')')?;
        Ok(Polygon::new(outer, holes))
    }
}

/// Parses a WKT `POLYGON` or `MULTIPOLYGON` (case-insensitive; an SRID prefix is ignored).
pub fn parse_polygons(text: &str) -> Result<MultiPolygon<f64>, WktError> {
    let t = text.trim();
    let t = match t.find(';') {
        Some(i) if t[..i].to_ascii_uppercase().starts_with("SRID=") => &t[i + 1..],
        _ => t,
    };
    let upper = t.to_ascii_uppercase();
    let (multi, rest) = if let Some(r) = upper.strip_prefix("MULTIPOLYGON") {
        (true, r.len())
    } else if let Some(r) = upper.strip_prefix("POLYGON") {
        (false, r.len())
    } else {
        let head: String = t.chars().take(20).collect();
        return Err(WktError::Type(head));
    };
    let body = &t[t.len() - rest..];
    let mut p = Parser {
        s: body.as_bytes(),
        i: 0,
    };
    let out = if multi {
        p.eat(b'(')?;
        let mut polys = vec![p.polygon()?];
        while p.peek() == Some(b',') {
            p.i += 1;
            polys.push(p.polygon()?);
        }
        p.eat(b')')?;
        MultiPolygon(polys)
    } else {
        MultiPolygon(vec![p.polygon()?])
    };
    if p.peek().is_some() {
        return Err(WktError::Syntax(t.len() - rest + p.i + 1));
    }
    Ok(out)
}

/// Writes a polygon as WKT (`POLYGON((lon lat, …))`), 7 decimals (about 1 cm).
pub fn polygon_wkt(ring: &[(f64, f64)]) -> String {
    let mut pts: Vec<String> = ring.iter().map(|(x, y)| format!("{x:.7} {y:.7}")).collect();
    if ring.first() != ring.last()
        && let Some(first) = pts.first().cloned()
    {
        pts.push(first);
    }
    format!("POLYGON(({}))", pts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Contains, Point};

    #[test]
    fn polygons_and_multipolygons() {
        let p =
            parse_polygons("POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 2))").unwrap();
        assert_eq!(p.0.len(), 1);
        assert_eq!(p.0[0].interiors().len(), 1);
        assert!(p.contains(&Point::new(5.0, 5.0)));
        assert!(!p.contains(&Point::new(3.5, 2.5)));
        let m = parse_polygons("multipolygon (((0 0, 1 0, 1 1)), ((5 5, 6 5, 6 6, 5 5)))").unwrap();
        assert_eq!(m.0.len(), 2);
        assert!((m.unsigned_area() - 1.0).abs() < 1e-12);
        let round =
            parse_polygons(&polygon_wkt(&[(135.8, 34.6), (135.9, 34.6), (135.9, 34.7)])).unwrap();
        assert!(round.contains(&Point::new(135.89, 34.61)));
        assert!(parse_polygons("SRID=6668;POLYGON((0 0,1 0,1 1,0 0))").is_ok());
    }

    #[test]
    fn bad_wkt_is_an_error_not_a_panic() {
        for s in [
            "",
            "POINT(1 2)",
            "POLYGON(",
            "POLYGON((0 0, 1 1))",
            "POLYGON((0 0, 1 1, 0 0, 1 1))",
            "POLYGON((0 0, 1 0, x 1, 0 0))",
            "POLYGON((0 0, 1 0, 1 1, 0 0)) trailing",
            "POLYGON((0 0, 1 0, 1 1, 0 0)",
            "MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0))",
            "POLYGON((nan 0, 1 0, 1 1, 0 0))",
            "ＰＯＬＹＧＯＮ",
        ] {
            assert!(parse_polygons(s).is_err(), "{s}");
        }
    }
}
