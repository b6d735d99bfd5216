//! Reads that go to Redis together. Every session `/me` reads its row with one `GET`; sent one
//! by one, each costs authlens a write to Redis's socket and a read of the reply (and each write
//! wakes the other core), which is most of what a Redis-backed request costs the server. Here
//! the reads of the requests that are ready to run at the same moment go out as one pipeline:
//! one write and one read for all of them, each request still getting its own answer.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::RedisLink;
use crate::storage::StoreError;

/// The most reads sent in one pipeline.
const MAX_BATCH: usize = 128;

type Answer = Result<Option<String>, StoreError>;

struct Read {
    key: String,
    answer: oneshot::Sender<Answer>,
}

/// Hands `GET`s to a task that sends them to Redis in batches. The task ends when this is
/// dropped.
pub struct BatchedReads {
    queue: mpsc::UnboundedSender<Read>,
}

impl BatchedReads {
    /// Starts the batching task on the current tokio runtime.
    pub fn new(link: Arc<RedisLink>) -> Self {
        let (queue, reads) = mpsc::unbounded_channel();
        tokio::spawn(send_batches(link, reads));
        BatchedReads { queue }
    }

    /// The value at `key`, read in the next batch.
    pub async fn get(&self, key: String) -> Answer {
        let (answer, answered) = oneshot::channel();
        let sent = self.queue.send(Read { key, answer });
        match sent {
            Ok(()) => answered.await.unwrap_or_else(|_| Err(stopped())),
            Err(_) => Err(stopped()),
        }
    }
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the Redis read queue has stopped".to_owned())
}

async fn send_batches(link: Arc<RedisLink>, mut reads: mpsc::UnboundedReceiver<Read>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while reads.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Let every request that is ready to run queue its read first: the first read woke
        // this task, and without yielding it would go out alone.
        tokio::task::yield_now().await;
        while batch.len() < MAX_BATCH {
            match reads.try_recv() {
                Ok(read) => batch.push(read),
                Err(_) => break,
            }
        }
        let mut pipeline = redis::pipe();
        for read in &batch {
            pipeline.cmd("GET").arg(&read.key);
        }
        let values: Result<Vec<Option<String>>, StoreError> = link.pipeline(&pipeline).await;
        match values {
            Ok(values) if values.len() == batch.len() => {
                for (read, value) in batch.drain(..).zip(values) {
                    // A request that gave up (timed out) no longer waits for its answer.
                    let _ = read.answer.send(Ok(value));
                }
            }
            Ok(values) => {
                let err = StoreError::Corrupt(format!(
                    "Redis answered {} values to {} reads",
                    values.len(),
                    batch.len()
                ));
                answer_all(&mut batch, &err);
            }
            Err(err) => answer_all(&mut batch, &err),
        }
    }
}

fn answer_all(batch: &mut Vec<Read>, err: &StoreError) {
    for read in batch.drain(..) {
        let _ = read.answer.send(Err(err.clone()));
    }
}
