//! Rules of the code base that a test can check.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// egui/eframe may be used only in src/ui/ and src/main.rs.
#[test]
fn egui_only_in_ui() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(files.len() > 20);
    let mut leaks = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.starts_with("ui/") || rel == "main.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        if text.contains("egui::")
            || text.contains("eframe::")
            || text.lines().any(|l| {
                l.trim_start().starts_with("use egui") || l.trim_start().starts_with("use eframe")
            })
        {
            leaks.push(rel);
        }
    }
    assert!(
        leaks.is_empty(),
        "egui/eframe used outside src/ui: {leaks:?}"
    );
}

/// No network client crate in the dependency tree: the system is standalone.
#[test]
fn no_network_crates() {
    let lock =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock")).unwrap();
    for name in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "isahc",
        "surf",
        "attohttpc",
        "tokio-tungstenite",
        "object_store",
    ] {
        assert!(
            !lock.contains(&format!("name = \"{name}\"")),
            "{name} is in Cargo.lock"
        );
    }
}

/// Every character of a string the code shows (string literals outside test modules) is
/// one the bundled Japanese font can draw: an emoji or a symbol it lacks is an empty box
/// on screen and on paper, and a panic in a debug build of the window.
#[test]
fn every_shown_character_is_in_the_bundled_font() {
    let font = kenshin_atlas::paint::text::TextPainter::new().unwrap();
    // The app and the parsers' crate (whose errors the user reads too).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    rust_files(&root.join("crates/parse/src"), &mut files);
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("crates/parse/src/layers/place.rs"))
    );
    let mut missing = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        // Test modules come last in a file; their strings are data, not shown.
        let shown = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in shown.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            let mut inside = false;
            let mut prev = ' ';
            for c in line.chars() {
                if c == '"' && prev != '\\' && prev != '\'' {
                    inside = !inside;
                } else if inside && !c.is_ascii() && !font.has_glyph(c) {
                    missing.push(format!("{}:{}: {c:?}", f.display(), n + 1));
                }
                prev = c;
            }
        }
    }
    assert!(missing.is_empty(), "not in the bundled font: {missing:#?}");
    // The check itself.
    assert!(font.has_glyph('受') && font.has_glyph('▲') && !font.has_glyph('📁'));
}
