//! The connection to Redis shared by the session store and the refresh-token store.
//!
//! authlens starts whether or not Redis is up: the connection is opened on first use, and
//! while Redis is unreachable every store call fails fast with [`StoreError::Unavailable`]
//! (answered 503) instead of hanging. Once open, redis-rs's `ConnectionManager` reconnects by
//! itself after Redis restarts.

mod batch;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, Pipeline, RedisError, Script, ScriptInvocation};
use tokio::sync::OnceCell;

use batch::BatchedReads;

use super::StoreError;
use crate::ids::VisitorId;
use crate::sync::lock;

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

    /// What every key authlens writes here starts with.
    pub(crate) fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Runs a pipeline (as one MULTI/EXEC transaction when it is built `.atomic()`) and reads
    /// its results.
    pub(crate) async fn pipeline<T: FromRedisValue>(
        &self,
        pipeline: &Pipeline,
    ) -> Result<T, StoreError> {
        self.run(|mut connection| async move { pipeline.query_async(&mut connection).await })
            .await
    }

    /// Runs a Lua script (EVALSHA, loading it on first use).
    pub(crate) async fn script<T: FromRedisValue>(
        &self,
        invocation: &ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        self.run(|mut connection| async move { invocation.invoke_async(&mut connection).await })
            .await
    }

    /// Runs one command.
    pub(crate) async fn command<T: FromRedisValue>(
        &self,
        command: &redis::Cmd,
    ) -> Result<T, StoreError> {
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

/// Rows of JSON that Redis forgets at their deadline, one key each (`<prefix><kind>:<id>`), a
/// sorted set of ids by deadline (`<prefix><kind>:index`) so rows can be counted without
/// scanning the keyspace, and one such set per visitor (`<prefix><kind>:visitor:<visitor>`,
/// itself expiring with its last row) so each visitor's rows are listed apart. Every row's JSON
/// has a `visitor` field, which is how a delete finds the row's owner. Both Redis stores are
/// built on it.
pub struct RedisTable {
    link: Arc<RedisLink>,
    kind: &'static str,
    /// What its errors call it: which store failed.
    name: &'static str,
    /// Row reads, sent together with the other requests' (see [`batch`]).
    reads: BatchedReads,
}

impl RedisTable {
    /// A table whose reads are batched by a task on the current tokio runtime; `name` is what
    /// its errors call it ("the session store").
    pub fn new(link: Arc<RedisLink>, kind: &'static str, name: &'static str) -> Self {
        RedisTable {
            reads: BatchedReads::new(link.clone()),
            link,
            kind,
            name,
        }
    }

    fn row_key(&self, id: &str) -> String {
        format!("{}{}:{id}", self.link.prefix, self.kind)
    }

    fn index_key(&self) -> String {
        format!("{}{}:index", self.link.prefix, self.kind)
    }

    /// Where a visitor's index key starts; the visitor id follows.
    fn owner_key_prefix(&self) -> String {
        format!("{}{}:visitor:", self.link.prefix, self.kind)
    }

    fn owner_key(&self, owner: &VisitorId) -> String {
        format!("{}{owner}", self.owner_key_prefix())
    }

    pub async fn get(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.reads
            .get(self.row_key(id))
            .await
            .map_err(|err| err.in_store(self.name))
    }

    /// Creates or replaces the row (owned by `owner`), and drops index entries whose deadline
    /// has passed.
    pub async fn put(
        &self,
        id: &str,
        owner: &VisitorId,
        json: &str,
        deadline: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        let index = self.index_key();
        let owned = self.owner_key(owner);
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
            .ignore()
            .cmd("ZADD")
            .arg(&owned)
            .arg(deadline)
            .arg(id)
            .ignore()
            .cmd("ZREMRANGEBYSCORE")
            .arg(&owned)
            .arg("-inf")
            .arg(now)
            .ignore();
        outlive_rows(&mut pipeline, &owned, deadline);
        self.link
            .pipeline(&pipeline)
            .await
            .map_err(|err| err.in_store(self.name))
    }

    /// `true` if there was a row. The row's owner is read from the row itself, so its
    /// visitor's index loses the id in the same step.
    pub async fn remove(&self, id: &str) -> Result<bool, StoreError> {
        let removed: u32 = self
            .link
            .script(
                remove_script()
                    .key(self.row_key(id))
                    .key(self.index_key())
                    .arg(id)
                    .arg(self.owner_key_prefix()),
            )
            .await
            .map_err(|err| err.in_store(self.name))?;
        Ok(removed > 0)
    }

    /// Replaces the row with `new` only if it still holds `old`; `true` if it did.
    pub async fn compare_and_set(
        &self,
        id: &str,
        owner: &VisitorId,
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
                    .key(self.owner_key(owner))
                    .arg(old)
                    .arg(new)
                    .arg(deadline)
                    .arg(id),
            )
            .await
            .map_err(|err| err.in_store(self.name))?;
        Ok(applied == 1)
    }

    /// Up to `limit` of `owner`'s rows whose deadline is after `now`, soonest first, and how
    /// many `owner` has in all.
    pub async fn live_owned(
        &self,
        owner: &VisitorId,
        limit: usize,
        now: i64,
    ) -> Result<(Vec<String>, usize), StoreError> {
        let owned = self.owner_key(owner);
        let mut pipeline = redis::pipe();
        pipeline
            .cmd("ZRANGE")
            .arg(&owned)
            .arg(format!("({now}"))
            .arg("+inf")
            .arg("BYSCORE")
            .arg("LIMIT")
            .arg(0)
            .arg(limit)
            .cmd("ZCOUNT")
            .arg(&owned)
            .arg(format!("({now}"))
            .arg("+inf");
        let (ids, total): (Vec<String>, usize) = self
            .link
            .pipeline(&pipeline)
            .await
            .map_err(|err| err.in_store(self.name))?;
        if ids.is_empty() {
            return Ok((Vec::new(), total));
        }
        let keys: Vec<String> = ids.iter().map(|id| self.row_key(id)).collect();
        let rows: Vec<Option<String>> = self
            .link
            .command(redis::cmd("MGET").arg(keys))
            .await
            .map_err(|err| err.in_store(self.name))?;
        Ok((rows.into_iter().flatten().collect(), total))
    }

    /// How many rows (every visitor's) have a deadline after `now`.
    pub async fn count(&self, now: i64) -> Result<usize, StoreError> {
        self.link
            .command(
                redis::cmd("ZCOUNT")
                    .arg(self.index_key())
                    .arg(format!("({now}"))
                    .arg("+inf"),
            )
            .await
            .map_err(|err| err.in_store(self.name))
    }
}

