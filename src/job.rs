//! Progress and cancellation for long jobs. A [`Progress`] is shared between the worker
//! running a job and whoever watches it (the UI, or the CLI's stderr). No UI types here.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Clone, Default)]
pub struct Progress {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancel: AtomicBool,
    state: Mutex<(f32, String)>,
}

impl Progress {
    pub fn new() -> Progress {
        Progress::default()
    }
    /// Sets the fraction done (0–1) and a short Japanese message.
    pub fn set(&self, fraction: f32, message: impl Into<String>) {
        if let Ok(mut s) = self.inner.state.lock() {
            *s = (fraction.clamp(0.0, 1.0), message.into());
        }
    }
    pub fn get(&self) -> (f32, String) {
        self.inner
            .state
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }
    /// Asks the job to stop at its next check.
    pub fn cancel(&self) {
        self.inner.cancel.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancel.load(Ordering::SeqCst)
    }
}
