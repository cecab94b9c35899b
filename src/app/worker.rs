//! The background worker: one thread owns the [`Store`](crate::store::Store) and runs commands in order. The UI
//! submits a command, gets a [`Progress`] to show and cancel, and polls for results without
//! ever blocking a frame.

use std::path::PathBuf;
use std::thread;

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::command::{Command, Outcome};
use super::engine::Engine;
use super::error::AppError;
use crate::auth::SystemClock;
use crate::job::Progress;

pub type JobId = u64;

#[derive(Debug)]
pub enum Event {
    Finished { job: JobId, outcome: Outcome },
}

struct Job {
    id: JobId,
    command: Command,
    progress: Progress,
}

pub struct Worker {
    tx: Sender<Job>,
    rx: Receiver<Event>,
    next: JobId,
}

impl Worker {
    /// Starts the worker thread on `data_dir`. `notify` is called after each result (the UI
    /// passes a repaint request).
    pub fn start(data_dir: PathBuf, notify: impl Fn() + Send + 'static) -> Worker {
        let (tx, jobs) = unbounded::<Job>();
        let (events, rx) = unbounded::<Event>();
        thread::Builder::new()
            .name("kenshin-worker".into())
            .spawn(move || {
                let mut engine =
                    Engine::open(&data_dir, Box::new(SystemClock)).map_err(|e| e.to_string());
                for job in jobs {
                    let outcome = match &mut engine {
                        Ok(engine) => engine.execute(job.command, &job.progress),
                        Err(e) => Outcome::Failed(AppError::Unavailable(e.clone())),
                    };
                    if events
                        .send(Event::Finished {
                            job: job.id,
                            outcome,
                        })
                        .is_err()
                    {
                        break;
                    }
                    notify();
                }
            })
            .ok();
        Worker { tx, rx, next: 1 }
    }

    /// Queues a command; returns its id and its progress handle.
    pub fn submit(&mut self, command: impl Into<Command>) -> (JobId, Progress) {
        let command = command.into();
        let id = self.next;
        self.next += 1;
        let progress = Progress::new();
        progress.set(0.0, command.label());
        let _ = self.tx.send(Job {
            id,
            command,
            progress: progress.clone(),
        });
        (id, progress)
    }

    /// Results that have arrived, without waiting.
    pub fn poll(&self) -> Vec<Event> {
        self.rx.try_iter().collect()
    }

    /// Waits for the next result (for tests and the CLI).
    pub fn wait(&self) -> Option<Event> {
        self.rx.recv().ok()
    }
}
