//! Printing on Windows through the `windows` crate:
//! 1. the print dialog (`PrintDlgW`) opens on the default printer with the pages' paper,
//!    orientation and copies pre-set in that printer's own `DEVMODE` (taken first with
//!    `PD_RETURNDEFAULT`); the user chooses printer, paper, colour, duplex, copies and
//!    collation there; print-to-file is hidden;
//! 2. a printer that writes files (`DEVNAMES`: Microsoft Print to PDF, XPS, a `FILE:`
//!    port …) is refused ([`super::destination`]);
//! 3. each page is rasterised (at the printer's dpi, at most 300) and sent with
//!    `StretchDIBits` in bands of rows, placed by [`Sheet::place`]: true size on its own
//!    paper, else fitted and the reduction reported; the copies the dialog returns are
//!    sent that many times, collated or not as asked.
//!
//! Type-checked for Windows (`tools/os-check`); never run here: no dialog or driver seen.

use super::{Pages, PrintError, Printed, destination};
use crate::os::device::{Device, Sheet};
use std::ffi::c_void;
use windows::Win32::Foundation::{GlobalFree, HGLOBAL};
use windows::Win32::Graphics::Gdi::{
    BI_RGB, BITMAPINFO, BITMAPINFOHEADER, DEVMODEW, DIB_RGB_COLORS, DM_COPIES, DM_ORIENTATION,
    DM_PAPERSIZE, DMORIENT_LANDSCAPE, DMORIENT_PORTRAIT, DMPAPER_A3, DMPAPER_A4, DeleteDC,
    GET_DEVICE_CAPS_INDEX, GetDeviceCaps, HDC, HORZRES, LOGPIXELSX, LOGPIXELSY, PHYSICALHEIGHT,
    PHYSICALOFFSETX, PHYSICALOFFSETY, PHYSICALWIDTH, SRCCOPY, StretchDIBits, VERTRES,
};
use windows::Win32::Storage::Xps::{AbortDoc, DOCINFOW, EndDoc, EndPage, StartDocW, StartPage};
use windows::Win32::System::Memory::{GlobalLock, GlobalSize, GlobalUnlock};
use windows::Win32::UI::Controls::Dialogs::{
    CommDlgExtendedError, DEVNAMES, PD_COLLATE, PD_HIDEPRINTTOFILE, PD_NOPAGENUMS, PD_NOSELECTION,
    PD_RETURNDC, PD_RETURNDEFAULT, PRINTDLGW, PrintDlgW,
};
use windows::core::PCWSTR;

/// The page is rendered at most at this dpi and scaled by the driver to its own.
const MAX_RENDER_DPI: u32 = 300;
/// Rows sent to the driver at a time (RGBA bytes).
const BAND_BYTES: u64 = 32 << 20;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

/// The dialog's structure; its memory handles and device context are freed when dropped.
struct Dialog(PRINTDLGW);

impl Drop for Dialog {
    fn drop(&mut self) {
        // SAFETY: the handles were allocated by this module or returned by PrintDlgW, are
        // owned by this structure and freed once.
        unsafe {
            for h in [self.0.hDevMode, self.0.hDevNames] {
                if !h.is_invalid() {
                    let _ = GlobalFree(Some(h));
                }
            }
            if !self.0.hDC.is_invalid() {
                let _ = DeleteDC(self.0.hDC);
            }
        }
    }
}

/// The default printer's own `DEVMODE` and `DEVNAMES` (`PD_RETURNDEFAULT`: no dialog),
/// with the page's paper and orientation and the copies set in the `DEVMODE`, for the
/// dialog to open on. Taking the driver's whole `DEVMODE` keeps its private part and a
/// printer name of any length. `None` when there is no default printer (the dialog then
/// opens on its own choice) or the page has another size.
fn preset(d: &mut Dialog, size_mm: [f32; 2], copies: u32) {
    let mut probe = Dialog(PRINTDLGW {
        lStructSize: std::mem::size_of::<PRINTDLGW>() as u32,
        Flags: PD_RETURNDEFAULT,
        ..Default::default()
    });
    // SAFETY: the structure outlives the call; the handles it returns are owned by
    // `probe` until they are moved into `d` below.
    if !unsafe { PrintDlgW(&mut probe.0) }.as_bool() || probe.0.hDevMode.is_invalid() {
        return;
    }
    let paper = super::paper(size_mm);
    // SAFETY: the block holds the driver's DEVMODE (its public part at the start); it is
    // locked while written.
    unsafe {
        let p = GlobalLock(probe.0.hDevMode) as *mut DEVMODEW;
        if p.is_null() {
            return;
        }
        let m = &mut *p;
        if let Some((name, landscape)) = paper {
            m.dmFields |= DM_PAPERSIZE | DM_ORIENTATION;
            m.Anonymous1.Anonymous1.dmPaperSize =
                (if name == "A3" { DMPAPER_A3 } else { DMPAPER_A4 }) as i16;
            m.Anonymous1.Anonymous1.dmOrientation = (if landscape {
                DMORIENT_LANDSCAPE
            } else {
                DMORIENT_PORTRAIT
            }) as i16;
        }
        // The dialog's first count of copies comes from here when a DEVMODE is given.
        m.dmFields |= DM_COPIES;
        m.Anonymous1.Anonymous1.dmCopies = copies.clamp(1, 99) as i16;
        let _ = GlobalUnlock(probe.0.hDevMode);
    }
    d.0.hDevMode = std::mem::take(&mut probe.0.hDevMode);
    d.0.hDevNames = std::mem::take(&mut probe.0.hDevNames);
}

