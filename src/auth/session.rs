//! A logged-in session and the clock it runs on. The screen locks after an idle time
//! (default 15 minutes, settable); re-entering the password resumes the same session. A
//! session lasts at most 12 hours. Suspending a user or resetting their password bumps
//! their epoch in the database, which ends their session at its next check.

use std::collections::BTreeSet;
use std::sync::Mutex;

use super::rights::Right;

/// Seconds since the Unix epoch, UTC. Injectable so that tests can move time.
pub trait Clock: Send + Sync {
    fn now(&self) -> i64;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// A clock tests set and advance.
#[derive(Debug)]
pub struct TestClock(Mutex<i64>);

impl TestClock {
    pub fn new(start: i64) -> TestClock {
        TestClock(Mutex::new(start))
    }
    pub fn advance(&self, secs: i64) {
        if let Ok(mut t) = self.0.lock() {
            *t += secs;
        }
    }
}

impl Clock for TestClock {
    fn now(&self) -> i64 {
        self.0.lock().map(|t| *t).unwrap_or(0)
    }
}

pub const DEFAULT_IDLE_MINUTES: i64 = 15;
pub const MAX_SESSION_SECS: i64 = 12 * 3600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: String,
    /// Effective rights at login (user ∪ groups).
    pub rights: BTreeSet<Right>,
    /// An initial password must be changed before anything else.
    pub must_change_password: bool,
    pub started_at: i64,
    pub last_activity: i64,
    /// The user's epoch at login; a different epoch in the database ends the session.
    pub epoch: i64,
    /// The screen is locked (idle); the password resumes it.
    pub locked: bool,
}

/// Why a session cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    Active,
    /// Idle too long: locked until the password is entered again.
    IdleLocked,
    /// Past 12 hours: log in again.
    Expired,
    /// Suspended, password reset, deleted or expired account: ended at once.
    Ended(String),
}

impl Session {
    /// The state at `now` for an idle limit (the database part is checked by
    /// `accounts::check_session`).
    pub fn timing(&self, now: i64, idle_minutes: i64) -> SessionState {
        if now - self.started_at >= MAX_SESSION_SECS {
            SessionState::Expired
        } else if self.locked || now - self.last_activity >= idle_minutes * 60 {
            SessionState::IdleLocked
        } else {
            SessionState::Active
        }
    }
}

/// The local calendar day of `now` (seconds since the Unix epoch), "YYYY-MM-DD": what a
/// usage period's last day is compared with.
pub fn local_day(now: i64) -> String {
    chrono::DateTime::from_timestamp(now, 0)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .format("%Y-%m-%d")
                .to_string()
        })
        .unwrap_or_default()
}
