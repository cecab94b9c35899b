//! Print layouts through the engine and the command line: each template written as a PDF
//! of its paper size (pdfinfo), the 地図と一覧 table continued over pages with every
//! municipality once (against the N03 file), the legend's labels in the PDF, a saved and
//! reopened layout giving the same PDF bytes, and printing through the print-command
//! seam: the PDF and the copies reach the command, and a user without 印刷 is refused and
//! logged.

use std::path::Path;
use std::process::Command as Proc;

use kenshin_atlas::app::domain::print::{PageFormat, PrintCmd, PrintReply};
use kenshin_atlas::app::{Command, Engine, Outcome};
use kenshin_atlas::audit::{Action, Outcome as R};
use kenshin_atlas::auth::{Right, SystemClock};
use kenshin_atlas::job::Progress;
use kenshin_atlas::layout::templates;

use super::common::{ADMIN, ADMIN_PASSWORD, admin_engine, demo_store};
use super::security::{USER_PASSWORD, user_with};

fn exec(e: &mut Engine, c: PrintCmd) -> Result<PrintReply, String> {
    match e.execute(Command::from(c), &Progress::new()) {
        Outcome::Print(r) => Ok(r),
        Outcome::Failed(err) => Err(err.to_string()),
        Outcome::Denied(m) => Err(m),
        o => panic!("{o:?}"),
    }
}

