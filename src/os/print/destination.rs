//! Whether a printer writes a file instead of paper. Such printers (Microsoft Print to
//! PDF, the XPS Document Writer, OneNote, fax, PDF printers, a `FILE:` port, CUPS-PDF)
//! would let personal data leave the console without the 外部出力 right and outside the
//! allowed folders, so printing refuses them and points to 出力.
//!
//! Judged from what the system says of the chosen printer: on Windows its driver, device
//! and port names (`DEVNAMES`), on CUPS the device URI `lpstat -v` prints.

/// Port names that are files or ask for one (Windows).
const FILE_PORTS: [&str; 5] = ["FILE:", "PORTPROMPT:", "XPSPORT:", "NUL:", "NUL"];

/// Phrases in a printer's (or driver's) name that mark a file writer (upper case). Not a
/// bare "XPS": Konica Minolta, Kyocera and Canon name laser drivers "… XPS".
const FILE_PHRASES: [&str; 6] = [
    "PDF",
    "XPS DOCUMENT WRITER",
    "ONENOTE",
    "PRINT TO",
    "DOCUMENT WRITER",
    "IMAGE WRITER",
];

/// Whether a name is a fax queue: "Fax", or a name ending in " FAX" (the fax driver of a
/// multifunction printer, which sends the page away instead of printing it). A queue
/// named "3F複合機(FAX付)" is a printer.
fn is_fax(name: &str) -> bool {
    let n = name.trim().to_uppercase();
    n == "FAX" || n.ends_with(" FAX") || n.starts_with("FAX ")
}

/// Extensions of a port that is a file path (`C:\out\job.prn`).
const FILE_EXTENSIONS: [&str; 6] = [".PRN", ".PDF", ".XPS", ".OXPS", ".PS", ".TXT"];

/// Whether a Windows printer with these driver, device (printer) and port names writes
/// files or sends the page away (a fax). DEVNAMES gives "winspool" as the driver on NT, so
/// the printer's name and port decide.
pub fn windows_writes_files(driver: &str, device: &str, port: &str) -> bool {
    let port_up = port.trim().to_uppercase();
    let is_path = port_up.len() > 2 && port_up.as_bytes()[1] == b':' && port_up.contains('\\');
    FILE_PORTS.contains(&port_up.as_str())
        || FILE_EXTENSIONS.iter().any(|e| port_up.ends_with(e))
        || is_path
        || [driver, device]
            .iter()
            .any(|n| is_fax(n) || FILE_PHRASES.iter().any(|w| n.to_uppercase().contains(w)))
}

/// The device URIs, by destination, in `lpstat -v` output (`device for NAME: URI`; the
/// Japanese locale prints `NAME のデバイス: URI`).
fn devices(lpstat_v: &str) -> Vec<(&str, &str)> {
    lpstat_v
        .lines()
        .filter_map(|l| {
            if let Some(rest) = l.strip_prefix("device for ") {
                let (name, uri) = rest.split_once(": ")?;
                Some((name.trim(), uri.trim()))
            } else {
                let (name, uri) = l.split_once("のデバイス: ")?;
                Some((name.trim(), uri.trim()))
            }
        })
        .collect()
}

/// The default destination in `lpstat -d` output (`system default destination: NAME`, or
/// `システムのデフォルトの宛先: NAME`); `None` when there is none.
pub fn cups_default(lpstat_d: &str) -> Option<&str> {
    lpstat_d.lines().find_map(|l| {
        let (_, name) = l.split_once(": ")?;
        let name = name.trim();
        (!name.is_empty()).then_some(name)
    })
}

/// Whether CUPS destination `name` writes files, from `lpstat -v` output: a `file:`,
/// `cups-pdf:` or `pdf` backend.
pub fn cups_writes_files(lpstat_v: &str, name: &str) -> bool {
    devices(lpstat_v).iter().any(|(n, uri)| {
        let scheme = uri.split(':').next().unwrap_or("").to_lowercase();
        *n == name && (scheme == "file" || scheme.contains("pdf"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_file_printers_are_known_by_port_driver_or_name() {
        // As DEVNAMES reports them on Windows Server 2022.
        for (driver, device, port) in [
            ("winspool", "Microsoft Print to PDF", "PORTPROMPT:"),
            ("winspool", "Microsoft XPS Document Writer", "PORTPROMPT:"),
            ("winspool", "OneNote for Windows 10", "nul:"),
            ("winspool", "Fax", "SHRFAX:"),
            ("winspool", "Canon iR-ADV C3520 FAX", "IP_10.0.0.8"),
            ("winspool", "Canon LBP (ファイル)", "FILE:"),
            ("winspool", "経理用", r"C:\spool\job.prn"),
            ("winspool", "CubePDF", "CubePDF:"),
        ] {
            assert!(
                windows_writes_files(driver, device, port),
                "{device} {port}"
            );
        }
        for (driver, device, port) in [
            ("winspool", "RICOH IM C3000 (A3 カラー)", "IP_192.168.10.20"),
            ("winspool", r"\\PRINTSV\kokuho-3F", "Ne01:"),
            ("winspool", "Canon LBP9950Ci", "USB001"),
            ("winspool", "EPSON LP-S7160", "LPT1:"),
            (
                "winspool",
                "KONICA MINOLTA C360SeriesXPS",
                "IP_192.168.10.31",
            ),
            (
                "winspool",
                "Kyocera TASKalfa 3252ci XPS",
                "WSD-6f1d2c3a-0b7e",
            ),
            ("winspool", "3F複合機(FAX付)", "192.168.1.5"),
        ] {
            assert!(
                !windows_writes_files(driver, device, port),
                "{device} {port}"
            );
        }
    }

    #[test]
    fn cups_file_backends_are_refused_and_lasers_are_not() {
        let v = "device for A3-Laser: ipp://192.168.10.20/ipp/print\n\
                 device for PDF: cups-pdf:/\n\
                 device for tofile: file:///tmp/out.prn\n\
                 device for usb-laser: usb://Canon/LBP9950Ci?serial=1234\n";
        assert!(cups_writes_files(v, "PDF"));
        assert!(cups_writes_files(v, "tofile"));
        assert!(!cups_writes_files(v, "A3-Laser"));
        assert!(!cups_writes_files(v, "usb-laser"));
        assert!(!cups_writes_files(v, "unknown"));
        let ja = "PDF のデバイス: cups-pdf:/\nA3 のデバイス: socket://10.0.0.5:9100\n";
        assert!(cups_writes_files(ja, "PDF"));
        assert!(!cups_writes_files(ja, "A3"));
        assert_eq!(
            cups_default("system default destination: A3-Laser\n"),
            Some("A3-Laser")
        );
        assert_eq!(
            cups_default("システムのデフォルトの宛先: PDF\n"),
            Some("PDF")
        );
        assert_eq!(cups_default("no system default destination\n"), None);
    }
}
