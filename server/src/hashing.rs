//! Password hashing on threads of its own at the lowest CPU priority (nice 19). argon2 is slow on
//! purpose; on the shared blocking pool a login flood would take CPU time from every other
//! request. Here logins queue behind a few low-priority threads and the async workers always
//! win the CPU: a flood slows logins, never `/me`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

use crate::store::memory::lock;

type Job = Box<dyn FnOnce() + Send>;

pub struct HashingPool {
    jobs: Mutex<Sender<Job>>,
}

impl HashingPool {
    /// One thread per CPU this process may run on, each at nice 19.
    pub fn new() -> anyhow::Result<Self> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let (sender, receiver) = channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || {
                    lower_this_threads_priority();
                    // Ends when the pool (the only sender) is dropped.
                    while let Ok(job) = lock(&receiver).recv() {
                        // A panicking job loses its answer (the caller sees None), not the thread.
                        let _ = catch_unwind(AssertUnwindSafe(job));
                    }
                })?;
        }
        Ok(HashingPool {
            jobs: Mutex::new(sender),
        })
    }

    /// Runs `work` on a hashing thread; `None` if it panicked.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (done, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        lock(&self.jobs).send(job).ok()?;
        answer.await.ok()
    }
}

/// nice 19 for the calling thread only: on Linux, setpriority with a thread id applies to that
/// thread. Elsewhere the threads keep the normal priority.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on the calling thread's own id; no memory is shared.
        let failed =
            unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 19) } != 0;
        if failed {
            tracing::warn!("could not lower the password-hashing thread's priority");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_and_a_panic_loses_only_its_own_answer() {
        let pool = HashingPool::new().unwrap();
        assert_eq!(pool.run(|| 6 * 7).await, Some(42));
        assert_eq!(pool.run(|| -> u8 { panic!("boom") }).await, None);
        assert_eq!(pool.run(|| "still working").await, Some("still working"));
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_threads_run_at_nice_19() {
        let pool = HashingPool::new().unwrap();
        let nice = pool
            .run(|| unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) })
            .await;
        assert_eq!(nice, Some(19));
    }
}
