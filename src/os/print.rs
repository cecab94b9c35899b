//! Printing (印刷). On Windows the system print dialog chooses the printer, paper, colour,
//! duplex and copies, and each page is rasterised and sent through GDI, fitted to the
//! printable area the driver reports, in bands of rows. Elsewhere the PDF goes to the
//! system's `lp`; without it, printing is not available and the user is told to print the
//! PDF export. `KENSHIN_PRINT_COMMAND` replaces `lp` (a test seam: a script that keeps
//! the file and its arguments).
//!
//! Not checked here: the Windows path (no Windows build in this environment).

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
}

/// Prints `pages` as job `title`, `copies` times (the Windows dialog may change it).
pub fn print(title: &str, pages: &dyn Pages, copies: u32) -> Result<Printed, PrintError> {
    if pages.count() == 0 {
        return Err(PrintError::Page("ページがありません".into()));
    }
    imp::print(title, pages, copies.clamp(1, 99))
}

#[cfg(not(windows))]
mod imp {
    use super::{Pages, PrintError, Printed};
    use std::io::Write;

    pub fn print(title: &str, pages: &dyn Pages, copies: u32) -> Result<Printed, PrintError> {
        let program = super::command();
        let shown = program.to_string_lossy().into_owned();
        let pdf = pages.pdf().map_err(PrintError::Page)?;
        // Removed when this function returns, however it returns (the spool has its own
        // copy by then).
        let (path, mut file) = tempfile_in_temp()?;
        let _guard = Removed(path.clone());
        file.write_all(&pdf)
            .and_then(|()| file.sync_all())
            .map_err(|e| PrintError::Failed(e.to_string()))?;
        drop(file);
        let out = std::process::Command::new(&program)
            .arg("-n")
            .arg(copies.to_string())
            .arg("-t")
            .arg(title)
            .arg(&path)
            .output();
        match out {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(PrintError::Unavailable(
                format!("印刷コマンド {shown} がありません"),
            )),
            Err(e) => Err(PrintError::Failed(format!("{shown}: {e}"))),
            Ok(o) if !o.status.success() => Err(PrintError::Failed(format!(
                "{shown}: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ))),
            Ok(_) => Ok(Printed {
                pages: pages.count(),
                copies,
                printer: shown,
            }),
        }
    }

    /// A file removed when dropped.
    struct Removed(std::path::PathBuf);

    impl Drop for Removed {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    /// A new file in the system's temporary folder, readable by this user only.
    fn tempfile_in_temp() -> Result<(std::path::PathBuf, std::fs::File), PrintError> {
        use std::os::unix::fs::OpenOptionsExt;
        let dir = std::env::temp_dir();
        for n in 0..100u32 {
            let path = dir.join(format!("kenshin-print-{}-{n}.pdf", std::process::id()));
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
            {
                Ok(f) => return Ok((path, f)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(PrintError::Failed(e.to_string())),
            }
        }
        Err(PrintError::Failed("一時ファイルを作れません".into()))
    }
}

#[cfg(all(windows, not(target_pointer_width = "64")))]
compile_error!("the print dialog's structure is declared for 64-bit Windows only");

#[cfg(windows)]
mod imp {
    //! GDI through raw FFI (comdlg32, gdi32, kernel32), as `removable` does. The dialog
    //! returns the copies; the pages are sent that many times.
    use super::{Pages, PrintError, Printed};

    type Handle = isize;

    #[repr(C)]
    struct PrintDlgW {
        l_struct_size: u32,
        hwnd_owner: Handle,
        h_dev_mode: Handle,
        h_dev_names: Handle,
        h_dc: Handle,
        flags: u32,
        n_from_page: u16,
        n_to_page: u16,
        n_min_page: u16,
        n_max_page: u16,
        n_copies: u16,
        h_instance: Handle,
        l_cust_data: isize,
        lpfn_print_hook: usize,
        lpfn_setup_hook: usize,
        lp_print_template_name: *const u16,
        lp_setup_template_name: *const u16,
        h_print_template: Handle,
        h_setup_template: Handle,
    }

    #[repr(C)]
    struct DocInfoW {
        cb_size: i32,
        lpsz_doc_name: *const u16,
        lpsz_output: *const u16,
        lpsz_datatype: *const u16,
        fw_type: u32,
    }

    #[repr(C)]
    struct BitmapInfoHeader {
        bi_size: u32,
        bi_width: i32,
        bi_height: i32,
        bi_planes: u16,
        bi_bit_count: u16,
        bi_compression: u32,
        bi_size_image: u32,
        bi_x_pels_per_meter: i32,
        bi_y_pels_per_meter: i32,
        bi_clr_used: u32,
        bi_clr_important: u32,
    }

    const PD_RETURNDC: u32 = 0x0000_0100;
    const PD_NOSELECTION: u32 = 0x0000_0004;
    const PD_NOPAGENUMS: u32 = 0x0000_0008;
    const PD_HIDEPRINTTOFILE: u32 = 0x0010_0000;
    const HORZRES: i32 = 8;
    const VERTRES: i32 = 10;
    const LOGPIXELSX: i32 = 88;
    const LOGPIXELSY: i32 = 90;
    const DIB_RGB_COLORS: u32 = 0;
    const SRCCOPY: u32 = 0x00CC_0020;

    #[link(name = "comdlg32")]
    unsafe extern "system" {
        fn PrintDlgW(p: *mut PrintDlgW) -> i32;
        fn CommDlgExtendedError() -> u32;
    }

    #[link(name = "gdi32")]
    unsafe extern "system" {
        fn StartDocW(hdc: Handle, di: *const DocInfoW) -> i32;
        fn StartPage(hdc: Handle) -> i32;
        fn EndPage(hdc: Handle) -> i32;
        fn EndDoc(hdc: Handle) -> i32;
        fn AbortDoc(hdc: Handle) -> i32;
        fn DeleteDC(hdc: Handle) -> i32;
        fn GetDeviceCaps(hdc: Handle, index: i32) -> i32;
        fn StretchDIBits(
            hdc: Handle,
            x_dest: i32,
            y_dest: i32,
            dest_width: i32,
            dest_height: i32,
            x_src: i32,
            y_src: i32,
            src_width: i32,
            src_height: i32,
            bits: *const u8,
            bmi: *const BitmapInfoHeader,
            usage: u32,
            rop: u32,
        ) -> i32;
    }

    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn GlobalFree(h: Handle) -> Handle;
    }

    fn wide(s: &str) -> Vec<u16> {
        s.encode_utf16().chain(std::iter::once(0)).collect()
    }

    /// The page is rendered at most at this dpi and scaled by the driver to its own.
    const MAX_RENDER_DPI: u32 = 300;
    /// Rows sent to the driver at a time (RGBA bytes).
    const BAND_BYTES: u64 = 32 << 20;

    pub fn print(title: &str, pages: &dyn Pages, copies: u32) -> Result<Printed, PrintError> {
        // SAFETY: every pointer handed to the API points into a live, correctly laid out
        // structure or buffer owned by this function; handles returned are freed below.
        unsafe {
            let mut pd: PrintDlgW = std::mem::zeroed();
            pd.l_struct_size = std::mem::size_of::<PrintDlgW>() as u32;
            pd.flags = PD_RETURNDC | PD_NOSELECTION | PD_NOPAGENUMS | PD_HIDEPRINTTOFILE;
            pd.n_copies = copies as u16;
            if PrintDlgW(&mut pd) == 0 {
                let code = CommDlgExtendedError();
                return Err(if code == 0 {
                    PrintError::Cancelled
                } else {
                    PrintError::Failed(format!("印刷ダイアログ（エラー {code:#x}）"))
                });
            }
            let hdc = pd.h_dc;
            let free = || {
                if pd.h_dev_mode != 0 {
                    GlobalFree(pd.h_dev_mode);
                }
                if pd.h_dev_names != 0 {
                    GlobalFree(pd.h_dev_names);
                }
                DeleteDC(hdc);
            };
            let name = wide(title);
            let di = DocInfoW {
                cb_size: std::mem::size_of::<DocInfoW>() as i32,
                lpsz_doc_name: name.as_ptr(),
                lpsz_output: std::ptr::null(),
                lpsz_datatype: std::ptr::null(),
                fw_type: 0,
            };
            if StartDocW(hdc, &di) <= 0 {
                free();
                return Err(PrintError::Failed("プリンタが文書を受け付けません".into()));
            }
            let result = (|| -> Result<(), PrintError> {
                let dpi = GetDeviceCaps(hdc, LOGPIXELSX).max(GetDeviceCaps(hdc, LOGPIXELSY)) as u32;
                let area = [GetDeviceCaps(hdc, HORZRES), GetDeviceCaps(hdc, VERTRES)];
                let copies = u32::from(pd.n_copies.max(1));
                for i in (0..copies).flat_map(|_| 0..pages.count()) {
                    let render_dpi = dpi.clamp(72, MAX_RENDER_DPI);
                    let (w, h, rgba) = pages.raster(i, render_dpi).map_err(PrintError::Page)?;
                    // Fitted to the printable area, keeping the page's proportions.
                    let scale = (area[0] as f64 / w as f64).min(area[1] as f64 / h as f64);
                    let (dw, dh) = ((w as f64 * scale) as i32, (h as f64 * scale) as i32);
                    let (x0, y0) = ((area[0] - dw) / 2, (area[1] - dh) / 2);
                    if StartPage(hdc) <= 0 {
                        return Err(PrintError::Failed("ページを始められません".into()));
                    }
                    let image = crate::os::device::Device {
                        dpi: render_dpi,
                        offset: [0, 0],
                        printable: [w, h],
                    };
                    for (by, bh) in image.bands(BAND_BYTES) {
                        let mut bgra = Vec::with_capacity(w as usize * bh as usize * 4);
                        let start = by as usize * w as usize * 4;
                        let end = start + bh as usize * w as usize * 4;
                        for p in rgba[start..end].chunks_exact(4) {
                            bgra.extend_from_slice(&[p[2], p[1], p[0], 255]);
                        }
                        let header = BitmapInfoHeader {
                            bi_size: std::mem::size_of::<BitmapInfoHeader>() as u32,
                            bi_width: w as i32,
                            bi_height: -(bh as i32),
                            bi_planes: 1,
                            bi_bit_count: 32,
                            bi_compression: 0,
                            bi_size_image: 0,
                            bi_x_pels_per_meter: 0,
                            bi_y_pels_per_meter: 0,
                            bi_clr_used: 0,
                            bi_clr_important: 0,
                        };
                        let top = y0 + (by as f64 * scale) as i32;
                        let next = y0 + ((by + bh) as f64 * scale) as i32;
                        let drawn = StretchDIBits(
                            hdc,
                            x0,
                            top,
                            dw,
                            next - top,
                            0,
                            0,
                            w as i32,
                            bh as i32,
                            bgra.as_ptr(),
                            &header,
                            DIB_RGB_COLORS,
                            SRCCOPY,
                        );
                        if drawn == 0 {
                            return Err(PrintError::Failed("プリンタに描けません".into()));
                        }
                    }
                    if EndPage(hdc) <= 0 {
                        return Err(PrintError::Failed("ページを送れません".into()));
                    }
                }
                Ok(())
            })();
            match result {
                Ok(()) => {
                    let ended = EndDoc(hdc);
                    free();
                    if ended <= 0 {
                        return Err(PrintError::Failed("印刷を終えられません".into()));
                    }
                    Ok(Printed {
                        pages: pages.count(),
                        copies: u32::from(pd.n_copies.max(1)),
                        printer: "Windows".into(),
                    })
                }
                Err(e) => {
                    AbortDoc(hdc);
                    free();
                    Err(e)
                }
            }
        }
    }
}
