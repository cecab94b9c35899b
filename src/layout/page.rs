//! A printed page: the paper (A3, A4), its orientation and margins, in millimetres, and
//! the units the painters use: PDF points (1/72 inch).

use serde::{Deserialize, Serialize};

/// Millimetres in PDF points (A3's 420 mm are 1190.55 pt).
pub fn mm_to_pt(mm: f32) -> f32 {
    mm / 25.4 * 72.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Paper {
    A3,
    A4,
}

impl Paper {
    /// Width and height when upright, in mm (ISO 216).
    pub fn portrait_mm(self) -> [f32; 2] {
        match self {
            Paper::A3 => [297.0, 420.0],
            Paper::A4 => [210.0, 297.0],
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Paper::A3 => "A3",
            Paper::A4 => "A4",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Orientation {
    /// 縦
    Portrait,
    /// 横
    Landscape,
}

impl Orientation {
    pub fn label(self) -> &'static str {
        match self {
            Orientation::Portrait => "縦",
            Orientation::Landscape => "横",
        }
    }
}

/// A sheet: paper, orientation and the margin kept free on every side.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Page {
    pub paper: Paper,
    pub orientation: Orientation,
    /// mm on every side (printers cannot print to the edge).
    pub margin: f32,
}

impl Page {
    /// Width and height in mm.
    pub fn size_mm(&self) -> [f32; 2] {
        let [w, h] = self.paper.portrait_mm();
        match self.orientation {
            Orientation::Portrait => [w, h],
            Orientation::Landscape => [h, w],
        }
    }

    /// Width and height in points.
    pub fn size_pt(&self) -> [f32; 2] {
        self.size_mm().map(mm_to_pt)
    }

    /// The area inside the margins, (x, y, width, height) in mm from the top-left corner.
    pub fn content_mm(&self) -> [f32; 4] {
        let [w, h] = self.size_mm();
        let m = self.margin.clamp(0.0, w.min(h) / 4.0);
        [m, m, w - 2.0 * m, h - 2.0 * m]
    }

    /// e.g. 「A3横」.
    pub fn label(&self) -> String {
        format!("{}{}", self.paper.label(), self.orientation.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a3_and_a4_in_points_as_pdfinfo_reports_them() {
        let a3 = Page {
            paper: Paper::A3,
            orientation: Orientation::Landscape,
            margin: 10.0,
        };
        let [w, h] = a3.size_pt();
        assert!(
            (w - 1190.55).abs() < 0.01 && (h - 841.89).abs() < 0.01,
            "{w}×{h}"
        );
        let a4 = Page {
            paper: Paper::A4,
            orientation: Orientation::Portrait,
            margin: 10.0,
        };
        let [w, h] = a4.size_pt();
        assert!(
            (w - 595.28).abs() < 0.01 && (h - 841.89).abs() < 0.01,
            "{w}×{h}"
        );
        assert_eq!(a4.content_mm(), [10.0, 10.0, 190.0, 277.0]);
        assert_eq!(a3.label(), "A3横");
    }
}
