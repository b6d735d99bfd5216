//! Per-client-address shares of the server-wide ceilings. A ceiling that one client can fill
//! by itself protects the server but not the other visitors, so each address may hold only a
//! share: its connections, its requests in flight behind a trusted proxy, its bulk runs, lab
//! clusters and probe logs.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::sync::lock;

/// `max`'s share for one address: `max / divisor`, at least one.
pub fn share(max: usize, divisor: usize) -> usize {
    (max / divisor.max(1)).max(1)
}

/// How many of something each address holds right now.
#[derive(Default)]
pub struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

impl PerAddress {
    /// Counts one more for `ip` if it holds fewer than `max`; `false` if it holds `max` already.
    pub fn enter(&self, ip: IpAddr, max: usize) -> bool {
        let mut held = lock(&self.0);
        let count = held.entry(ip).or_default();
        if *count >= max {
            return false;
        }
        *count += 1;
        true
    }

    /// Counts one less for `ip` (the address is forgotten at zero).
    pub fn leave(&self, ip: IpAddr) {
        let mut held = lock(&self.0);
        if let Some(count) = held.get_mut(&ip) {
            *count -= 1;
            if *count == 0 {
                held.remove(&ip);
            }
        }
    }

    /// [`PerAddress::enter`] as a guard that leaves when dropped, however its holder ends.
    pub fn hold(self: &Arc<Self>, ip: IpAddr, max: usize) -> Option<Held> {
        self.enter(ip, max).then(|| Held {
            counts: Arc::clone(self),
            ip,
        })
    }

    /// What `ip` holds now.
    pub fn of(&self, ip: IpAddr) -> usize {
        lock(&self.0).get(&ip).copied().unwrap_or(0)
    }
}

/// One unit of an address's share, given back on drop.
pub struct Held {
    counts: Arc<PerAddress>,
    ip: IpAddr,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.counts.leave(self.ip);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_its_share_and_gets_it_back() {
        let counts = Arc::new(PerAddress::default());
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let first = counts.hold(a, 2).expect("room");
        let second = counts.hold(a, 2).expect("room");
        assert!(counts.hold(a, 2).is_none(), "a holds its whole share");
        assert!(counts.hold(b, 2).is_some(), "b has a share of its own");
        drop(first);
        assert_eq!(counts.of(a), 1);
        drop(second);
        assert_eq!(counts.of(a), 0);
        assert_eq!(share(8, 4), 2);
        assert_eq!(share(1, 4), 1, "never less than one");
    }
}
