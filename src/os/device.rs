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

/// What a printer driver reports of the sheet it will print, per axis (x, y) in device
/// pixels: its resolution (a printer may have 600 × 1200 dpi), the paper's whole size, and
/// where the printable area starts and how large it is (`GetDeviceCaps` PHYSICAL… and
/// HORZRES/VERTRES).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sheet {
    pub dpi: [u32; 2],
    pub physical: [u32; 2],
    pub offset: [u32; 2],
    pub printable: [u32; 2],
}

/// Where a page is drawn, in pixels of the printable area (it may start before it: the
/// printer's margin clips that part), and its size in % of the page's true size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub x: i32,
    pub y: i32,
    pub w: i32,
    pub h: i32,
    pub percent: u32,
}

/// How far (mm) a page may exceed the paper and still print at true size (the paper's
/// reported size is rounded to device pixels).
const PAPER_SLACK_MM: f64 = 1.5;

impl Sheet {
    /// The paper's size in mm.
    pub fn paper_mm(&self) -> [f64; 2] {
        [0, 1].map(|a| self.physical[a] as f64 / self.dpi[a].max(1) as f64 * 25.4)
    }

    /// Places a page of `page_mm`: at true size, centred on the paper, when it fits the
    /// paper (so a typed 1:25,000 stays 1:25,000 on A3 paper, the printer's margin
    /// clipping only the page's own margin); otherwise fitted to the printable area,
    /// centred, keeping its proportions, and reduced.
    pub fn place(&self, page_mm: [f32; 2]) -> Placement {
        let paper = self.paper_mm();
        let fits = (0..2).all(|a| page_mm[a] as f64 <= paper[a] + PAPER_SLACK_MM);
        let true_px = [0, 1].map(|a| mm_to_px(page_mm[a] as f64, self.dpi[a]));
        if fits {
            let [w, h] = true_px;
            let x = (self.physical[0] as f64 - w) / 2.0 - self.offset[0] as f64;
            let y = (self.physical[1] as f64 - h) / 2.0 - self.offset[1] as f64;
            return Placement {
                x: x.round() as i32,
                y: y.round() as i32,
                w: w.round() as i32,
                h: h.round() as i32,
                percent: 100,
            };
        }
        let scale = (self.printable[0] as f64 / true_px[0])
            .min(self.printable[1] as f64 / true_px[1])
            .min(1.0);
        let [w, h] = true_px.map(|v| v * scale);
        Placement {
            x: ((self.printable[0] as f64 - w) / 2.0).round() as i32,
            y: ((self.printable[1] as f64 - h) / 2.0).round() as i32,
            w: w.round() as i32,
            h: h.round() as i32,
            percent: (scale * 100.0).floor() as u32,
        }
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

    /// An A3 laser at 600 dpi with 4.23 mm (100 px) margins, as GetDeviceCaps reports it.
    fn a3_laser(landscape: bool) -> Sheet {
        let (w, h) = (9921, 7016);
        let (w, h) = if landscape { (w, h) } else { (h, w) };
        Sheet {
            dpi: [600, 600],
            physical: [w, h],
            offset: [100, 100],
            printable: [w - 200, h - 200],
        }
    }

    #[test]
    fn a_page_on_its_own_paper_prints_at_true_size() {
        let p = a3_laser(true).place([420.0, 297.0]);
        assert_eq!(p.percent, 100);
        // The page's corner is the paper's corner: 100 px before the printable area.
        assert_eq!((p.x, p.y), (-100, -100));
        assert_eq!((p.w, p.h), (9921, 7016));
        // 100 mm on the page is 100 mm on paper: 2362.2 px at 600 dpi.
        let px_per_mm = p.w as f64 / 420.0;
        assert!((px_per_mm * 100.0 - 2362.2).abs() < 1.0);
        // A 600 × 1200 dpi driver: each axis its own.
        let fine = Sheet {
            dpi: [600, 1200],
            physical: [9921, 14031],
            offset: [100, 200],
            printable: [9721, 13631],
        };
        let p = fine.place([420.0, 297.0]);
        assert_eq!(
            (p.x, p.y, p.w, p.h, p.percent),
            (-100, -200, 9921, 14031, 100)
        );
    }

    #[test]
    fn a_smaller_page_is_centred_and_a_larger_one_reduced() {
        // A4 landscape on A3 landscape paper: true size, centred.
        let p = a3_laser(true).place([297.0, 210.0]);
        assert_eq!(p.percent, 100);
        let w = mm_to_px(297.0, 600);
        assert_eq!(p.w, w.round() as i32);
        assert_eq!(p.x, ((9921.0 - w) / 2.0 - 100.0).round() as i32);
        // A3 landscape on A4 landscape paper (the driver's default left in the dialog):
        // fitted into the printable area, 67% (the ratio of the printable width).
        let a4 = Sheet {
            dpi: [600, 600],
            physical: [7016, 4961],
            offset: [100, 100],
            printable: [6816, 4761],
        };
        let p = a4.place([420.0, 297.0]);
        let scale = (6816.0 / mm_to_px(420.0, 600)).min(4761.0 / mm_to_px(297.0, 600));
        assert_eq!(p.percent, (scale * 100.0).floor() as u32);
        assert_eq!(p.percent, 67);
        assert!(
            p.x >= 0 && p.y >= 0 && p.x + p.w <= 6816 && p.y + p.h <= 4761,
            "{p:?}"
        );
        // A3 landscape on A3 portrait paper: reduced to fit across (the dialog's
        // orientation was changed); never rotated.
        let p = a3_laser(false).place([420.0, 297.0]);
        assert!(p.percent < 100 && p.w <= 7016 - 200, "{p:?}");
    }
}
