//! A folder browser for picking files without a native dialog: a folder row (typed path,
//! 上へ) and a scrolled list of subfolders (click to enter) and the files with the wanted
//! extensions, each drawn by the caller (a checkbox for several, a selectable label for
//! one). Used by 取込 and レイヤの取込.

use std::path::{Path, PathBuf};

use eframe::egui;

/// The folder shown, the text of its path field, and its listing (read again when the
/// folder changes or after [`RELIST_SECS`], not every frame).
pub struct Folder {
    pub dir: PathBuf,
    pub text: String,
    listing: Option<(std::time::Instant, Vec<PathBuf>, Vec<PathBuf>)>,
}

const RELIST_SECS: u64 = 3;

impl Folder {
    pub fn new(dir: PathBuf) -> Folder {
        Folder {
            text: dir.display().to_string(),
            dir,
            listing: None,
        }
    }

    fn enter(&mut self, dir: PathBuf) {
        self.text = dir.display().to_string();
        self.dir = dir;
        self.listing = None;
    }

    fn listed(&mut self, exts: &[&str]) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let fresh = self
            .listing
            .as_ref()
            .is_some_and(|(at, _, _)| at.elapsed().as_secs() < RELIST_SECS);
        if !fresh {
            let (d, f) = list_dir(&self.dir, exts);
            self.listing = Some((std::time::Instant::now(), d, f));
        }
        self.listing
            .as_ref()
            .map(|(_, d, f)| (d.clone(), f.clone()))
            .unwrap_or_default()
    }
}

/// The folders and the files with one of `exts` (lower case) in `dir`, sorted.
fn list_dir(dir: &Path, exts: &[&str]) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x.to_ascii_lowercase().as_str()))
            {
                files.push(p);
            }
        }
    }
    dirs.sort();
    files.sort();
    (dirs, files)
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Draws the browser; `file_row(ui, path, name)` draws each file.
pub(crate) fn folder_ui(
    ui: &mut egui::Ui,
    f: &mut Folder,
    exts: &[&str],
    id_salt: &str,
    max_height: f32,
    mut file_row: impl FnMut(&mut egui::Ui, &Path, &str),
) {
    ui.horizontal(|ui| {
        let lbl = ui.label("フォルダ");
        if ui
            .text_edit_singleline(&mut f.text)
            .labelled_by(lbl.id)
            .lost_focus()
        {
            let typed = PathBuf::from(&f.text);
            f.enter(typed);
        }
        if ui.button("上へ").clicked()
            && let Some(parent) = f.dir.parent()
        {
            let parent = parent.to_path_buf();
            f.enter(parent);
        }
    });
    let (dirs, files) = f.listed(exts);
    egui::ScrollArea::vertical()
        .id_salt(id_salt)
        .max_height(max_height)
        .show(ui, |ui| {
            for d in dirs {
                if ui.link(format!("［フォルダ］{}", name_of(&d))).clicked() {
                    f.enter(d);
                }
            }
            for file in files {
                file_row(ui, &file, &name_of(&file));
            }
        });
}
