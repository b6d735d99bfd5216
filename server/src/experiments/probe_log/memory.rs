//! The probe logs in this process's memory: one authlens without Redis.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use tokio::time::Instant;

use super::{KEPT, LOG_IDLE, NONCES_KEPT, PROBES_PER_NONCE, SHARE_DIVISOR};
use crate::http::per_client::share;
use crate::ids::VisitorId;
use crate::sync::lock;
use app::api::ProbeRecord;

/// The probe logs in this process's memory (one authlens, no Redis).
#[derive(Clone)]
pub struct MemoryProbeLog(Arc<Mutex<Logs>>);

struct Logs {
    by_visitor: HashMap<VisitorId, VisitorLog>,
    owner_of: HashMap<String, VisitorId>,
    /// Each client address's logs, oldest first.
    by_address: HashMap<IpAddr, VecDeque<VisitorId>>,
    max_visitors: usize,
}

struct VisitorLog {
    nonces: VecDeque<String>,
    records: VecDeque<ProbeRecord>,
    used: Instant,
    /// The client address that asked for the log's first nonce.
    address: IpAddr,
}

impl MemoryProbeLog {
    pub fn new(max_visitors: usize) -> Self {
        MemoryProbeLog(Arc::new(Mutex::new(Logs {
            by_visitor: HashMap::new(),
            owner_of: HashMap::new(),
            by_address: HashMap::new(),
            max_visitors,
        })))
    }

    /// A fresh nonce for `visitor`'s next probe, asked for from `address`; or `None` when the
    /// server keeps as many visitors' logs as it may and none has been idle long enough to
    /// forget. An address that holds its whole share gives up its own oldest log instead.
    pub fn issue(&self, visitor: VisitorId, address: IpAddr) -> Option<String> {
        let mut logs = lock(&self.0);
        let now = Instant::now();
        if !logs.by_visitor.contains_key(&visitor) {
            let share = share(logs.max_visitors, SHARE_DIVISOR);
            let held = logs.by_address.get(&address).map_or(0, VecDeque::len);
            if held >= share {
                let oldest = logs
                    .by_address
                    .get(&address)
                    .and_then(|own| own.front().copied());
                if let Some(oldest) = oldest {
                    logs.forget(&oldest);
                }
            } else if logs.by_visitor.len() >= logs.max_visitors {
                logs.forget_idle(now);
                if logs.by_visitor.len() >= logs.max_visitors {
                    return None;
                }
            }
            logs.by_address
                .entry(address)
                .or_default()
                .push_back(visitor);
        }
        let nonce = crate::random::hex::<16>();
        let log = logs
            .by_visitor
            .entry(visitor)
            .or_insert_with(|| VisitorLog {
                nonces: VecDeque::new(),
                records: VecDeque::new(),
                used: now,
                address,
            });
        log.used = now;
        log.nonces.push_back(nonce.clone());
        let dropped = (log.nonces.len() > NONCES_KEPT)
            .then(|| log.nonces.pop_front())
            .flatten();
        if let Some(dropped) = dropped {
            logs.owner_of.remove(&dropped);
        }
        logs.owner_of.insert(nonce.clone(), visitor);
        Some(nonce)
    }

    /// Files `record` under the visitor its nonce was issued to; a nonce nobody was handed,
    /// or one whose share of probes is used up, records nothing.
    pub fn push(&self, record: ProbeRecord) {
        let mut logs = lock(&self.0);
        let Some(owner) = logs.owner_of.get(&record.nonce).copied() else {
            return;
        };
        let Some(log) = logs.by_visitor.get_mut(&owner) else {
            return;
        };
        let same_nonce = log
            .records
            .iter()
            .filter(|seen| seen.nonce == record.nonce)
            .count();
        if same_nonce >= PROBES_PER_NONCE {
            return;
        }
        log.used = Instant::now();
        log.records.push_front(record);
        log.records.truncate(KEPT);
    }

    /// `visitor`'s probes, newest first.
    pub fn of(&self, visitor: &VisitorId) -> Vec<ProbeRecord> {
        lock(&self.0)
            .by_visitor
            .get(visitor)
            .map(|log| log.records.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl Logs {
    fn forget_idle(&mut self, now: Instant) {
        let idle: Vec<VisitorId> = self
            .by_visitor
            .iter()
            .filter(|(_, log)| now.duration_since(log.used) >= LOG_IDLE)
            .map(|(visitor, _)| *visitor)
            .collect();
        for visitor in idle {
            self.forget(&visitor);
        }
    }

    /// Drops `visitor`'s log, its nonces and its place in its address's share.
    fn forget(&mut self, visitor: &VisitorId) {
        let Some(log) = self.by_visitor.remove(visitor) else {
            return;
        };
        for nonce in &log.nonces {
            self.owner_of.remove(nonce);
        }
        if let Some(own) = self.by_address.get_mut(&log.address) {
            own.retain(|held| held != visitor);
            if own.is_empty() {
                self.by_address.remove(&log.address);
            }
        }
    }
}
