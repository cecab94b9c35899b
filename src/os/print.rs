//! Printing (印刷), the same on every system:
//! - the paper the pages ask for (A3 or A4, and its orientation) is pre-set: in the
//!   Windows print dialog, or as `-o media=…` for `lp`;
//! - a printer that writes files (Microsoft Print to PDF, XPS, OneNote, a `FILE:` port,
//!   CUPS-PDF) is refused ([`destination`]): files leave through 出力 and its folders;
//! - on the chosen sheet a page is printed at its true size when it fits the paper, and
//!   otherwise fitted and the reduction reported ([`crate::os::device::Sheet::place`]).
//!
//! Windows ([`gdi`], with the `windows` crate): the dialog chooses printer, paper, colour,
//! duplex and copies; each page is rasterised and sent through GDI in bands. Elsewhere
//! ([`lp`]) the PDF goes to the system's `lp`; without it, printing is not available and
//! the user is told to print the PDF export. `KENSHIN_PRINT_COMMAND` replaces `lp` (a test
//! seam: a script that keeps the file and its arguments).
//!
//! Not run here: the Windows path. It is type-checked for Windows with
//! `tools/os-check` (see its Cargo.toml), but no dialog or driver was seen.

pub mod destination;
#[cfg(windows)]
mod gdi;
#[cfg(not(windows))]
mod lp;
#[cfg(windows)]
use gdi as imp;
#[cfg(not(windows))]
use lp as imp;

/// Replaces the print command on systems without GDI (tests).
pub const COMMAND_ENV: &str = "KENSHIN_PRINT_COMMAND";

static COMMAND: std::sync::Mutex<Option<std::path::PathBuf>> = std::sync::Mutex::new(None);

/// Replaces the print command for this process (tests that print in-process; the command
/// line uses [`COMMAND_ENV`]).
pub fn set_command(program: Option<std::path::PathBuf>) {
    if let Ok(mut c) = COMMAND.lock() {
        *c = program;
    }
}

#[cfg_attr(windows, allow(dead_code))]
fn command() -> std::ffi::OsString {
    let set = COMMAND.lock().ok().and_then(|c| c.clone());
    match set {
        Some(p) => p.into_os_string(),
        None => std::env::var_os(COMMAND_ENV).unwrap_or_else(|| "lp".into()),
    }
}

/// What is printed: the pages, as a PDF (for `lp`) or rasterised (for GDI).
pub trait Pages {
    fn count(&self) -> usize;
    /// Page `i`'s width and height in mm.
    fn size_mm(&self, i: usize) -> [f32; 2];
    /// Every page as one PDF.
    fn pdf(&self) -> Result<Vec<u8>, String>;
    /// Page `i` at `dpi`: width, height and opaque RGBA rows.
    fn raster(&self, i: usize, dpi: u32) -> Result<(u32, u32, Vec<u8>), String>;
}

/// What was printed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Printed {
    pub pages: usize,
    pub copies: u32,
    /// The printer, or the command that took the job.
    pub printer: String,
    /// The size printed, in % of the page's (100: true size; less when the chosen paper
    /// is smaller than the page).
    pub percent: u32,
}

/// What was printed, as the screen says it (with the reduction, when the paper was
/// smaller than the page).
pub fn summary(p: &Printed) -> String {
    let mut s = format!(
        "{} ページを {} 部、プリンタ「{}」で印刷しました。",
        p.pages, p.copies, p.printer
    );
    if p.percent < 100 {
        s.push_str(&format!(
            "用紙がページより小さいため {}% に縮小しました（縮尺の数字は紙の上では合いません）。",
            p.percent
        ));
    }
    s
}

/// The paper of a page of `size_mm` (width, height), as printers name it, with whether it
/// lies on its side; `None` for any other size.
pub fn paper(size_mm: [f32; 2]) -> Option<(&'static str, bool)> {
    let [w, h] = size_mm;
    let (short, long) = (w.min(h), w.max(h));
    let near = |a: f32, b: f32| (a - b).abs() <= 1.0;
    let name = if near(short, 297.0) && near(long, 420.0) {
        "A3"
    } else if near(short, 210.0) && near(long, 297.0) {
        "A4"
    } else {
        return None;
    };
    Some((name, w > h))
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error(
        "この環境では印刷できません（{0}）。PDF に出力してから、PDF を開いて印刷してください。"
    )]
    Unavailable(String),
    #[error("印刷を取り消しました。")]
    Cancelled,
    #[error("印刷に失敗しました: {0}")]
    Failed(String),
    #[error("印刷するページを作れません: {0}")]
    Page(String),
    #[error(
        "プリンタ「{0}」はファイルに書き出す（またはファクスで送る）ため、印刷に使えません。ファイルにするときは「出力」から、許可されたフォルダに PDF で出力してください。"
    )]
    WritesFiles(String),
}

/// Prints `pages` as job `title`, `copies` times (the Windows dialog may change it).
pub fn print(title: &str, pages: &dyn Pages, copies: u32) -> Result<Printed, PrintError> {
    if pages.count() == 0 {
        return Err(PrintError::Page("ページがありません".into()));
    }
    imp::print(title, pages, copies.clamp(1, 99))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn papers_are_named_with_their_orientation() {
        assert_eq!(paper([420.0, 297.0]), Some(("A3", true)));
        assert_eq!(paper([297.0, 420.0]), Some(("A3", false)));
        assert_eq!(paper([210.0, 297.0]), Some(("A4", false)));
        assert_eq!(paper([297.0, 210.0]), Some(("A4", true)));
        // Points rounded to mm stay the same paper.
        assert_eq!(paper([419.9, 296.9]), Some(("A3", true)));
        assert_eq!(paper([257.0, 364.0]), None, "B4 is not pre-set");
    }

    #[test]
    fn a_reduction_is_said() {
        let mut p = Printed {
            pages: 2,
            copies: 3,
            printer: "RICOH A3".into(),
            percent: 100,
        };
        assert_eq!(
            summary(&p),
            "2 ページを 3 部、プリンタ「RICOH A3」で印刷しました。"
        );
        p.percent = 70;
        assert!(summary(&p).contains("70% に縮小"), "{}", summary(&p));
    }
}
