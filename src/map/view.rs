//! The map view: a centre in Web Mercator world coordinates (0–1), an integer zoom 1–18
//! (the level of detail: tiles, simplification, labels) with a magnification between 1
//! and 2 on top of it (so that a fitted box fills the view), and a size in screen points.
//! Pan, zoom around a point, centre on a point, fit a box.

use crate::geo::mercator::{self, MAX_ZOOM, MIN_ZOOM};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// World coordinates of the view centre (x east, y south, 0–1).
    pub center: (f64, f64),
    pub zoom: u8,
    /// Width and height in screen points.
    pub size: (f32, f32),
    /// Drawn this much larger than `zoom` (1 ≤ magnify < 2): a fitted view fills the
    /// screen at a fractional zoom. Zooming in or out by steps sets it back to 1.
    pub magnify: f64,
}

/// Nara Prefecture's extent, [min lon, min lat, max lon, max lat].
pub const NARA_BBOX: [f64; 4] = [135.54, 33.86, 136.23, 34.78];

impl View {
    /// A view of `center` at integer `zoom` (no magnification).
    pub fn new(center: (f64, f64), zoom: u8, size: (f32, f32)) -> View {
        View {
            center,
            zoom: zoom.clamp(MIN_ZOOM, MAX_ZOOM),
            size,
            magnify: 1.0,
        }
    }

    /// The whole of `bbox` (lon/lat) filling 95% of the view: the largest integer zoom
    /// that shows it, magnified to fill (a fractional zoom).
    pub fn fit(bbox: [f64; 4], size: (f32, f32)) -> View {
        let (x0, y1) = mercator::lonlat_to_world(bbox[0], bbox[1]);
        let (x1, y0) = mercator::lonlat_to_world(bbox[2], bbox[3]);
        let center = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
        // The world size in points that makes the box fill the view.
        let want = (size.0 as f64 * 0.95 / (x1 - x0).max(1e-12))
            .min(size.1 as f64 * 0.95 / (y1 - y0).max(1e-12));
        let mut zoom = MIN_ZOOM;
        for z in MIN_ZOOM..=MAX_ZOOM {
            if mercator::world_px(z as f64) <= want {
                zoom = z;
            } else {
                break;
            }
        }
        let magnify = (want / mercator::world_px(zoom as f64)).clamp(1.0, 1.999);
        let magnify = if magnify.is_finite() { magnify } else { 1.0 };
        View {
            center,
            zoom,
            size,
            magnify,
        }
    }

    /// A view of `center` (lon, lat) at the scale 1:`denominator` on paper, its size in
    /// points (1 pt = 25.4/72 mm): the integer zoom just coarser than that, magnified.
    pub fn at_scale(center: (f64, f64), denominator: f64, size: (f32, f32)) -> View {
        let world = mercator::lonlat_to_world(center.0, center.1);
        let want = denominator.max(1.0) * 0.0254 / 72.0;
        let mut zoom = MIN_ZOOM;
        for z in MIN_ZOOM..=MAX_ZOOM {
            if mercator::meters_per_pixel(z as f64, center.1) >= want {
                zoom = z;
            }
        }
        let magnify = (mercator::meters_per_pixel(zoom as f64, center.1) / want).clamp(1.0, 1.999);
        View {
            center: world,
            zoom,
            size,
            magnify: if magnify.is_finite() { magnify } else { 1.0 },
        }
    }

    /// Screen points per world unit (the world is 0–1).
    pub fn scale(&self) -> f64 {
        mercator::world_px(self.zoom as f64) * self.magnify
    }

    /// The zoom as a number (the integer zoom plus the magnification's share).
    pub fn zoom_f(&self) -> f64 {
        self.zoom as f64 + self.magnify.log2()
    }

    pub fn world_to_screen(&self, wx: f64, wy: f64) -> [f32; 2] {
        let s = self.scale();
        [
            ((wx - self.center.0) * s + self.size.0 as f64 / 2.0) as f32,
            ((wy - self.center.1) * s + self.size.1 as f64 / 2.0) as f32,
        ]
    }

    pub fn screen_to_world(&self, p: [f32; 2]) -> (f64, f64) {
        let s = self.scale();
        (
            self.center.0 + (p[0] as f64 - self.size.0 as f64 / 2.0) / s,
            self.center.1 + (p[1] as f64 - self.size.1 as f64 / 2.0) / s,
        )
    }

    pub fn screen_to_lonlat(&self, p: [f32; 2]) -> (f64, f64) {
        let (wx, wy) = self.screen_to_world(p);
        mercator::world_to_lonlat(wx, wy)
    }

    pub fn lonlat_to_screen(&self, lon: f64, lat: f64) -> [f32; 2] {
        let (wx, wy) = mercator::lonlat_to_world(lon, lat);
        self.world_to_screen(wx, wy)
    }

