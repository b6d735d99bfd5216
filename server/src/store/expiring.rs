//! A map whose entries each carry a deadline, indexed both by key and by deadline,
//! so expired entries are dropped in deadline order without scanning the map
//! (the shape of mini-redis's `db.rs`). Both in-memory stores are built on it.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

pub struct ExpiringMap<K, V> {
    by_key: HashMap<K, (i64, V)>,
    by_deadline: BTreeSet<(i64, K)>,
}

impl<K: Clone + Ord + Hash, V> Default for ExpiringMap<K, V> {
    fn default() -> Self {
        ExpiringMap {
            by_key: HashMap::new(),
            by_deadline: BTreeSet::new(),
        }
    }
}

impl<K: Clone + Ord + Hash, V> ExpiringMap<K, V> {
    /// Inserts or replaces `key`, to be forgotten at `deadline` (Unix ms).
    pub fn insert(&mut self, key: K, deadline: i64, value: V) {
        self.remove(&key);
        self.by_deadline.insert((deadline, key.clone()));
        self.by_key.insert(key, (deadline, value));
    }

    /// The value, if its deadline is after `now`.
    pub fn get(&self, key: &K, now: i64) -> Option<&V> {
        self.get_with_deadline(key, now).map(|(_, value)| value)
    }

    /// The deadline and the value, if the deadline is after `now`.
    pub fn get_with_deadline(&self, key: &K, now: i64) -> Option<(i64, &V)> {
        self.by_key
            .get(key)
            .filter(|(deadline, _)| *deadline > now)
            .map(|(deadline, value)| (*deadline, value))
    }

    pub fn get_mut(&mut self, key: &K, now: i64) -> Option<&mut V> {
        self.by_key
            .get_mut(key)
            .filter(|(deadline, _)| *deadline > now)
            .map(|(_, value)| value)
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let (deadline, value) = self.by_key.remove(key)?;
        self.by_deadline.remove(&(deadline, key.clone()));
        Some(value)
    }

    /// Drops every entry whose deadline is at or before `now`; returns how many.
    pub fn purge_until(&mut self, now: i64) -> usize {
        let mut purged = 0;
        while let Some((deadline, _)) = self.by_deadline.first() {
            if *deadline > now {
                break;
            }
            if let Some((_, key)) = self.by_deadline.pop_first() {
                self.by_key.remove(&key);
                purged += 1;
            }
        }
        purged
    }

    /// Live entries (key, deadline, value), soonest deadline first.
    pub fn live(&self, now: i64) -> impl Iterator<Item = (&K, i64, &V)> {
        self.by_deadline
            .iter()
            .skip_while(move |(deadline, _)| *deadline <= now)
            .filter_map(|(deadline, key)| {
                self.by_key
                    .get(key)
                    .map(|(_, value)| (key, *deadline, value))
            })
    }

    /// How many entries are live at `now`. Expired-but-unpurged entries sit at the
    /// front of the deadline order, and the purge task keeps that stretch short.
    pub fn live_len(&self, now: i64) -> usize {
        let expired = self
            .by_deadline
            .iter()
            .take_while(|(deadline, _)| *deadline <= now)
            .count();
        self.by_key.len() - expired
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_expire_at_their_deadline() {
        let mut map = ExpiringMap::default();
        map.insert("a", 100, 1);
        map.insert("b", 200, 2);
        assert_eq!(map.get(&"a", 99), Some(&1));
        assert_eq!(map.get(&"a", 100), None, "the deadline itself is expired");
        assert_eq!(map.live_len(150), 1);
        let live: Vec<_> = map
            .live(150)
            .map(|(key, deadline, value)| (*key, deadline, *value))
            .collect();
        assert_eq!(live, [("b", 200, 2)]);
    }

    #[test]
    fn purge_drops_expired_entries_in_order_and_keeps_the_rest() {
        let mut map = ExpiringMap::default();
        for (key, deadline) in [("c", 300), ("a", 100), ("b", 200)] {
            map.insert(key, deadline, deadline);
        }
        assert_eq!(map.purge_until(200), 2);
        assert_eq!(map.by_key.len(), 1);
        assert_eq!(map.by_deadline.len(), 1);
        assert_eq!(map.get(&"c", 200), Some(&300));
    }

    #[test]
    fn reinserting_moves_the_deadline() {
        let mut map = ExpiringMap::default();
        map.insert("a", 100, "old");
        map.insert("a", 500, "new");
        assert_eq!(map.purge_until(400), 0);
        assert_eq!(map.get(&"a", 400), Some(&"new"));
        assert_eq!(map.by_deadline.len(), 1, "the old deadline entry is gone");
    }
}
