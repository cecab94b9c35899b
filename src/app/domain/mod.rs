//! The command domains. Each module holds one domain's command enum and reply enum, and
//! implements [`Domain`] for it: [`Domain::spec`] declares every command's gate (right),
//! audit action and target, label and whether it is logged; [`Domain::run`] is its
//! handler; [`Domain::audited`] says what the audit entry records of a reply. Adding a
//! command touches its domain module and the screen that sends it, nothing else.

pub mod accounts;
pub mod admin;
pub mod data;
pub mod export;
pub mod extract;
pub mod geocode;
pub mod imports;
pub mod maps;
pub mod marks;
pub mod print;
pub mod search;

use super::error::AppError;
use super::spec::Spec;
use crate::audit::AuditLog;
use crate::auth::{AuthError, Clock, Security, Session};
use crate::job::Progress;
use crate::store::Store;

/// One domain's commands.
pub trait Domain: Sized {
    type Reply;

    /// The gate, audit entry and label of this command.
    fn spec(&self) -> Spec;

    /// Runs the command. The engine has passed its gate: for [`super::spec::Gate::Login`]
    /// and [`super::spec::Gate::Right`] the session in `cx` is alive and holds the right.
    fn run(self, cx: &mut Cx<'_>) -> Result<Self::Reply, AppError>;

    /// What the audit entry of a logged command records of its reply; `None` writes no
    /// entry (the command did nothing worth one). Default: done, no row count.
    fn audited(_reply: &Self::Reply) -> Option<Audited> {
        Some(Audited::default())
    }

    /// What the audit entry of a failed command records of its error. Default: nothing (an
    /// error message may quote the data it failed on).
    fn failed_detail(_error: &crate::app::AppError) -> String {
        String::new()
    }
}

/// The result, row count, note and (when the reply knows it better than the spec) the
/// target of an audit entry.
#[derive(Debug, Clone, Default)]
pub struct Audited {
    pub failed: bool,
    pub rows: Option<u64>,
    pub detail: String,
    pub target: Option<String>,
}

impl Audited {
    pub fn rows(n: u64) -> Audited {
        Audited {
            rows: Some(n),
            ..Default::default()
        }
    }
}

/// What a handler works with.
pub struct Cx<'a> {
    pub store: &'a Store,
    pub audit: &'a AuditLog,
    pub clock: &'a dyn Clock,
    /// The engine's session. The account domain logs in and out through it; for any
    /// other command it is the session that passed the gate (`None` for the system).
    pub session: &'a mut Option<Session>,
    pub progress: &'a Progress,
    /// What searches keep between commands (dropped after any command that may change
    /// data).
    pub cache: &'a mut crate::search::SearchCache,
    /// The map's layers and institutions, kept like `cache` (the print preview draws them
    /// after each edit).
    pub maps: &'a mut crate::map::cache::MapCache,
}

impl<'a> Cx<'a> {
    /// Refuses unless the session also holds `right` (for a command gated by another
    /// right whose answer would show personal data: 編集 of marks, rows, list members).
    pub fn also(&self, right: crate::auth::Right) -> Result<(), AppError> {
        if self.has(right) {
            Ok(())
        } else {
            Err(AuthError::Denied(right).into())
        }
    }

    /// Whether the session holds `right`.
    pub fn has(&self, right: crate::auth::Right) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.rights.contains(&right))
    }

    /// The logged-in user's id (empty for the system).
    pub fn user(&self) -> String {
        self.session
            .as_ref()
            .map(|s| s.user_id.clone())
            .unwrap_or_default()
    }

    pub fn sec(&self) -> Security<'a> {
        Security {
            conn: self.store.conn(),
            audit: self.audit,
            clock: self.clock,
        }
    }

    /// The account checks and the logged-in session.
    pub fn parts(&mut self) -> Result<(Security<'a>, &mut Session), AppError> {
        let sec = self.sec();
        match self.session.as_mut() {
            Some(s) => Ok((sec, s)),
            None => Err(AuthError::NotLoggedIn.into()),
        }
    }
}