/// The driver, device (printer) and port names the dialog returned.
fn names(h: HGLOBAL) -> Option<[String; 3]> {
    if h.is_invalid() {
        return None;
    }
    // SAFETY: DEVNAMES is followed by NUL-terminated UTF-16 strings at the offsets (in
    // chars from the structure's start) it gives; the block stays locked while read.
    unsafe {
        let chars = GlobalSize(h) / 2;
        let base = GlobalLock(h) as *const u16;
        if base.is_null() {
            return None;
        }
        let dn = &*(base as *const DEVNAMES);
        // Each string ends at its NUL, within the block.
        let read = |offset: u16| -> Option<String> {
            let start = offset as usize;
            let mut end = start;
            while end < chars && *base.add(end) != 0 {
                end += 1;
            }
            (end < chars).then(|| {
                String::from_utf16_lossy(std::slice::from_raw_parts(base.add(start), end - start))
            })
        };
        let out = (|| {
            Some([
                read(dn.wDriverOffset)?,
                read(dn.wDeviceOffset)?,
                read(dn.wOutputOffset)?,
            ])
        })();
        let _ = GlobalUnlock(h);
        out
    }
}

/// What the driver reports of the sheet.
fn sheet(hdc: HDC) -> Sheet {
    // SAFETY: GetDeviceCaps only reads the device context.
    let cap = |i: GET_DEVICE_CAPS_INDEX| unsafe { GetDeviceCaps(Some(hdc), i).max(0) as u32 };
    Sheet {
        dpi: [cap(LOGPIXELSX).max(1), cap(LOGPIXELSY).max(1)],
        physical: [cap(PHYSICALWIDTH), cap(PHYSICALHEIGHT)],
        offset: [cap(PHYSICALOFFSETX), cap(PHYSICALOFFSETY)],
        printable: [cap(HORZRES), cap(VERTRES)],
    }
}