    /// Moves the map with the mouse by (dx, dy) points.
    pub fn pan(&mut self, dx: f32, dy: f32) {
        let s = self.scale();
        self.center.0 = (self.center.0 - dx as f64 / s).clamp(0.0, 1.0);
        self.center.1 = (self.center.1 - dy as f64 / s).clamp(0.0, 1.0);
    }

    /// Zooms by `steps` levels keeping the world point under `p` where it is.
    pub fn zoom_at(&mut self, p: [f32; 2], steps: i32) {
        let new = (self.zoom as i32 + steps).clamp(MIN_ZOOM as i32, MAX_ZOOM as i32) as u8;
        if new == self.zoom {
            return;
        }
        let anchor = self.screen_to_world(p);
        self.zoom = new;
        self.magnify = 1.0;
        let s = self.scale();
        self.center = (
            anchor.0 - (p[0] as f64 - self.size.0 as f64 / 2.0) / s,
            anchor.1 - (p[1] as f64 - self.size.1 as f64 / 2.0) / s,
        );
    }

    /// Sets the zoom, keeping the centre.
    pub fn set_zoom(&mut self, z: u8) {
        self.zoom = z.clamp(MIN_ZOOM, MAX_ZOOM);
        self.magnify = 1.0;
    }

    /// Moves the point under `p` to the centre (double-click).
    pub fn center_on(&mut self, p: [f32; 2]) {
        self.center = self.screen_to_world(p);
    }

    /// The visible area, [min lon, min lat, max lon, max lat].
    pub fn lonlat_bbox(&self) -> [f64; 4] {
        let (lon0, lat1) = self.screen_to_lonlat([0.0, 0.0]);
        let (lon1, lat0) = self.screen_to_lonlat([self.size.0, self.size.1]);
        [lon0, lat0, lon1, lat1]
    }

    /// The scale denominator at the view centre (0.28 mm pixels).
    pub fn scale_denominator(&self) -> f64 {
        let (_, lat) = mercator::world_to_lonlat(self.center.0, self.center.1);
        mercator::scale_denominator(self.zoom as f64, lat) / self.magnify
    }

    pub fn meters_per_point(&self) -> f64 {
        let (_, lat) = mercator::world_to_lonlat(self.center.0, self.center.1);
        mercator::meters_per_pixel(self.zoom as f64, lat) / self.magnify
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_pan_zoom_and_centre() {
        let mut v = View::fit(NARA_BBOX, (1600.0, 1000.0));
        assert_eq!(v.zoom, 10, "the whole prefecture at 1600×1000");
        let b = v.lonlat_bbox();
        assert!(
            b[0] < 135.54 && b[2] > 136.23 && b[1] < 33.86 && b[3] > 34.78,
            "{b:?}"
        );
        // It fills the view: the prefecture's height is 95% of the map's (the tighter
        // side), not the half that an integer zoom leaves.
        let top = v.lonlat_to_screen(135.8, 34.78)[1];
        let bottom = v.lonlat_to_screen(135.8, 33.86)[1];
        assert!(
            ((bottom - top) / 1000.0 - 0.95).abs() < 1e-3,
            "{}",
            bottom - top
        );
        assert!(v.magnify > 1.0 && v.magnify < 2.0 && v.zoom_f() > 10.0);
        // Zooming in at a point keeps that point still.
        let p = [1200.0, 300.0];
        let before = v.screen_to_lonlat(p);
        v.zoom_at(p, 2);
        assert_eq!(v.zoom, 12);
        let after = v.screen_to_lonlat(p);
        assert!((before.0 - after.0).abs() < 1e-9 && (before.1 - after.1).abs() < 1e-9);
        // Double-click centring.
        let target = v.screen_to_lonlat([100.0, 900.0]);
        v.center_on([100.0, 900.0]);
        let c = v.screen_to_lonlat([800.0, 500.0]);
        assert!((c.0 - target.0).abs() < 1e-9 && (c.1 - target.1).abs() < 1e-9);
        // Zoom is bounded.
        v.zoom_at(p, 40);
        assert_eq!(v.zoom, 18);
        v.zoom_at(p, -40);
        assert_eq!(v.zoom, 1);
    }

    #[test]
    fn a_typed_scale_is_the_scale_on_paper() {
        for n in [25_000.0, 50_000.0, 200_000.0] {
            let v = View::at_scale((135.83, 34.68), n, (500.0, 400.0));
            // 100 pt on paper (35.28 mm) is 35.28 mm × n on the ground.
            let ground = v.meters_per_point() * 100.0;
            let want = 100.0 * 0.0254 / 72.0 * n;
            assert!(
                (ground / want - 1.0).abs() < 1e-9,
                "1:{n}: {ground} m, not {want}"
            );
            let c = v.screen_to_lonlat([250.0, 200.0]);
            assert!((c.0 - 135.83).abs() < 1e-9 && (c.1 - 34.68).abs() < 1e-9);
        }
    }
}
