//! The probe logs in Redis, shared by every authlens pointed at it: a nonce handed out by one
//! process files the probes that reach another. The same ceilings as in memory, each step one
//! Lua script so that processes racing on one visitor's log stay consistent:
//!
//! - `<prefix>probe:nonce:<nonce>`: a hash, its `owner` (visitor) and probes recorded `count`;
//! - `<prefix>probe:records:<visitor>`: the log, newest first, [`KEPT`] records of JSON;
//! - `<prefix>probe:nonces:<visitor>`: the visitor's nonces, oldest first, [`NONCES_KEPT`];
//! - `<prefix>probe:address:<visitor>`: the client address that opened the log;
//! - `<prefix>probe:visitors`: every log by last use (the server-wide ceiling), and
//!   `<prefix>probe:by-address:<address>`: each address's logs by age (its share).
//!
//! Every key expires [`LOG_IDLE`] after the log's last use, as an unused log is forgotten in memory.

use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use redis::Script;

use super::{KEPT, LOG_IDLE, NONCES_KEPT, PROBES_PER_NONCE, SHARE_DIVISOR};
use crate::clock::Clock;
use crate::http::per_client::share;
use crate::ids::VisitorId;
use crate::storage::StoreError;
use crate::storage::redis::RedisLink;
use app::api::ProbeRecord;

/// What errors call this store.
const NAME: &str = "the probe log (Redis)";

pub struct RedisProbeLog {
    link: Arc<RedisLink>,
    clock: Clock,
    max_visitors: usize,
}

impl RedisProbeLog {
    pub fn new(link: Arc<RedisLink>, clock: Clock, max_visitors: usize) -> Self {
        RedisProbeLog {
            link,
            clock,
            max_visitors,
        }
    }

    pub async fn issue(
        &self,
        visitor: VisitorId,
        address: IpAddr,
    ) -> Result<Option<String>, StoreError> {
        let nonce = crate::random::hex::<16>();
        let issued: u32 = self
            .link
            .script(
                issue_script()
                    .arg(self.link.prefix())
                    .arg(visitor.to_string())
                    .arg(address.to_string())
                    .arg(&nonce)
                    .arg(self.clock.now_ms())
                    .arg(LOG_IDLE.as_millis() as u64)
                    .arg(self.max_visitors)
                    .arg(share(self.max_visitors, SHARE_DIVISOR))
                    .arg(NONCES_KEPT),
            )
            .await
            .map_err(|err| err.in_store(NAME))?;
        Ok((issued == 1).then_some(nonce))
    }

    pub async fn push(&self, record: &ProbeRecord) -> Result<(), StoreError> {
        let json = serde_json::to_string(record)
            .map_err(|err| StoreError::Corrupt(format!("{NAME}: {err}")))?;
        let _: u32 = self
            .link
            .script(
                push_script()
                    .arg(self.link.prefix())
                    .arg(&record.nonce)
                    .arg(json)
                    .arg(KEPT)
                    .arg(PROBES_PER_NONCE)
                    .arg(LOG_IDLE.as_millis() as u64)
                    .arg(self.clock.now_ms()),
            )
            .await
            .map_err(|err| err.in_store(NAME))?;
        Ok(())
    }

    pub async fn of(&self, visitor: &VisitorId) -> Result<Vec<ProbeRecord>, StoreError> {
        let key = format!("{}probe:records:{visitor}", self.link.prefix());
        let rows: Vec<String> = self
            .link
            .command(redis::cmd("LRANGE").arg(key).arg(0).arg(-1))
            .await
            .map_err(|err| err.in_store(NAME))?;
        // A row that does not read (written by another version) is left out, not fatal.
        Ok(rows
            .iter()
            .filter_map(|row| serde_json::from_str(row).ok())
            .collect())
    }
}

/// Shared by both scripts: a visitor's keys, and forgetting a whole log.
const LOG_KEYS: &str = r#"
local p = ARGV[1]
local function key(kind, id) return p .. 'probe:' .. kind .. ':' .. id end
local visitors = p .. 'probe:visitors'
local function forget(visitor, address)
    address = redis.call('GET', key('address', visitor)) or address
    for _, nonce in ipairs(redis.call('LRANGE', key('nonces', visitor), 0, -1)) do
        redis.call('DEL', key('nonce', nonce))
    end
    redis.call('DEL', key('nonces', visitor), key('records', visitor), key('address', visitor))
    redis.call('ZREM', visitors, visitor)
    if address then redis.call('ZREM', key('by-address', address), visitor) end
end
local function touch(visitor, idle)
    for _, kind in ipairs({'records', 'nonces', 'address'}) do
        redis.call('PEXPIRE', key(kind, visitor), idle)
    end
    redis.call('PEXPIRE', visitors, idle)
end
"#;

/// ARGV: prefix, visitor, address, nonce, now (ms), idle (ms), most logs, one address's share,
/// nonces kept. Returns 1 with the nonce filed, 0 when every log is taken and none is idle.
fn issue_script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        Script::new(&format!(
            "{LOG_KEYS}{}",
            r#"
local visitor, address, nonce = ARGV[2], ARGV[3], ARGV[4]
local now, idle = tonumber(ARGV[5]), tonumber(ARGV[6])
local most, share, kept = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local own = key('by-address', address)
if redis.call('EXISTS', key('address', visitor)) == 0 then
    if redis.call('ZCARD', own) >= share then
        -- An address at its share gives up its own oldest log, never another's.
        local oldest = redis.call('ZRANGE', own, 0, 0)[1]
        if oldest then forget(oldest, address) end
    elseif redis.call('ZCARD', visitors) >= most then
        for _, stale in ipairs(redis.call('ZRANGEBYSCORE', visitors, '-inf', now - idle)) do
            forget(stale, nil)
        end
        if redis.call('ZCARD', visitors) >= most then return 0 end
    end
    redis.call('SET', key('address', visitor), address)
    redis.call('ZADD', own, now, visitor)
    redis.call('PEXPIRE', own, idle)
end
redis.call('ZADD', visitors, now, visitor)
local nonces = key('nonces', visitor)
redis.call('RPUSH', nonces, nonce)
while redis.call('LLEN', nonces) > kept do
    redis.call('DEL', key('nonce', redis.call('LPOP', nonces)))
end
redis.call('HSET', key('nonce', nonce), 'owner', visitor, 'count', 0)
redis.call('PEXPIRE', key('nonce', nonce), idle)
touch(visitor, idle)
return 1
"#
        ))
    })
}

/// ARGV: prefix, nonce, the record's JSON, records kept, probes per nonce, idle (ms), now (ms).
/// Returns 1 if the record was filed.
fn push_script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        Script::new(&format!(
            "{LOG_KEYS}{}",
            r#"
local nonce, record = ARGV[2], ARGV[3]
local kept, per_nonce, idle, now = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local owner = redis.call('HGET', key('nonce', nonce), 'owner')
if not owner or redis.call('EXISTS', key('address', owner)) == 0 then return 0 end
if redis.call('HINCRBY', key('nonce', nonce), 'count', 1) > per_nonce then return 0 end
redis.call('LPUSH', key('records', owner), record)
redis.call('LTRIM', key('records', owner), 0, kept - 1)
redis.call('PEXPIRE', key('nonce', nonce), idle)
redis.call('ZADD', visitors, 'XX', now, owner)
touch(owner, idle)
return 1
"#
        ))
    })
}