/// A visitor's index lives as long as its longest-lived row: an expiry is set when it has none
/// (`NX`), and moved only later (`GT`).
fn outlive_rows(pipeline: &mut Pipeline, key: &str, deadline: i64) {
    for condition in ["NX", "GT"] {
        pipeline
            .cmd("PEXPIREAT")
            .arg(key)
            .arg(deadline)
            .arg(condition)
            .ignore();
    }
}

/// Replaces the JSON at `KEYS[1]` with `ARGV[2]` (expiring at Unix ms `ARGV[3]`, and indexed
/// under that deadline as `ARGV[4]` in the sorted sets `KEYS[2]`, every row's, and `KEYS[3]`,
/// its visitor's) only if it still holds `ARGV[1]`: a compare-and-set, so a read-modify-write
/// decided in Rust is applied atomically even when several servers race on one key. Returns 1
/// if it was applied.
fn compare_and_set_script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        Script::new(
            r#"
            if redis.call('GET', KEYS[1]) == ARGV[1] then
                redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
                redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
                redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
                redis.call('PEXPIREAT', KEYS[3], ARGV[3], 'NX')
                redis.call('PEXPIREAT', KEYS[3], ARGV[3], 'GT')
                return 1
            end
            return 0
            "#,
        )
    })
}

/// Deletes the row `KEYS[1]` and its id `ARGV[1]` from the index `KEYS[2]` and from its
/// visitor's index (`ARGV[2]` followed by the row's own `visitor` field). Returns 1 if there
/// was a row. A row that does not parse still goes; only its visitor index entry stays, to
/// expire with it.
fn remove_script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        Script::new(
            r#"
            local row = redis.call('GET', KEYS[1])
            redis.call('ZREM', KEYS[2], ARGV[1])
            if not row then
                return 0
            end
            redis.call('DEL', KEYS[1])
            local ok, decoded = pcall(cjson.decode, row)
            if ok and type(decoded) == 'table' and type(decoded.visitor) == 'string' then
                redis.call('ZREM', ARGV[2] .. decoded.visitor, ARGV[1])
            end
            return 1
            "#,
        )
    })
}
