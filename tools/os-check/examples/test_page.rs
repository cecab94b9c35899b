//! Prints a test page through `os::print` (on Windows: the print dialog and GDI), for a
//! check by hand on a real printer, or under Wine:
//!
//!   cargo build -p kenshin-os-check --example test_page --target x86_64-pc-windows-gnu
//!   wine target/x86_64-pc-windows-gnu/debug/examples/test_page.exe [a3|a4]
//!
//! The page (A3 or A4 landscape) has a 10 mm grid with a ruler every 50 mm, a 100 mm
//! square outlined in red at (20, 20) mm and a blue 10 mm border: on paper, the square
//! measures 100 mm when the page prints at true size, and the printed line says what
//! `print` reported (printer, copies, size in %).

use kenshin_os_check::os::print::{self, Pages};

struct TestPage {
    size_mm: [f32; 2],
}

impl Pages for TestPage {
    fn count(&self) -> usize {
        1
    }

    fn size_mm(&self, _: usize) -> [f32; 2] {
        self.size_mm
    }

    fn pdf(&self) -> Result<Vec<u8>, String> {
        Err("この確認用ページは PDF を作りません（Windows の印刷で使います）".into())
    }

    fn raster(&self, _: usize, dpi: u32) -> Result<(u32, u32, Vec<u8>), String> {
        let px = |mm: f32| (mm / 25.4 * dpi as f32).round() as i64;
        let (w, h) = (px(self.size_mm[0]), px(self.size_mm[1]));
        let mut rgba = vec![255u8; (w * h * 4) as usize];
        let mut put = |x: i64, y: i64, c: [u8; 3]| {
            if (0..w).contains(&x) && (0..h).contains(&y) {
                let i = ((y * w + x) * 4) as usize;
                rgba[i..i + 3].copy_from_slice(&c);
            }
        };
        let line = (dpi as i64 / 150).max(1);
        // Grid lines every 10 mm, darker every 50 mm: across (x) then down (y).
        for (across, len_mm) in [(true, self.size_mm[0]), (false, self.size_mm[1])] {
            for mm in (0..=len_mm as i64).step_by(10) {
                let c = if mm % 50 == 0 {
                    [0, 0, 0]
                } else {
                    [170, 170, 170]
                };
                let at = px(mm as f32);
                for k in 0..if across { h } else { w } {
                    for d in 0..line {
                        let (x, y) = if across { (at + d, k) } else { (k, at + d) };
                        put(x, y, c);
                    }
                }
            }
        }
        // The 100 mm square, 1 mm thick, from (20, 20) mm.
        for t in 0..px(1.0) {
            for k in px(20.0)..=px(120.0) {
                for (x, y) in [
                    (k, px(20.0) + t),
                    (k, px(120.0) - t),
                    (px(20.0) + t, k),
                    (px(120.0) - t, k),
                ] {
                    put(x, y, [220, 0, 0]);
                }
            }
        }
        // The border 10 mm in.
        let (b0, bx, by) = (
            px(10.0),
            px(self.size_mm[0] - 10.0),
            px(self.size_mm[1] - 10.0),
        );
        for t in 0..px(1.0) {
            for x in b0..=bx {
                put(x, b0 + t, [0, 60, 220]);
                put(x, by - t, [0, 60, 220]);
            }
            for y in b0..=by {
                put(b0 + t, y, [0, 60, 220]);
                put(bx - t, y, [0, 60, 220]);
            }
        }
        Ok((w as u32, h as u32, rgba))
    }
}

fn main() {
    let a4 = std::env::args().nth(1).as_deref() == Some("a4");
    let page = TestPage {
        size_mm: if a4 { [297.0, 210.0] } else { [420.0, 297.0] },
    };
    match print::print("健診アトラス 試し印刷", &page, 1) {
        Ok(p) => println!("{}", print::summary(&p)),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
