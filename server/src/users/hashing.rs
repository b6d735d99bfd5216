//! Password hashing on threads of its own at the lowest CPU priority (Linux's SCHED_IDLE). argon2
//! is slow on purpose; on the shared blocking pool a login flood would take CPU time from every
//! other request. Here logins queue behind a few idle-priority threads, and an async worker that
//! wakes up preempts them at once: a flood slows logins, not `/me`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex};

use crate::sync::lock;

type Job = Box<dyn FnOnce() + Send>;

pub struct HashingPool {
    jobs: Mutex<Sender<Job>>,
}

impl HashingPool {
    /// One thread per CPU this process may run on, each at idle priority.
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
                    loop {
                        // The lock is held only while waiting, so the threads hash in parallel.
                        let Ok(job) = lock(&receiver).recv() else {
                            return; // the pool, the only sender, is gone
                        };
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

/// SCHED_IDLE for the calling thread only (pid 0 is the calling thread). Unlike nice 19, the
/// scheduler preempts a SCHED_IDLE thread as soon as a normal one wakes, so a request never
/// waits out a hashing time slice. Elsewhere than Linux the threads keep the normal priority.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: a plain system call on the calling thread; `param` outlives it.
        let failed = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } != 0;
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
    async fn hashing_threads_run_at_idle_priority() {
        let pool = HashingPool::new().unwrap();
        // SAFETY: reads the calling thread's own policy.
        let policy = pool.run(|| unsafe { libc::sched_getscheduler(0) }).await;
        assert_eq!(policy, Some(libc::SCHED_IDLE));
        let here = unsafe { libc::sched_getscheduler(0) };
        assert_eq!(
            here,
            libc::SCHED_OTHER,
            "the async workers keep the normal priority"
        );
    }
}