pub fn print(title: &str, pages: &dyn Pages, copies: u32) -> Result<Printed, PrintError> {
    let mut d = Dialog(PRINTDLGW {
        lStructSize: std::mem::size_of::<PRINTDLGW>() as u32,
        Flags: PD_RETURNDC | PD_NOSELECTION | PD_NOPAGENUMS | PD_HIDEPRINTTOFILE,
        nCopies: copies as u16,
        ..Default::default()
    });
    preset(&mut d, pages.size_mm(0), copies);
    // SAFETY: the structure is laid out by the `windows` crate and outlives the call;
    // the dialog may replace the handles, which `Dialog` then frees.
    if !unsafe { PrintDlgW(&mut d.0) }.as_bool() {
        let code = unsafe { CommDlgExtendedError() }.0;
        return Err(if code == 0 {
            PrintError::Cancelled
        } else {
            PrintError::Failed(format!("印刷ダイアログ（エラー {code:#x}）"))
        });
    }
    // Unknown names are refused rather than guessed.
    let Some([driver, device, port]) = names(d.0.hDevNames) else {
        return Err(PrintError::Failed(
            "選んだプリンタの名前を読めません".into(),
        ));
    };
    if destination::windows_writes_files(&driver, &device, &port) {
        return Err(PrintError::WritesFiles(device));
    }
    let hdc = d.0.hDC;
    if hdc.is_invalid() {
        return Err(PrintError::Failed("プリンタを開けません".into()));
    }
    let sheet = sheet(hdc);
    let copies = u32::from(d.0.nCopies.max(1));
    let name = wide(title);
    let di = DOCINFOW {
        cbSize: std::mem::size_of::<DOCINFOW>() as i32,
        lpszDocName: PCWSTR(name.as_ptr()),
        ..Default::default()
    };
    // SAFETY: `di` and the title it points to live through the call.
    if unsafe { StartDocW(hdc, &di) } <= 0 {
        return Err(PrintError::Failed(format!(
            "プリンタ「{device}」が文書を受け付けません"
        )));
    }
    // Without PD_USEDEVMODECOPIESANDCOLLATE the dialog leaves copies and collation to the
    // app (the DEVMODE says 1 copy): collated, the whole set again; else each page n times.
    let collate = (d.0.Flags & PD_COLLATE) == PD_COLLATE;
    let n = pages.count();
    let order: Vec<usize> = if collate {
        (0..copies).flat_map(|_| 0..n).collect()
    } else {
        (0..n)
            .flat_map(|i| std::iter::repeat_n(i, copies as usize))
            .collect()
    };
    let mut percent = 100;
    let sent = (|| -> Result<(), PrintError> {
        // The last page rasterised: uncollated copies send it again without redrawing it.
        let mut last: Option<(usize, Raster)> = None;
        for i in order {
            let place = sheet.place(pages.size_mm(i));
            percent = percent.min(place.percent);
            if last.as_ref().is_none_or(|(j, _)| *j != i) {
                let device_dpi = sheet.dpi[0].max(sheet.dpi[1]) * place.percent / 100;
                let raster = pages
                    .raster(i, device_dpi.clamp(72, MAX_RENDER_DPI))
                    .map_err(PrintError::Page)?;
                last = Some((i, raster));
            }
            if let Some((_, raster)) = &last {
                send_page(hdc, raster, place)?;
            }
        }
        Ok(())
    })();
    // SAFETY: the document was started on this device context above.
    unsafe {
        match sent {
            Ok(()) if EndDoc(hdc) > 0 => Ok(Printed {
                pages: pages.count(),
                copies,
                printer: device,
                percent,
            }),
            Ok(()) => Err(PrintError::Failed("印刷を終えられません".into())),
            Err(e) => {
                AbortDoc(hdc);
                Err(e)
            }
        }
    }
}

/// A page rasterised: width, height and opaque RGBA rows.
type Raster = (u32, u32, Vec<u8>);

/// One rasterised page sent in bands of rows stretched to `place`.
fn send_page(
    hdc: HDC,
    &(w, h, ref rgba): &Raster,
    place: crate::os::device::Placement,
) -> Result<(), PrintError> {
    // SAFETY: StartPage/EndPage bracket the drawing on a started document.
    if unsafe { StartPage(hdc) } <= 0 {
        return Err(PrintError::Failed("ページを始められません".into()));
    }
    let image = Device {
        dpi: 72,
        offset: [0, 0],
        printable: [w, h],
    };
    let scale_y = place.h as f64 / h.max(1) as f64;
    for (by, bh) in image.bands(BAND_BYTES) {
        let start = by as usize * w as usize * 4;
        let end = start + bh as usize * w as usize * 4;
        let mut bgra = Vec::with_capacity(end - start);
        for p in rgba[start..end].chunks_exact(4) {
            bgra.extend_from_slice(&[p[2], p[1], p[0], 255]);
        }
        let bmi = BITMAPINFO {
            bmiHeader: BITMAPINFOHEADER {
                biSize: std::mem::size_of::<BITMAPINFOHEADER>() as u32,
                biWidth: w as i32,
                // Negative: rows top-down, as the raster holds them.
                biHeight: -(bh as i32),
                biPlanes: 1,
                biBitCount: 32,
                biCompression: BI_RGB.0,
                ..Default::default()
            },
            ..Default::default()
        };
        let top = place.y + (by as f64 * scale_y).round() as i32;
        let next = place.y + ((by + bh) as f64 * scale_y).round() as i32;
        // SAFETY: `bgra` holds `bh` rows of `w` 32-bit pixels, as `bmi` says.
        let drawn = unsafe {
            StretchDIBits(
                hdc,
                place.x,
                top,
                place.w,
                next - top,
                0,
                0,
                w as i32,
                bh as i32,
                Some(bgra.as_ptr() as *const c_void),
                &bmi,
                DIB_RGB_COLORS,
                SRCCOPY,
            )
        };
        if drawn == 0 {
            return Err(PrintError::Failed("プリンタに描けません".into()));
        }
    }
    if unsafe { EndPage(hdc) } <= 0 {
        return Err(PrintError::Failed("ページを送れません".into()));
    }
    Ok(())
}