fn reader(program: &str, args: &[&str]) -> String {
    let out = Proc::new(program).args(args).output().unwrap();
    assert!(out.status.success(), "{program} {args:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn export_pdf(e: &mut Engine, layout: kenshin_atlas::layout::Layout, out: &Path) -> usize {
    match exec(
        e,
        PrintCmd::ExportLayout {
            layout: Box::new(layout),
            format: PageFormat::Pdf,
            out: out.to_path_buf(),
            dpi: 300,
            confirm_personal: false,
        },
    )
    .unwrap()
    {
        PrintReply::Written(d) => d.rows,
        r => panic!("{r:?}"),
    }
}

#[test]
fn templates_print_at_their_paper_size_and_a_saved_layout_reopens_the_same() {
    let root = tempfile::tempdir().unwrap();
    let store = demo_store(root.path());
    let mut e = admin_engine(store, Box::new(SystemClock));
    let out = root.path().join("out");
    for (name, size) in [
        (templates::A3_LANDSCAPE_MAP, "1190.55 x 841.89 pts (A3)"),
        (templates::A3_PORTRAIT_TABLE, "841.89 x 1190.55 pts (A3)"),
        (templates::A4_LANDSCAPE, "841.89 x 595.276 pts (A4)"),
    ] {
        let pdf = out.join(format!("{name}.pdf"));
        export_pdf(&mut e, templates::named(name).unwrap(), &pdf);
        let info = reader("pdfinfo", &[pdf.to_str().unwrap()]);
        assert!(info.contains(size), "{name}: {info}");
    }
    // 地図と一覧: the municipalities' table goes on over the pages, each code once, in
    // order (the map's labels name municipalities too, so rows are found by their code).
    let pdf = out.join(format!("{}.pdf", templates::A3_PORTRAIT_TABLE));
    let text = reader("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]);
    let codes: Vec<String> = text
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.len() == 5 && w.starts_with("29") && w.chars().all(|c| c.is_ascii_digit()))
        .map(String::from)
        .collect();
    let v: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("data/reference/N03-21_29_210101.geojson"),
        )
        .unwrap(),
    )
    .unwrap();
    let mut want: Vec<String> = v["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["properties"]["N03_007"].as_str().map(String::from))
        .filter(|c| !c.is_empty())
        .collect();
    want.sort();
    want.dedup();
    assert_eq!(codes, want);
    let info = reader("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("Pages:           2"), "{info}");
    // Saved under a new name with a new title, reopened: the same PDF, byte for byte.
    let mut mine = templates::named(templates::A4_LANDSCAPE).unwrap();
    mine.name = "天理市向け".into();
    if let Some(it) = mine.item_mut("タイトル") {
        it.kind = kenshin_atlas::layout::ItemKind::Title {
            text: "天理市の受診率".into(),
        };
    }
    mine.move_item(2, -30.0, -20.0);
    exec(&mut e, PrintCmd::SaveLayout(Box::new(mine.clone()))).unwrap();
    let reopened = match exec(
        &mut e,
        PrintCmd::OpenLayout {
            name: "天理市向け".into(),
        },
    )
    .unwrap()
    {
        PrintReply::Layout(l) => *l,
        r => panic!("{r:?}"),
    };
    assert_eq!(reopened, mine);
    let (a, b) = (out.join("a.pdf"), out.join("b.pdf"));
    export_pdf(&mut e, mine, &a);
    export_pdf(&mut e, reopened, &b);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(reader("pdftotext", &[a.to_str().unwrap(), "-"]).contains("天理市の受診率"));
    // A template's name cannot be taken.
    let mut t = templates::named(templates::A4_LANDSCAPE).unwrap();
    t.items.pop();
    let err = exec(&mut e, PrintCmd::SaveLayout(Box::new(t))).unwrap_err();
    assert!(err.contains("用意された型"), "{err}");
    match exec(&mut e, PrintCmd::Layouts).unwrap() {
        PrintReply::Layouts(v) => {
            assert_eq!(v.len(), 4);
            assert_eq!(v[3].name, "天理市向け");
            assert!(v[3].saved_at.is_some() && v[0].saved_at.is_none());
        }
        r => panic!("{r:?}"),
    }
}

#[test]
fn printing_hands_the_pdf_and_copies_to_the_print_command_and_needs_its_right() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let store = demo_store(root.path());
    let mut e = admin_engine(store, Box::new(SystemClock));
    user_with(&mut e, "insatsu", [Right::Print].into_iter().collect());
    user_with(&mut e, "miru", Default::default());
    drop(e);
    // The seam: a script that keeps the file it is given and its arguments.
    let spool = root.path().join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    let script = root.path().join("lp.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > {s}/args\nfor a in \"$@\"; do last=\"$a\"; done\ncp \"$last\" {s}/job.pdf\n",
            s = spool.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let print = |user: &str| {
        Proc::new(env!("CARGO_BIN_EXE_kenshin-atlas"))
            .arg("--data-dir")
            .arg(&data)
            .args(["--user", user])
            .env(
                "KENSHIN_PASSWORD",
                if user == ADMIN {
                    ADMIN_PASSWORD
                } else {
                    USER_PASSWORD
                },
            )
            .env(kenshin_atlas::os::print::COMMAND_ENV, &script)
            .args([
                "print",
                "--layout",
                templates::A3_LANDSCAPE_MAP,
                "--copies",
                "3",
            ])
            .output()
            .unwrap()
    };
    // Without 印刷: refused, nothing reaches the printer.
    let out = print("miru");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("印刷"),
        "{out:?}"
    );
    assert!(!spool.join("job.pdf").exists());
    // With it: the command gets the copies, the title and a one-page A3 PDF.
    let out = print("insatsu");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = std::fs::read_to_string(spool.join("args")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    // The A3 page asks CUPS for A3 paper.
    assert_eq!(
        &args[..6],
        [
            "-n",
            "3",
            "-t",
            templates::A3_LANDSCAPE_MAP,
            "-o",
            "media=A3"
        ]
    );
    let info = reader("pdfinfo", &[spool.join("job.pdf").to_str().unwrap()]);
    assert!(
        info.contains("Pages:           1") && info.contains("1190.55 x 841.89"),
        "{info}"
    );
    // The spooled copy was ours to remove.
    assert!(!Path::new(args[6]).exists(), "{}", args[6]);
    // Both logged: who, what, how many pages.
    let log = kenshin_atlas::audit::AuditLog::open(&data).unwrap();
    let entries: Vec<_> = log
        .entries()
        .unwrap()
        .into_iter()
        .filter(|x| x.action == Action::Print)
        .collect();
    assert!(
        entries
            .iter()
            .any(|x| x.user == "miru" && x.result == R::Denied)
    );
    let done = entries
        .iter()
        .find(|x| x.user == "insatsu" && x.result == R::Ok)
        .unwrap();
    assert_eq!(done.rows, Some(1));
    assert!(done.detail.contains("copies=3"), "{}", done.detail);
    // A default destination that writes files (CUPS-PDF, as `lpstat` beside the command
    // says) is refused before anything is spooled, and the refusal is logged; a laser
    // is used and named.
    let lpstat = |default: &str| {
        let path = root.path().join("lpstat");
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\ncase \"$1\" in\n-d) echo 'system default destination: {default}' ;;\n-v) echo 'device for PDF: cups-pdf:/'; echo 'device for A3-Laser: ipp://192.168.10.20/ipp/print' ;;\nesac\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
    };
    lpstat("PDF");
    std::fs::remove_file(spool.join("job.pdf")).unwrap();
    let out = print("insatsu");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("プリンタ「PDF」はファイルに書き出す"), "{err}");
    assert!(!spool.join("job.pdf").exists(), "nothing spooled");
    lpstat("A3-Laser");
    let out = print("insatsu");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(spool.join("job.pdf").exists());
    let entries: Vec<_> = log
        .entries()
        .unwrap()
        .into_iter()
        .filter(|x| x.action == Action::Print && x.user == "insatsu")
        .collect();
    assert!(
        entries
            .iter()
            .any(|x| x.result == R::Error && x.detail.contains("refused printer=PDF")),
        "{entries:?}"
    );
    let last = entries.last().unwrap();
    assert_eq!(last.result, R::Ok);
    assert!(
        last.detail.contains("printer=A3-Laser") && last.detail.contains("percent=100"),
        "{}",
        last.detail
    );
}

