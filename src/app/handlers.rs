//! The commands on the data (import, map, geocode, first start), run against the store
//! once [`super::engine`] has checked the session and the right. Nothing here checks a
//! right or writes the audit log: the engine's gate does both.

use super::command::{Command, Outcome};
use super::first_start;
use crate::import::{import_file, import_user_table, preview, profile};
use crate::job::Progress;
use crate::store::Store;

/// Runs one command against the store, unchecked: only [`Engine::execute`] calls it,
/// after the session and the right were checked.
pub(super) fn run(store: &Store, command: Command, progress: &Progress) -> Outcome {
    let failed = |e: &dyn std::fmt::Display| Outcome::Failed(e.to_string());
    match command {
        Command::EnsureDemo => match first_start::ensure_demo(store, progress) {
            Ok(Some(reports)) => Outcome::DemoReady {
                imported: reports.len(),
                message: format!("デモデータ {} ファイルを取り込みました", reports.len()),
            },
            Ok(None) => Outcome::DemoReady {
                imported: 0,
                message: "データは取込済みです".into(),
            },
            Err(e) => failed(&e),
        },
        Command::Preview { file, opts } => {
            match preview(&file, &opts, &profile::profiles_dir(store.data_dir())) {
                Ok(p) => Outcome::Preview(Box::new(p)),
                Err(e) => failed(&e),
            }
        }
        Command::Import { files, opts } => {
            let mut reports = Vec::new();
            for file in &files {
                if progress.is_cancelled() {
                    break;
                }
                // The fraction restarts for each file; the message names the file.
                match import_file(store, file, &opts, progress) {
                    Ok(r) => reports.push(r),
                    Err(e) => return failed(&e),
                }
            }
            let tables: Vec<&str> = reports
                .iter()
                .filter(|r| r.is_success())
                .filter_map(|r| r.table)
                .collect();
            let geocode = crate::geocode::after_import(store, &tables, progress)
                .map(|r| r.map_err(|e| e.to_string()));
            Outcome::Imported { reports, geocode }
        }
        Command::Geocode => match crate::geocode::run(store, &Default::default(), progress) {
            Ok(r) => Outcome::Geocoded(r),
            Err(e) => failed(&e),
        },
        Command::GeocodeStatus => match crate::geocode::report(store.conn()) {
            Ok(r) => Outcome::Geocoded(r),
            Err(e) => failed(&e),
        },
        Command::Unmatched { limit } => match crate::geocode::unmatched(store.conn(), limit) {
            Ok(rows) => Outcome::Unmatched(rows),
            Err(e) => failed(&e),
        },
        Command::ImportTable { file, opts } => {
            match import_user_table(store, &file, &opts, progress) {
                Ok(r) => Outcome::TableImported(r),
                Err(e) => failed(&e),
            }
        }
        Command::Stats => match store.stats() {
            Ok(s) => Outcome::Stats(Box::new(s)),
            Err(e) => failed(&e),
        },
        Command::LoadMap => match crate::map::load_layers(store, &crate::paths::reference_dir()) {
            Ok(layers) => Outcome::MapLayers(layers),
            Err(e) => failed(&e),
        },
        Command::RenderMap { spec, out } => {
            match crate::render::export::write_map_png(store, &spec, &out) {
                Ok(zoom) => Outcome::MapRendered { path: out, zoom },
                Err(e) => failed(&e),
            }
        }
        Command::Facilities { fy } => match crate::map::facilities::load_placed(store.conn(), fy) {
            Ok(list) => Outcome::Facilities(std::sync::Arc::new(
                crate::map::facilities::FacilityLayer::new(fy, list),
            )),
            Err(e) => failed(&e),
        },
        Command::InsuredPoints { fy } => {
            match crate::map::insured::InsuredPoints::load(store.conn(), fy) {
                Ok(p) => Outcome::InsuredPoints {
                    fy,
                    points: std::sync::Arc::new(p),
                },
                Err(e) => failed(&e),
            }
        }
        Command::ImportLayer { file, opts } => {
            use crate::layers::LayerError;
            let r = crate::layers::import_layer(store, &file, &opts);
            let (needs_crs, guess) = match &r {
                Err(LayerError::NoCrs { guess, .. }) => (true, guess.as_ref().map(|g| g.0)),
                Err(LayerError::Coordinates {
                    suggest: Some(c), ..
                }) => (true, Some(*c)),
                _ => (false, None),
            };
            Outcome::LayerImported {
                file,
                result: r.map_err(|e| e.to_string()),
                needs_crs,
                guess,
            }
        }
        Command::SaveMap { name, doc } => {
            use crate::map::document;
            match document::save(store.conn(), &name, &doc)
                .and_then(|_| document::list(store.conn()))
            {
                Ok(list) => Outcome::SavedMaps(list),
                Err(e) => failed(&e),
            }
        }
        Command::ListMaps => match crate::map::document::list(store.conn()) {
            Ok(list) => Outcome::SavedMaps(list),
            Err(e) => failed(&e),
        },
        Command::OpenMap { name } => match crate::map::document::load(store.conn(), &name) {
            Ok(doc) => Outcome::MapOpened {
                name,
                doc: Box::new(doc),
            },
            Err(e) => failed(&e),
        },
        Command::DeleteMap { name } => {
            use crate::map::document;
            match document::delete(store.conn(), &name).and_then(|_| document::list(store.conn())) {
                Ok(list) => Outcome::SavedMaps(list),
                Err(e) => failed(&e),
            }
        }
        Command::AuthStatus
        | Command::Setup { .. }
        | Command::Login { .. }
        | Command::Resume { .. }
        | Command::ChangePassword { .. }
        | Command::Logout
        | Command::CheckSession
        | Command::Touch
        | Command::Users { .. }
        | Command::Groups
        | Command::AllowList
        | Command::Settings
        | Command::Admin(_)
        | Command::AuditLog(_)
        | Command::Backup
        | Command::RenewRecoveryKey
        | Command::SetPreference { .. }
        | Command::ScheduledBackup
        | Command::ExportAudit { .. }
        | Command::Uptake { .. }
        | Command::AreaUptake { .. } => {
            Outcome::Failed("内部エラー: 利用者の操作と集計は Engine が扱います".into())
        }
        Command::Rejects { import_id } => match store.rejects(import_id) {
            Ok(rejects) => Outcome::Rejects { import_id, rejects },
            Err(e) => failed(&e),
        },
    }
}
