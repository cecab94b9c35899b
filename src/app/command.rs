//! What a front end (the window, the command line, a test) can ask of the engine, and what
//! comes back. A command belongs to a domain (`super::domain`); the domain declares each
//! of its commands' gate (the right), audit action and target, label and handler in one
//! place, and [`super::Engine::execute`] is the one dispatcher.

use super::domain::accounts::{AccountCmd, AccountReply};
use super::domain::admin::{AdminCmd, AdminReply};
use super::domain::data::{DataCmd, DataReply};
use super::domain::export::{ExportCmd, ExportReply};
use super::domain::extract::{ExtractCmd, ExtractReply};
use super::domain::geocode::{GeocodeCmd, GeocodeReply};
use super::domain::imports::{ImportCmd, ImportReply};
use super::domain::maps::{MapCmd, MapReply};
use super::domain::marks::{MarkCmd, MarkReply};
use super::domain::print::{PrintCmd, PrintReply};
use super::domain::search::{SearchCmd, SearchReply};
use super::error::AppError;
pub use super::spec::{Gate, Secret, SessionInfo, Spec};

/// A command, by domain. Analysis and export come as domains of their own.
#[derive(Debug, Clone)]
pub enum Command {
    /// Login, logout, unlock, password, the session's state, one's own preferences.
    Account(AccountCmd),
    /// Users, groups, settings, the usage log and its export, backups.
    Admin(AdminCmd),
    /// Files, previews, user tables, rejects, counts, the first-start demo.
    Import(ImportCmd),
    /// Layers, uptake per area, institutions, insured points, saved maps, map images.
    Map(MapCmd),
    /// Address matching.
    Geocode(GeocodeCmd),
    /// Searches, saved searches, nearest institutions, 場所移動.
    Search(SearchCmd),
    /// Extraction lists: made from searches, opened, combined.
    Extract(ExtractCmd),
    /// Marks on insured persons (除外, 勧奨対象) with reasons, and their history.
    Mark(MarkCmd),
    /// The data browser: rows viewed, added, edited, deleted by hand, and their history.
    Data(DataCmd),
    /// 出力: results as files (tables, maps, layers, slides), the atlas.
    Export(ExportCmd),
    /// 印刷: print layouts, their pages as files, printing.
    Print(PrintCmd),
}

macro_rules! domain_into {
    ($($cmd:ident => $variant:ident / $reply:ident),* $(,)?) => {$(
        impl From<$cmd> for Command {
            fn from(c: $cmd) -> Command {
                Command::$variant(c)
            }
        }
        impl From<$reply> for Outcome {
            fn from(r: $reply) -> Outcome {
                Outcome::$variant(r)
            }
        }
    )*};
}

domain_into! {
    AccountCmd => Account / AccountReply,
    AdminCmd => Admin / AdminReply,
    ImportCmd => Import / ImportReply,
    MapCmd => Map / MapReply,
    GeocodeCmd => Geocode / GeocodeReply,
    SearchCmd => Search / SearchReply,
    ExtractCmd => Extract / ExtractReply,
    MarkCmd => Mark / MarkReply,
    DataCmd => Data / DataReply,
    ExportCmd => Export / ExportReply,
    PrintCmd => Print / PrintReply,
}

impl Command {
    /// The command's gate, audit entry and label, as its domain declares them.
    pub fn spec(&self) -> Spec {
        match self {
            Command::Account(c) => super::domain::Domain::spec(c),
            Command::Admin(c) => super::domain::Domain::spec(c),
            Command::Import(c) => super::domain::Domain::spec(c),
            Command::Map(c) => super::domain::Domain::spec(c),
            Command::Geocode(c) => super::domain::Domain::spec(c),
            Command::Search(c) => super::domain::Domain::spec(c),
            Command::Extract(c) => super::domain::Domain::spec(c),
            Command::Mark(c) => super::domain::Domain::spec(c),
            Command::Data(c) => super::domain::Domain::spec(c),
            Command::Export(c) => super::domain::Domain::spec(c),
            Command::Print(c) => super::domain::Domain::spec(c),
        }
    }

    /// Whether the command may change what searches read (data, locations, layers, or
    /// anything an administrator does, restores included).
    pub fn may_change_data(&self) -> bool {
        match self {
            Command::Import(_) | Command::Geocode(_) | Command::Admin(_) => true,
            Command::Data(d) => matches!(
                d,
                DataCmd::Add { .. } | DataCmd::Edit { .. } | DataCmd::Delete { .. }
            ),
            Command::Map(m) => matches!(
                m,
                MapCmd::ImportLayer { .. } | MapCmd::DeleteLayer { .. } | MapCmd::LoadMap
            ),
            Command::Account(_)
            | Command::Search(_)
            | Command::Extract(_)
            | Command::Mark(_)
            | Command::Export(_)
            | Command::Print(_) => false,
        }
    }

    /// A short Japanese label for progress displays.
    pub fn label(&self) -> &'static str {
        self.spec().label
    }
}

/// The answer to a command: its domain's reply, or why it did not run.
#[derive(Debug)]
pub enum Outcome {
    Account(AccountReply),
    Admin(AdminReply),
    Import(ImportReply),
    Map(MapReply),
    Geocode(GeocodeReply),
    Search(SearchReply),
    Extract(ExtractReply),
    Mark(MarkReply),
    Data(DataReply),
    Export(ExportReply),
    Print(PrintReply),
    /// Refused for a missing right or folder (the refusal is logged).
    Denied(String),
    /// The session is idle-locked: the screen asks for the password.
    ScreenLocked,
    /// The session is over (suspended, 12 h, reset, logged out elsewhere): back to the
    /// login screen.
    SessionEnded(String),
    /// The command ran and failed; the message (and place in a file) are the error's.
    Failed(AppError),
}

impl Outcome {
    /// The message of a refusal or failure, if the outcome is one.
    pub fn problem(&self) -> Option<String> {
        match self {
            Outcome::Denied(m) | Outcome::SessionEnded(m) => Some(m.clone()),
            Outcome::ScreenLocked => Some(crate::auth::AuthError::ScreenLocked.to_string()),
            Outcome::Failed(e) => Some(e.to_string()),
            _ => None,
        }
    }
}