#[test]
fn the_recovery_key_page_holds_the_key_and_its_purpose_and_printing_it_needs_the_right() {
    use kenshin_atlas::app::domain::print::KeyPage;
    use kenshin_atlas::os::print::Pages;
    let dir = tempfile::tempdir().unwrap();
    // The key as the first-setup screen shows it: the whole identity file.
    let (mut e, shown) =
        super::common::admin_engine_with_recovery(demo_store(dir.path()), Box::new(SystemClock));
    let secret = shown
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .expect("the secret key line")
        .to_string();
    let page = KeyPage::new(&shown, "2026年11月27日").unwrap();
    let pdf = dir.path().join("key.pdf");
    std::fs::write(&pdf, page.pdf().unwrap()).unwrap();
    let info = reader("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    let text = reader("pdftotext", &[pdf.to_str().unwrap(), "-"]);
    // The secret key, over several lines, reads back whole and in order.
    let flat: String = text.split_whitespace().collect();
    assert!(flat.contains(&secret), "{secret} in {text}");
    for t in ["2026年11月27日", "復旧鍵", "age"] {
        assert!(text.contains(t), "{t} in {text}");
    }
    let (w, h, rgba) = page.raster(0, 50).unwrap();
    assert_eq!((w, h), (413, 585));
    assert!(rgba.chunks_exact(4).any(|p| p[0] < 100), "ink on the page");
    // Printed for real through the engine (the print command replaced in this process):
    // the spooled PDF holds the key, the private temporary file is gone, and the log
    // records the printing but not the key.
    let spool = dir.path().join("spool");
    std::fs::create_dir_all(&spool).unwrap();
    let script = dir.path().join("lp.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do last=\"$a\"; done\necho \"$last\" > {s}/path\ncp \"$last\" {s}/job.pdf\n",
            s = spool.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    kenshin_atlas::os::print::set_command(Some(script));
    let printed = exec(
        &mut e,
        PrintCmd::RecoveryKey {
            key: kenshin_atlas::app::Secret(shown.clone()),
            copies: 1,
        },
    );
    kenshin_atlas::os::print::set_command(None);
    assert!(
        matches!(printed, Ok(PrintReply::Printed { .. })),
        "{printed:?}"
    );
    let spooled = reader("pdftotext", &[spool.join("job.pdf").to_str().unwrap(), "-"]);
    let flat: String = spooled.split_whitespace().collect();
    assert!(flat.contains(&secret));
    let temp = std::fs::read_to_string(spool.join("path")).unwrap();
    assert!(!Path::new(temp.trim()).exists(), "{temp} removed");
    // Without 印刷: refused and logged.
    user_with(&mut e, "miru", Default::default());
    super::security::login(&mut e, "miru", USER_PASSWORD);
    let err = exec(
        &mut e,
        PrintCmd::RecoveryKey {
            key: kenshin_atlas::app::Secret(shown.clone()),
            copies: 1,
        },
    )
    .unwrap_err();
    assert!(err.contains("印刷"), "{err}");
    let entries = e.audit.entries().unwrap();
    assert!(entries.iter().any(|x| x.user == ADMIN
        && x.action == Action::Print
        && x.result == R::Ok
        && x.target == "復旧鍵"));
    assert!(entries.iter().any(|x| x.user == "miru"
        && x.action == Action::Print
        && x.result == R::Denied
        && x.target == "復旧鍵"));
    // Every file of the log, as written on disk: the key is in none.
    let files: Vec<_> = std::fs::read_dir(dir.path().join("data").join("audit"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    let log: String = files
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect();
    assert!(log.contains("復旧鍵"), "the printing is in the files read");
    assert!(!log.contains(&secret[..30]), "the key is not logged");
}
