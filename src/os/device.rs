//! From a page to a printer: millimetres to device pixels at the printer's resolution,
//! measured from the printable area's corner (a printer cannot print to the paper's edge
//! and reports where its printable area starts), and the horizontal bands a large page is
//! rendered and sent in (A3 at 1200 dpi is 278 million pixels, over 1 GB as RGBA).

/// What a printer reports of its page: dots per inch, and the printable area's offset
/// from the paper's top-left corner and size, in device pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Device {
    pub dpi: u32,
    pub offset: [u32; 2],
    pub printable: [u32; 2],
}

/// Millimetres in device pixels at `dpi` (not rounded).
pub fn mm_to_px(mm: f64, dpi: u32) -> f64 {
    mm / 25.4 * dpi as f64
}

impl Device {
    /// A device that prints the whole of a `size_mm` sheet (a PDF or an image).
    pub fn whole(size_mm: [f32; 2], dpi: u32) -> Device {
        let px = size_mm.map(|v| mm_to_px(v as f64, dpi).round() as u32);
        Device {
            dpi,
            offset: [0, 0],
            printable: px,
        }
    }

    /// The device pixel of a point of the page (mm from the paper's top-left corner):
    /// where it falls in the printable area.
    pub fn to_device(&self, mm: [f32; 2]) -> [f64; 2] {
        [
            mm_to_px(mm[0] as f64, self.dpi) - self.offset[0] as f64,
            mm_to_px(mm[1] as f64, self.dpi) - self.offset[1] as f64,
        ]
    }

    /// The scale from points (the page's layout unit) to device pixels.
    pub fn px_per_pt(&self) -> f32 {
        self.dpi as f32 / 72.0
    }

    /// The printable area cut into horizontal bands (first row, rows) of at most
    /// `max_bytes` of RGBA each, top to bottom, covering every row once.
    pub fn bands(&self, max_bytes: u64) -> Vec<(u32, u32)> {
        let [w, h] = self.printable;
        let row = u64::from(w.max(1)) * 4;
        let rows = (max_bytes / row).clamp(1, u64::from(h.max(1))) as u32;
        (0..h)
            .step_by(rows as usize)
            .map(|y| (y, rows.min(h - y)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a3_at_600_and_1200_dpi() {
        // A3 landscape: 420 × 297 mm.
        let d = Device::whole([420.0, 297.0], 600);
        // 420 / 25.4 × 600 = 9921.26; 297 / 25.4 × 600 = 7015.75.
        assert_eq!(d.printable, [9921, 7016]);
        let d = Device::whole([420.0, 297.0], 1200);
        assert_eq!(d.printable, [19843, 14031]);
        // A point 10 mm in: 236.22 px at 600 dpi; with a printable area starting 4.23 mm
        // (100 px) in, it is 136.22 px into that area.
        let laser = Device {
            dpi: 600,
            offset: [100, 100],
            printable: [9721, 6816],
        };
        let p = laser.to_device([10.0, 10.0]);
        assert!(
            (p[0] - 136.2205).abs() < 1e-3 && (p[1] - 136.2205).abs() < 1e-3,
            "{p:?}"
        );
        let laser = Device { dpi: 1200, ..laser };
        let p = laser.to_device([420.0, 0.0]);
        assert!(
            (p[0] - 19742.52).abs() < 1e-2 && (p[1] + 100.0).abs() < 1e-9,
            "{p:?}"
        );
        assert!((laser.px_per_pt() - 16.6667).abs() < 1e-3);
    }

    #[test]
    fn bands_cover_every_row_once_within_the_budget() {
        for dpi in [600, 1200] {
            let d = Device::whole([420.0, 297.0], dpi);
            let budget = 64 << 20;
            let bands = d.bands(budget);
            let mut next = 0;
            for &(y, h) in &bands {
                assert_eq!(y, next);
                assert!(h > 0 && u64::from(h) * u64::from(d.printable[0]) * 4 <= budget);
                next = y + h;
            }
            assert_eq!(next, d.printable[1], "{dpi} dpi");
            assert!(bands.len() > 1, "{dpi} dpi is banded");
        }
        // A tiny budget still makes progress a row at a time.
        let d = Device::whole([10.0, 10.0], 72);
        assert_eq!(d.bands(1).len(), d.printable[1] as usize);
    }
}
