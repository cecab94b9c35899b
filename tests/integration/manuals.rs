//! The manuals: every screen of the app has its chapter in `manuals/user/`, and every
//! picture a manual or the README shows exists (the pictures come from
//! `cargo test -- --ignored manual_screenshots`, see `screenshots.rs`).

use std::path::{Path, PathBuf};

use kenshin_atlas::ui::{LOGIN_CHAPTER, Screen};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files of the manuals, and the README.
fn documents() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let mut out = vec![root().join("README.md")];
    walk(&root().join("manuals"), &mut out);
    out.sort();
    out
}

/// The targets of `![alt](target)` in a Markdown text.
fn image_targets(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("![") {
        rest = &rest[i + 2..];
        let Some(close) = rest.find("](") else { break };
        let after = &rest[close + 2..];
        let Some(end) = after.find(')') else { break };
        out.push(after[..end].trim().to_string());
        rest = &after[end..];
    }
    out
}

#[test]
fn every_screen_has_its_chapter_in_the_user_manual() {
    let user = root().join("manuals").join("user");
    let index = std::fs::read_to_string(user.join("README.md")).unwrap();
    let chapters = Screen::ALL
        .iter()
        .map(|s| s.chapter())
        .chain(std::iter::once(LOGIN_CHAPTER));
    for chapter in chapters {
        let file = user.join(format!("{chapter}.md"));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|_| panic!("no chapter {} for a screen", file.display()));
        assert!(text.starts_with("# "), "{} has no title", file.display());
        assert!(
            index.contains(&format!("({chapter}.md)")),
            "manuals/user/README.md does not list {chapter}.md"
        );
    }
    for manual in ["admin.md", "operations.md", "failure.md"] {
        assert!(root().join("manuals").join(manual).exists(), "{manual}");
    }
}

#[test]
fn every_picture_a_manual_shows_exists() {
    let mut seen = 0;
    for doc in documents() {
        let text = std::fs::read_to_string(&doc).unwrap();
        for target in image_targets(&text) {
            let path = doc.parent().unwrap().join(&target);
            assert!(
                path.is_file(),
                "{} shows {target}, which does not exist (regenerate with `cargo test -- --ignored manual_screenshots`)",
                doc.display()
            );
            seen += 1;
        }
    }
    assert!(
        seen >= 8,
        "only {seen} pictures found: is the parser right?"
    );
    // The parser itself.
    assert_eq!(
        image_targets("a ![x](../images/a.png) b ![y]( b.png ) ![z"),
        vec!["../images/a.png", "b.png"]
    );
}
