//! The connection to Redis shared by the session store and the refresh-token store.
//!
//! authlens starts whether or not Redis is up: the connection is opened on first use, and
//! while Redis is unreachable every store call fails fast with [`StoreError::Unavailable`]
//! (answered 503) instead of hanging. Once open, redis-rs's `ConnectionManager` reconnects by
//! itself after Redis restarts.

mod batch;
mod sessions;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, Pipeline, RedisError, Script, ScriptInvocation};
use tokio::sync::OnceCell;

use batch::BatchedReads;
pub use sessions::RedisSessionStore;

use super::StoreError;
use crate::store::memory::lock;

/// After a failed connect, calls fail at once for this long before the next attempt.
const RETRY_CONNECT_AFTER: Duration = Duration::from_millis(250);

pub struct RedisLink {
    client: redis::Client,
    /// Prepended to every key, so several authlens (or tests) can share one Redis.
    prefix: String,
    /// Bound on any one store call, connecting included.
    timeout: Duration,
    connection: OnceCell<ConnectionManager>,
    last_failure: Mutex<Option<(Instant, String)>>,
}

impl RedisLink {
    /// Checks the URL only; nothing is connected until the first store call.
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> anyhow::Result<Self> {
        let client = redis::Client::open(url)
            .map_err(|err| anyhow::anyhow!("the Redis URL {url:?} is not valid: {err}"))?;
        Ok(RedisLink {
            client,
            prefix: prefix.to_owned(),
            timeout,
            connection: OnceCell::new(),
            last_failure: Mutex::new(None),
        })
    }

    /// Runs a pipeline (as one MULTI/EXEC transaction when it is built `.atomic()`) and reads
    /// its results.
    async fn pipeline<T: FromRedisValue>(&self, pipeline: &Pipeline) -> Result<T, StoreError> {
        self.run(|mut connection| async move { pipeline.query_async(&mut connection).await })
            .await
    }

    /// Runs a Lua script (EVALSHA, loading it on first use).
    async fn script<T: FromRedisValue>(
        &self,
        invocation: &ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        self.run(|mut connection| async move { invocation.invoke_async(&mut connection).await })
            .await
    }

    /// Runs one command.
    async fn command<T: FromRedisValue>(&self, command: &redis::Cmd) -> Result<T, StoreError> {
        self.run(|mut connection| async move { command.query_async(&mut connection).await })
            .await
    }

    /// Runs `work` within the timeout. A refused connection means nothing was sent, so it is
    /// tried once more: the first call after Redis comes back only finds the stale connection
    /// and sets off the reconnect that the second one uses.
    async fn run<T, F, W>(&self, work: W) -> Result<T, StoreError>
    where
        W: Fn(ConnectionManager) -> F,
        F: Future<Output = Result<T, RedisError>>,
    {
        let attempts = async {
            let first = work(self.connection().await?).await;
            match first {
                Err(err) if err.is_connection_refusal() => work(self.connection().await?)
                    .await
                    .map_err(StoreError::from),
                other => other.map_err(StoreError::from),
            }
        };
        tokio::time::timeout(self.timeout, attempts)
            .await
            .unwrap_or_else(|_| {
                Err(StoreError::Unavailable(format!(
                    "Redis did not answer within {} ms",
                    self.timeout.as_millis()
                )))
            })
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        if let Some(connection) = self.connection.get() {
            return Ok(connection.clone());
        }
        if let Some((at, why)) = lock(&self.last_failure).as_ref()
            && at.elapsed() < RETRY_CONNECT_AFTER
        {
            return Err(StoreError::Unavailable(why.clone()));
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            // Reconnects are retried on the next call rather than by blocking this one.
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(200));
        let connect = async {
            match tokio::time::timeout(
                self.timeout,
                ConnectionManager::new_with_config(self.client.clone(), config),
            )
            .await
            {
                Ok(Ok(connection)) => Ok(connection),
                Ok(Err(err)) => Err(format!("cannot connect to Redis: {err}")),
                Err(_) => Err(format!(
                    "cannot connect to Redis within {} ms",
                    self.timeout.as_millis()
                )),
            }
        };
        match self.connection.get_or_try_init(|| connect).await {
            Ok(connection) => Ok(connection.clone()),
            Err(why) => {
                tracing::warn!("{why}");
                *lock(&self.last_failure) = Some((Instant::now(), why.clone()));
                Err(StoreError::Unavailable(why))
            }
        }
    }
}

impl From<RedisError> for StoreError {
    fn from(err: RedisError) -> Self {
        if err.kind() == redis::ErrorKind::UnexpectedReturnType {
            StoreError::Corrupt(err.to_string())
        } else {
            StoreError::Unavailable(err.to_string())
        }
    }
}

