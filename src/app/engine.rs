//! The engine behind every front end: the store, the audit log, the clock and the one
//! logged-in session. [`Engine::execute`] is the one dispatcher and the only way to run a
//! [`Command`]: it reads the command's [`Spec`] from its domain, passes the gate (session
//! alive, right held, export folder allowed; a refusal is logged), runs the domain's
//! handler, and writes the audit entry. The worker thread owns an engine for the window;
//! the CLI owns one for its process; tests drive one directly (with a test clock).
//!
//! One command runs as no user: the daily backup is the app's own routine
//! ([`Gate::System`]), logged as [`crate::audit::SYSTEM`] whoever is logged in.

use super::command::{Command, Outcome};
use super::domain::{Cx, Domain};
use super::error::AppError;
use super::spec::{Gate, Spec};
use crate::audit::{AuditLog, Draft};
use crate::auth::{AuthError, Clock, Security, Session};
use crate::job::Progress;
use crate::store::Store;

pub struct Engine {
    pub store: Store,
    pub audit: AuditLog,
    clock: Box<dyn Clock>,
    session: Option<Session>,
    search: crate::search::SearchCache,
    maps: crate::map::cache::MapCache,
}

impl Engine {
    /// Opens the store and the audit log of `data_dir`.
    pub fn open(data_dir: &std::path::Path, clock: Box<dyn Clock>) -> Result<Engine, AppError> {
        Engine::with_store(Store::open(data_dir)?, clock)
    }

    /// An engine over an open store (its audit log in the store's data folder).
    pub fn with_store(store: Store, clock: Box<dyn Clock>) -> Result<Engine, AppError> {
        let audit = AuditLog::open(store.data_dir())?;
        Ok(Engine {
            store,
            audit,
            clock,
            session: None,
            search: Default::default(),
            maps: Default::default(),
        })
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The account checks over this engine's store, log and clock.
    pub fn security(&self) -> Security<'_> {
        Security {
            conn: self.store.conn(),
            audit: &self.audit,
            clock: &*self.clock,
        }
    }

    /// Runs one command: routes it to its domain.
    pub fn execute(&mut self, command: impl Into<Command>, progress: &Progress) -> Outcome {
        let command = command.into();
        if command.may_change_data() {
            // Searches keep locations and layers in memory: never past a change.
            self.search.clear();
            self.maps.clear();
        }
        match command {
            Command::Account(c) => self.run(c, progress),
            Command::Admin(c) => self.run(c, progress),
            Command::Import(c) => self.run(c, progress),
            Command::Map(c) => self.run(c, progress),
            Command::Geocode(c) => self.run(c, progress),
            Command::Search(c) => self.run(c, progress),
            Command::Extract(c) => self.run(c, progress),
            Command::Mark(c) => self.run(c, progress),
            Command::Data(c) => self.run(c, progress),
            Command::Export(c) => self.run(c, progress),
            Command::Print(c) => self.run(c, progress),
        }
    }

    /// The gate, the handler and the audit entry of one command of domain `D`.
    fn run<D: Domain>(&mut self, command: D, progress: &Progress) -> Outcome
    where
        Outcome: From<D::Reply>,
    {
        let spec = command.spec();
        let mut slot = match spec.gate {
            Gate::Open => self.session.take(),
            Gate::System => None,
            Gate::Login | Gate::Right(_) => {
                let Some(mut s) = self.session.take() else {
                    return Outcome::SessionEnded(AuthError::NotLoggedIn.to_string());
                };
                match gate(&self.security(), &mut s, &spec) {
                    Ok(()) => Some(s),
                    Err(AuthError::ScreenLocked) => {
                        self.session = Some(s);
                        return Outcome::ScreenLocked;
                    }
                    Err(e @ (AuthError::SessionEnded(_) | AuthError::SessionExpired)) => {
                        return Outcome::SessionEnded(e.to_string());
                    }
                    Err(e) => {
                        self.session = Some(s);
                        return Outcome::Denied(e.to_string());
                    }
                }
            }
        };
        let actor = match spec.gate {
            Gate::System => Some(crate::audit::SYSTEM.to_string()),
            _ => slot.as_ref().map(|s| s.user_id.clone()),
        };
        let result = command.run(&mut Cx {
            store: &self.store,
            audit: &self.audit,
            clock: &*self.clock,
            session: &mut slot,
            progress,
            cache: &mut self.search,
            maps: &mut self.maps,
        });
        if spec.gate != Gate::System {
            self.session = slot;
        }
        if spec.logged
            && let Some(actor) = actor
        {
            let audited = match &result {
                Ok(reply) => D::audited(reply),
                Err(e) => Some(super::domain::Audited {
                    failed: true,
                    detail: D::failed_detail(e),
                    ..Default::default()
                }),
            };
            if let Some(a) = audited {
                let result = if a.failed {
                    crate::audit::Outcome::Error
                } else {
                    crate::audit::Outcome::Ok
                };
                let target = a.target.as_deref().unwrap_or(&spec.target);
                let mut d = Draft::new(&actor, spec.action, target, result);
                d.rows = a.rows;
                d.detail = a.detail;
                self.audit.record(d);
            }
        }
        match result {
            Ok(reply) => Outcome::from(reply),
            Err(AppError::Auth(AuthError::ScreenLocked)) => Outcome::ScreenLocked,
            Err(e) if e.ends_session() => {
                self.session = None;
                Outcome::SessionEnded(e.to_string())
            }
            Err(e) => Outcome::Failed(e),
        }
    }
}

/// The session holds the command's right (any logged-in user when it names none), and a
/// file written for use outside goes to an allowed folder. A refusal is logged by
/// [`Security`].
fn gate(sec: &Security, s: &mut Session, spec: &Spec) -> Result<(), AuthError> {
    match spec.gate {
        Gate::Right(r) => sec.require(s, r, spec.action, &spec.target)?,
        _ => sec.require_login(s, spec.action, &spec.target)?,
    }
    match &spec.export {
        Some(path) => sec.require_export(s, path),
        None => Ok(()),
    }
}
