//! Colour ramps for choropleths: sequential and diverging, from the ColorBrewer schemes
//! marked colour-blind safe (Brewer & Harrower; the colour values are facts, not code),
//! interpolated for any number of classes.

use super::Rgba;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Ramp {
    YlGnBu,
    Blues,
    OrRd,
    Purples,
    RdYlBu,
    BrBG,
    PuOr,
}

impl Ramp {
    pub const ALL: [Ramp; 7] = [
        Ramp::YlGnBu,
        Ramp::Blues,
        Ramp::OrRd,
        Ramp::Purples,
        Ramp::RdYlBu,
        Ramp::BrBG,
        Ramp::PuOr,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Ramp::YlGnBu => "黄→緑→青（連続）",
            Ramp::Blues => "青（連続）",
            Ramp::OrRd => "橙→赤（連続）",
            Ramp::Purples => "紫（連続）",
            Ramp::RdYlBu => "赤⇔青（発散）",
            Ramp::BrBG => "茶⇔青緑（発散）",
            Ramp::PuOr => "橙⇔紫（発散）",
        }
    }

    pub fn diverging(self) -> bool {
        matches!(self, Ramp::RdYlBu | Ramp::BrBG | Ramp::PuOr)
    }

    fn stops(self) -> &'static [u32] {
        match self {
            Ramp::YlGnBu => &[0xffffcc, 0xc7e9b4, 0x7fcdbb, 0x41b6c4, 0x2c7fb8, 0x253494],
            Ramp::Blues => &[0xeff3ff, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x3182bd, 0x08519c],
            Ramp::OrRd => &[0xfef0d9, 0xfdd49e, 0xfdbb84, 0xfc8d59, 0xe34a33, 0xb30000],
            Ramp::Purples => &[0xf2f0f7, 0xdadaeb, 0xbcbddc, 0x9e9ac8, 0x756bb1, 0x54278f],
            Ramp::RdYlBu => &[0xd73027, 0xfc8d59, 0xfee090, 0xe0f3f8, 0x91bfdb, 0x4575b4],
            Ramp::BrBG => &[0x8c510a, 0xd8b365, 0xf6e8c3, 0xc7eae5, 0x5ab4ac, 0x01665e],
            Ramp::PuOr => &[0xe66101, 0xfdb863, 0xfee0b6, 0xd8daeb, 0xb2abd2, 0x5e3c99],
        }
    }

    /// `n` colours along the ramp (reversed if asked).
    pub fn colors(self, n: usize, reversed: bool) -> Vec<Rgba> {
        let stops = self.stops();
        (0..n)
            .map(|i| {
                let t = if n <= 1 {
                    0.5
                } else {
                    i as f64 / (n - 1) as f64
                };
                let t = if reversed { 1.0 - t } else { t };
                let pos = t * (stops.len() - 1) as f64;
                let a = pos.floor() as usize;
                let b = (a + 1).min(stops.len() - 1);
                let f = pos - a as f64;
                let ch = |c: u32, s: u32| ((c >> s) & 0xff) as f64;
                let mix =
                    |s: u32| (ch(stops[a], s) * (1.0 - f) + ch(stops[b], s) * f).round() as u8;
                [mix(16), mix(8), mix(0), 255]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_are_the_stops() {
        let c = Ramp::Blues.colors(5, false);
        assert_eq!(c[0], [0xef, 0xf3, 0xff, 255]);
        assert_eq!(c[4], [0x08, 0x51, 0x9c, 255]);
        assert_eq!(Ramp::Blues.colors(5, true)[0], c[4]);
        // Lightness falls monotonically along a sequential ramp.
        let lum = |c: &Rgba| c[0] as u32 * 3 + c[1] as u32 * 6 + c[2] as u32;
        assert!(
            Ramp::YlGnBu
                .colors(7, false)
                .windows(2)
                .all(|w| lum(&w[0]) > lum(&w[1]))
        );
    }
}