/// Rows of JSON that Redis forgets at their deadline, one key each (`<prefix><kind>:<id>`), and
/// a sorted set of ids by deadline (`<prefix><kind>:index`) so rows can be listed and counted without
/// scanning the keyspace. Both Redis stores are built on it.
pub struct RedisTable {
    link: Arc<RedisLink>,
    kind: &'static str,
    /// Row reads, sent together with the other requests' (see [`batch`]).
    reads: BatchedReads,
}

impl RedisTable {
    /// A table whose reads are batched by a task on the current tokio runtime.
    pub fn new(link: Arc<RedisLink>, kind: &'static str) -> Self {
        RedisTable {
            reads: BatchedReads::new(link.clone()),
            link,
            kind,
        }
    }

    fn row_key(&self, id: &str) -> String {
        format!("{}{}:{id}", self.link.prefix, self.kind)
    }

    fn index_key(&self) -> String {
        format!("{}{}:index", self.link.prefix, self.kind)
    }

    pub async fn get(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.reads.get(self.row_key(id)).await
    }

    /// Creates or replaces the row, and drops index entries whose deadline has passed.
    pub async fn put(
        &self,
        id: &str,
        json: &str,
        deadline: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let index = self.index_key();
        let mut pipeline = redis::pipe();
        pipeline
            .atomic()
            .cmd("SET")
            .arg(self.row_key(id))
            .arg(json)
            .arg("PXAT")
            .arg(deadline)
            .ignore()
            .cmd("ZADD")
            .arg(&index)
            .arg(deadline)
            .arg(id)
            .ignore()
            // Keeps the index as small as the live rows, a few entries at a time.
            .cmd("ZREMRANGEBYSCORE")
            .arg(&index)
            .arg("-inf")
            .arg(now)
            .ignore();
        self.link.pipeline(&pipeline).await
    }

    /// `true` if there was a row.
    pub async fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let mut pipeline = redis::pipe();
        pipeline
            .atomic()
            .cmd("DEL")
            .arg(self.row_key(id))
            .cmd("ZREM")
            .arg(self.index_key())
            .arg(id)
            .ignore();
        let (removed,): (u32,) = self.link.pipeline(&pipeline).await?;
        Ok(removed > 0)
    }

    /// Replaces the row with `new` only if it still holds `old`; `true` if it did.
    pub async fn compare_and_set(
        &self,
        id: &str,
        old: &str,
        new: &str,
        deadline: i64,
    ) -> Result<bool, StoreError> {
        let applied: u32 = self
            .link
            .script(
                compare_and_set_script()
                    .key(self.row_key(id))
                    .key(self.index_key())
                    .arg(old)
                    .arg(new)
                    .arg(deadline)
                    .arg(id),
            )
            .await?;
        Ok(applied == 1)
    }

    /// Up to `limit` rows whose deadline is after `now`, soonest first.
    pub async fn live(&self, limit: usize, now: i64) -> Result<Vec<String>, StoreError> {
        let ids: Vec<String> = self
            .link
            .command(
                redis::cmd("ZRANGE")
                    .arg(self.index_key())
                    .arg(format!("({now}"))
                    .arg("+inf")
                    .arg("BYSCORE")
                    .arg("LIMIT")
                    .arg(0)
                    .arg(limit),
            )
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = ids.iter().map(|id| self.row_key(id)).collect();
        let rows: Vec<Option<String>> = self.link.command(redis::cmd("MGET").arg(keys)).await?;
        Ok(rows.into_iter().flatten().collect())
    }

    /// How many rows have a deadline after `now`.
    pub async fn count(&self, now: i64) -> Result<usize, StoreError> {
        self.link
            .command(
                redis::cmd("ZCOUNT")
                    .arg(self.index_key())
                    .arg(format!("({now}"))
                    .arg("+inf"),
            )
            .await
    }
}

/// Replaces the JSON at `KEYS[1]` with `ARGV[2]` (expiring at Unix ms `ARGV[3]`, and indexed
/// under that deadline as `ARGV[4]` in the sorted set `KEYS[2]`) only if it still holds
/// `ARGV[1]`: a compare-and-set, so a read-modify-write decided in Rust is applied atomically
/// even when several servers race on one key. Returns 1 if it was applied.
fn compare_and_set_script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        Script::new(
            r#"
            if redis.call('GET', KEYS[1]) == ARGV[1] then
                redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
                redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
                return 1
            end
            return 0
            "#,
        )
    })
}
