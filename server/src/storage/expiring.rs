//! A map whose entries each carry a deadline, indexed both by key and by deadline,
//! so expired entries are dropped in deadline order without scanning the map
//! (the shape of mini-redis's `db.rs`). [`OwnedMap`] adds an index by visitor, so each
//! visitor's rows are listed without scanning anyone else's. Both in-memory stores use it.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use crate::ids::VisitorId;

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

    /// Drops up to `max` entries whose deadline is at or before `now`, handing each to
    /// `dropped`; returns how many. (Bounded, so a caller holding a lock can let go between
    /// batches instead of stalling every other request behind one long purge.)
    pub fn purge_until(&mut self, now: i64, max: usize, mut dropped: impl FnMut(&K, &V)) -> usize {
        let mut purged = 0;
        while purged < max {
            match self.by_deadline.first() {
                Some((deadline, _)) if *deadline <= now => {}
                _ => break,
            }
            if let Some((_, key)) = self.by_deadline.pop_first() {
                if let Some((_, value)) = self.by_key.remove(&key) {
                    dropped(&key, &value);
                }
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

/// A value that belongs to one visitor.
pub trait Owned {
    fn owner(&self) -> VisitorId;
}

/// An [`ExpiringMap`] that also knows whose each entry is.
pub struct OwnedMap<K, V> {
    map: ExpiringMap<K, V>,
    by_owner: BTreeSet<(VisitorId, K)>,
}

impl<K: Clone + Ord + Hash, V> Default for OwnedMap<K, V> {
    fn default() -> Self {
        OwnedMap {
            map: ExpiringMap::default(),
            by_owner: BTreeSet::new(),
        }
    }
}

impl<K: Clone + Ord + Hash + MinKey, V: Owned> OwnedMap<K, V> {
    pub fn insert(&mut self, key: K, deadline: i64, value: V) {
        self.remove(&key);
        self.by_owner.insert((value.owner(), key.clone()));
        self.map.insert(key, deadline, value);
    }

    pub fn get_with_deadline(&self, key: &K, now: i64) -> Option<(i64, &V)> {
        self.map.get_with_deadline(key, now)
    }

    /// The live value, to change in place. Its owner must stay the same.
    pub fn get_mut(&mut self, key: &K, now: i64) -> Option<&mut V> {
        self.map.get_mut(key, now)
    }

    pub fn remove(&mut self, key: &K) -> Option<V> {
        let value = self.map.remove(key)?;
        self.by_owner.remove(&(value.owner(), key.clone()));
        Some(value)
    }

    /// As [`ExpiringMap::purge_until`], keeping the owner index in step.
    pub fn purge_until(&mut self, now: i64, max: usize) -> usize {
        let by_owner = &mut self.by_owner;
        self.map.purge_until(now, max, |key, value| {
            by_owner.remove(&(value.owner(), key.clone()));
        })
    }

    /// Every visitor's live entries.
    pub fn live_len(&self, now: i64) -> usize {
        self.map.live_len(now)
    }

    /// Every visitor's live entries (key, deadline, value), soonest deadline first.
    pub fn live(&self, now: i64) -> impl Iterator<Item = (&K, i64, &V)> {
        self.map.live(now)
    }

    /// `owner`'s live entries (key, deadline, value), soonest deadline first, at most `limit`,
    /// and how many `owner` has in all.
    /// (A count alone, `limit` 0, collects nothing; a long list is cut before it is sorted,
    /// so a visitor holding a bulk batch costs one pass, not a sort of the whole batch.)
    pub fn owned(&self, owner: &VisitorId, now: i64, limit: usize) -> (Vec<(&K, i64, &V)>, usize) {
        let live = self
            .by_owner
            .range((*owner, K::min_key())..)
            .take_while(|(visitor, _)| visitor == owner)
            .filter_map(|(_, key)| {
                self.map
                    .get_with_deadline(key, now)
                    .map(|(deadline, value)| (key, deadline, value))
            });
        if limit == 0 {
            return (Vec::new(), live.count());
        }
        let mut live: Vec<_> = live.collect();
        let total = live.len();
        if total > limit {
            live.select_nth_unstable_by_key(limit, |(_, deadline, _)| *deadline);
            live.truncate(limit);
        }
        live.sort_by_key(|(_, deadline, _)| *deadline);
        (live, total)
    }
}

/// The smallest key, where one owner's stretch of the owner index starts.
pub trait MinKey {
    fn min_key() -> Self;
}

impl MinKey for String {
    fn min_key() -> Self {
        String::new()
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
        assert_eq!(map.purge_until(200, usize::MAX, |_, _| {}), 2);
        assert_eq!(map.by_key.len(), 1);
        assert_eq!(map.by_deadline.len(), 1);
        assert_eq!(map.get(&"c", 200), Some(&300));
    }

    #[test]
    fn reinserting_moves_the_deadline() {
        let mut map = ExpiringMap::default();
        map.insert("a", 100, "old");
        map.insert("a", 500, "new");
        assert_eq!(map.purge_until(400, usize::MAX, |_, _| {}), 0);
        assert_eq!(map.get(&"a", 400), Some(&"new"));
        assert_eq!(map.by_deadline.len(), 1, "the old deadline entry is gone");
    }

    struct Row(VisitorId);

    impl Owned for Row {
        fn owner(&self) -> VisitorId {
            self.0
        }
    }

    #[test]
    fn each_owner_sees_only_their_own_live_entries_soonest_first() {
        let (alice, bob) = (VisitorId::generate(), VisitorId::generate());
        let mut map = OwnedMap::default();
        map.insert("a2".to_owned(), 300, Row(alice));
        map.insert("a1".to_owned(), 200, Row(alice));
        map.insert("b1".to_owned(), 250, Row(bob));
        map.insert("a0".to_owned(), 100, Row(alice));
        let keys = |owner, limit| {
            let (rows, total) = map.owned(&owner, 150, limit);
            let keys: Vec<String> = rows.iter().map(|(key, _, _)| (*key).clone()).collect();
            (keys, total)
        };
        assert_eq!(keys(alice, 10), (vec!["a1".to_owned(), "a2".to_owned()], 2));
        assert_eq!(
            keys(alice, 1),
            (vec!["a1".to_owned()], 2),
            "cut, but counted"
        );
        assert_eq!(keys(bob, 10), (vec!["b1".to_owned()], 1));
        assert_eq!(map.live_len(150), 3);
    }

    #[test]
    fn removing_and_purging_keep_the_owner_index_in_step() {
        let owner = VisitorId::generate();
        let mut map = OwnedMap::default();
        map.insert("x".to_owned(), 100, Row(owner));
        map.insert("y".to_owned(), 200, Row(owner));
        map.insert("z".to_owned(), 300, Row(owner));
        assert!(map.remove(&"y".to_owned()).is_some());
        assert_eq!(map.purge_until(150, 10), 1);
        assert_eq!(map.by_owner.len(), 1, "only z is indexed");
        assert_eq!(map.owned(&owner, 0, 10).1, 1);
    }

    #[test]
    fn a_purge_stops_at_its_batch_size() {
        let mut map = ExpiringMap::default();
        for n in 0..10 {
            map.insert(n, n, ());
        }
        assert_eq!(map.purge_until(100, 4, |_, _| {}), 4);
        assert_eq!(map.purge_until(100, 100, |_, _| {}), 6);
    }
}
