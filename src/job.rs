//! Progress and cancellation for long jobs. A [`Progress`] is shared between the worker
//! running a job and whoever watches it (the UI, or the CLI's stderr). No UI types here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

#[derive(Clone, Default)]
pub struct Progress {
    inner: Arc<Inner>,
}

/// A condition on a reported state that cancels the job ([`Progress::cancel_when`]).
type CancelWhen = Box<dyn Fn(f32, &str) -> bool + Send + Sync>;

#[derive(Default)]
struct Inner {
    cancel: AtomicBool,
    state: Mutex<(f32, String)>,
    cancel_when: OnceLock<CancelWhen>,
}

impl Progress {
    pub fn new() -> Progress {
        Progress::default()
    }
    /// Sets the fraction done (0–1) and a short Japanese message.
    pub fn set(&self, fraction: f32, message: impl Into<String>) {
        let fraction = fraction.clamp(0.0, 1.0);
        let message = message.into();
        if let Some(when) = self.inner.cancel_when.get()
            && when(fraction, &message)
        {
            self.cancel();
        }
        if let Ok(mut s) = self.inner.state.lock() {
            *s = (fraction, message);
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
    /// Cancels the job as soon as it reports a state (fraction, message) for which `when`
    /// holds: a stop at a chosen point of the work, not at a time (tests cancel an import
    /// after its first rows were written this way). Only the first condition set counts.
    pub fn cancel_when(&self, when: impl Fn(f32, &str) -> bool + Send + Sync + 'static) {
        let _ = self.inner.cancel_when.set(Box::new(when));
    }
}
