//! A map for the report's few-key breakdowns (by sex, by age group, by budget category, by
//! funding source, a bottleneck's figures): a vector of pairs sorted by key.
//!
//! The report holds about 27,000 such maps nationally, most of two to six entries. A
//! `BTreeMap` allocates a node for eleven entries whatever it holds (a cascade is 280 bytes, so
//! 3 KB per breakdown); this holds exactly its entries. Iteration is in key order and the map
//! serialises as a map, as a `BTreeMap` does.

use serde::Serialize;
use std::borrow::Borrow;

#[derive(Debug, Clone, PartialEq)]
pub struct SmallMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap(Vec::new())
    }
}

impl<K: Ord, V> SmallMap<K, V> {
    pub fn new() -> Self {
        SmallMap(Vec::new())
    }
    fn find<Q>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &self.0[i].1)
    }
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.find(key).ok().map(|i| &mut self.0[i].1)
    }
    /// Insert `value` under `key`, returning the value it replaces.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// Entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k, v))
    }
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.0.iter().map(|(_, v)| v)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for SmallMap<K, V> {
    /// As `BTreeMap`'s: sorted by key, and of equal keys the last one wins.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut v: Vec<(K, V)> = iter.into_iter().collect();
        // Stable: equal keys keep their order, so the last of a run is the last given.
        v.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(K, V)> = Vec::with_capacity(v.len());
        for (k, val) in v {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = val,
                _ => out.push((k, val)),
            }
        }
        out.shrink_to_fit();
        SmallMap(out)
    }
}

impl<K: Ord, V, const N: usize> From<[(K, V); N]> for SmallMap<K, V> {
    fn from(pairs: [(K, V); N]) -> Self {
        pairs.into_iter().collect()
    }
}

impl<'a, K, V> IntoIterator for &'a SmallMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Map<std::slice::Iter<'a, (K, V)>, fn(&'a (K, V)) -> (&'a K, &'a V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl<K, V> IntoIterator for SmallMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// For tests only: production code asks with `get`, never panics on a missing key.
#[cfg(test)]
impl<K: Ord + Borrow<Q>, Q: Ord + ?Sized, V> std::ops::Index<&Q> for SmallMap<K, V> {
    type Output = V;
    fn index(&self, key: &Q) -> &V {
        self.get(key).expect("no entry for the key in the map")
    }
}

impl<K: Serialize, V: Serialize> Serialize for SmallMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn behaves_as_a_btreemap_for_what_the_report_does() {
        // Unsorted input with a repeated key: sorted, and the later value of "b" kept.
        let pairs = [("c", 3), ("a", 1), ("b", 2), ("b", 20)];
        let small: SmallMap<&str, i32> = pairs.into_iter().collect();
        let tree: BTreeMap<&str, i32> = pairs.into_iter().collect();
        assert_eq!(small.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), vec![("a", 1), ("b", 20), ("c", 3)]);
        assert_eq!(small.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), tree.into_iter().collect::<Vec<_>>());
        assert_eq!(small.len(), 3);
        assert_eq!(small["b"], 20);
        assert_eq!(small.get("d"), None);

        let mut m = SmallMap::new();
        assert_eq!(m.insert("m", 1), None);
        assert_eq!(m.insert("a", 2), None);
        assert_eq!(m.insert("z", 3), None);
        assert_eq!(m.insert("m", 4), Some(1));
        *m.get_mut("a").expect("a is in") += 10;
        assert_eq!(m.keys().copied().collect::<String>(), "amz");
        assert_eq!(m.values().copied().collect::<Vec<_>>(), vec![12, 4, 3]);
        assert_eq!(serde_json::to_string(&m).expect("serialises"), r#"{"a":12,"m":4,"z":3}"#);
    }
}
