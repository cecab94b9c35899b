//! Printing where there is no GDI: the PDF goes to the system's `lp` (CUPS), with the
//! pages' paper asked for (`-o media=A3`). A default destination that writes files
//! (`lpstat -v`: `file:`, CUPS-PDF) is refused. `lpstat` is looked up beside a replaced
//! print command (the test seam), or on PATH beside `lp`; without it the check is skipped,
//! as there is then no CUPS to send to a file either.

use super::{Pages, PrintError, Printed, destination};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

pub fn print(title: &str, pages: &dyn Pages, copies: u32) -> Result<Printed, PrintError> {
    let program = super::command();
    let shown = program.to_string_lossy().into_owned();
    // The destination checked is the one printed to (`-d`), even if the default changes.
    let checked = match default_destination(&program) {
        Some((name, true)) => return Err(PrintError::WritesFiles(name)),
        Some((name, false)) => Some(name),
        None => None,
    };
    let printer = checked.clone().unwrap_or_else(|| shown.clone());
    let pdf = pages.pdf().map_err(PrintError::Page)?;
    // Removed when this function returns, however it returns (the spool has its own
    // copy by then).
    let (path, mut file) = tempfile_in_temp()?;
    let _guard = Removed(path.clone());
    file.write_all(&pdf)
        .and_then(|()| file.sync_all())
        .map_err(|e| PrintError::Failed(e.to_string()))?;
    drop(file);
    let mut cmd = std::process::Command::new(&program);
    cmd.arg("-n").arg(copies.to_string()).arg("-t").arg(title);
    if let Some((paper, _)) = super::paper(pages.size_mm(0)) {
        cmd.arg("-o").arg(format!("media={paper}"));
    }
    if let Some(name) = &checked {
        cmd.arg("-d").arg(name);
    }
    match cmd.arg(&path).output() {
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
            printer,
            // The media asked for is the page's own; a queue without it is fitted by CUPS,
            // which does not say so.
            percent: 100,
        }),
    }
}

/// `lpstat` for print command `program`: beside it when it is a path, else on PATH.
fn lpstat(program: &OsString) -> Option<PathBuf> {
    let p = Path::new(program);
    match p.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => Some(dir.join("lpstat")).filter(|l| l.is_file()),
        None => Some(PathBuf::from("lpstat")),
    }
}

/// The default destination and whether it writes files; `None` when CUPS cannot say.
fn default_destination(program: &OsString) -> Option<(String, bool)> {
    let lpstat = lpstat(program)?;
    let run = |arg: &str| {
        std::process::Command::new(&lpstat)
            .arg(arg)
            .env("LC_ALL", "C")
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let d = run("-d")?;
    let name = destination::cups_default(&d)?.to_string();
    let v = run("-v")?;
    let files = destination::cups_writes_files(&v, &name);
    Some((name, files))
}

/// A file removed when dropped.
struct Removed(PathBuf);

impl Drop for Removed {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A new file in the system's temporary folder, readable by this user only.
fn tempfile_in_temp() -> Result<(PathBuf, std::fs::File), PrintError> {
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
