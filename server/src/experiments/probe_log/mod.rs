//! What experiments 9 and 15's probes saw, per visitor. A cross-site form carries no visitor
//! cookie (that is the lesson: `SameSite=Lax`), so a probe is filed under the visitor who was
//! handed its nonce; a nonce nobody was handed records nothing.
//!
//! Without Redis the logs live in this process ([`memory`]). With Redis they live there
//! ([`redis`]), under the same ceilings and expiry: the attacker's forms carry nothing a
//! balancer could use to find the process that handed out the nonce, so every process must
//! be able to file and show them.

pub mod memory;
pub mod redis;

use std::net::IpAddr;
use std::time::Duration;

use crate::ids::VisitorId;
use crate::storage::StoreError;
use app::api::ProbeRecord;

pub use memory::MemoryProbeLog;
pub use redis::RedisProbeLog;

/// Probe records kept per visitor; older ones drop off. With every field cut to
/// [`PROBE_FIELD_BYTES`], a visitor's log is a few kilobytes at most.
pub(crate) const KEPT: usize = 16;
/// The most bytes a probe record keeps of any header it shows (a real `Origin` or
/// `Sec-Fetch-Site` is tens of bytes; a longer one is cut, and the record says so).
pub const PROBE_FIELD_BYTES: usize = 256;
/// The share of the probe-log ceiling one client address may hold: a tenth (at least one), so
/// no single client fills it; its next visitor replaces that address's oldest log instead.
pub(crate) const SHARE_DIVISOR: usize = 10;
/// Probe nonces a visitor holds at once; the oldest is forgotten for a new one.
pub(crate) const NONCES_KEPT: usize = 8;
/// Probes recorded per nonce: the attacker page sends two forms, a reload sends two more.
pub(crate) const PROBES_PER_NONCE: usize = 4;
/// A visitor's log unused this long is forgotten when room is needed.
pub(crate) const LOG_IDLE: Duration = Duration::from_secs(30 * 60);

/// Every visitor's probe log, in memory or in Redis.
#[derive(Clone)]
pub enum ProbeLog {
    Memory(MemoryProbeLog),
    Redis(std::sync::Arc<RedisProbeLog>),
}

impl ProbeLog {
    /// A fresh nonce for `visitor`'s next probe, asked for from `address`; `None` when the
    /// server keeps as many visitors' logs as it may and none has been idle long enough to
    /// forget. An address that holds its whole share gives up its own oldest log instead.
    pub async fn issue(
        &self,
        visitor: VisitorId,
        address: IpAddr,
    ) -> Result<Option<String>, StoreError> {
        match self {
            ProbeLog::Memory(log) => Ok(log.issue(visitor, address)),
            ProbeLog::Redis(log) => log.issue(visitor, address).await,
        }
    }

    /// Files `record` under the visitor its nonce was issued to; a nonce nobody was handed,
    /// or one whose share of probes is used up, records nothing.
    pub async fn push(&self, mut record: ProbeRecord) -> Result<(), StoreError> {
        cut_fields(&mut record);
        match self {
            ProbeLog::Memory(log) => {
                log.push(record);
                Ok(())
            }
            ProbeLog::Redis(log) => log.push(&record).await,
        }
    }

    /// `visitor`'s probes, newest first.
    pub async fn of(&self, visitor: &VisitorId) -> Result<Vec<ProbeRecord>, StoreError> {
        match self {
            ProbeLog::Memory(log) => Ok(log.of(visitor)),
            ProbeLog::Redis(log) => log.of(visitor).await,
        }
    }
}

/// Cuts each header a record shows to [`PROBE_FIELD_BYTES`] (at a character boundary) and
/// names the cut ones in `record.cut`, so a record has a size whatever a client sends.
fn cut_fields(record: &mut ProbeRecord) {
    let mut cut = Vec::new();
    for (name, field) in [
        ("flow", Some(&mut record.flow)),
        ("sec_fetch_site", record.sec_fetch_site.as_mut()),
        ("origin", record.origin.as_mut()),
        ("refused_by", record.refused_by.as_mut()),
    ] {
        if let Some(text) = field
            && text.len() > PROBE_FIELD_BYTES
        {
            let mut end = PROBE_FIELD_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            cut.push(name.to_owned());
        }
    }
    record.cut = cut;
}
