//! `set` and `map`: the two vAPI collections whose wire rules a plain `Vec` or `BTreeMap` does
//! not keep.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

use serde::de::{self, MapAccess, SeqAccess};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A vAPI `set`: distinct members, kept in the order they were read or inserted so that a
/// value is written back as it came.
///
/// On the wire it is a JSON array; an array that repeats a member is refused. Building a set
/// from an iterator, or [`insert`](Self::insert)ing into it, drops repeats.
///
/// ```
/// use vapi_runtime::{serde_json, Set};
///
/// let set: Set<String> = serde_json::from_str(r#"["b", "a"]"#)?;
/// assert_eq!(set.as_slice(), ["b", "a"]);
/// assert!(serde_json::from_str::<Set<String>>(r#"["a", "a"]"#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Set<T>(Vec<T>);

impl<T> Set<T> {
    /// An empty set.
    pub fn new() -> Self {
        Set(Vec::new())
    }

    /// The members, in order.
    pub fn as_slice(&self) -> &[T] {
        &self.0
    }

    /// The members, in order, consuming the set.
    pub fn into_vec(self) -> Vec<T> {
        self.0
    }
}

impl<T: PartialEq> Set<T> {
    /// Adds a member at the end unless the set has it; whether it was added.
    pub fn insert(&mut self, member: T) -> bool {
        if self.0.contains(&member) {
            return false;
        }
        self.0.push(member);
        true
    }
}

impl<T> Default for Set<T> {
    fn default() -> Self {
        Set::new()
    }
}

impl<T> Deref for Set<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: PartialEq> FromIterator<T> for Set<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut set = Set::new();
        for member in iter {
            set.insert(member);
        }
        set
    }
}

impl<T: PartialEq> From<Vec<T>> for Set<T> {
    /// The distinct members of the vector, first occurrences kept.
    fn from(members: Vec<T>) -> Self {
        members.into_iter().collect()
    }
}

impl<T> IntoIterator for Set<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Set<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Serialize> Serialize for Set<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de> + Ord> Deserialize<'de> for Set<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let members = Vec::<T>::deserialize(deserializer)?;
        // Sorting references finds a repeat in O(n log n), so a large hostile array costs
        // no more than reading it.
        let mut order: Vec<usize> = (0..members.len()).collect();
        order.sort_by(|&a, &b| members[a].cmp(&members[b]).then(a.cmp(&b)));
        // The earliest repeat: of equal neighbours in that order, the one read first after
        // its equal.
        let repeat = order
            .windows(2)
            .filter(|w| members[w[0]] == members[w[1]])
            .map(|w| (w[1], w[0]))
            .min();
        if let Some((again, first)) = repeat {
            return Err(de::Error::custom(format_args!(
                "a set repeats a member: element {again} equals element {first}"
            )));
        }
        Ok(Set(members))
    }
}

/// A vAPI `map`: a [`BTreeMap`] (so it is written in key order) that reads both wire forms.
///
/// It is written as a JSON object. It is read from a JSON object or from the list of entries
/// some older endpoints send, `[{"key": k, "value": v}, ...]`; a key given twice is refused.
///
/// ```
/// use vapi_runtime::{serde_json, Map};
///
/// let a: Map<String, i64> = serde_json::from_str(r#"{"x": 1}"#)?;
/// let b: Map<String, i64> = serde_json::from_str(r#"[{"key": "x", "value": 1}]"#)?;
/// assert_eq!(a, b);
/// assert_eq!(serde_json::to_string(&b)?, r#"{"x":1}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Map<K, V>(BTreeMap<K, V>);

impl<K, V> Map<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Map(BTreeMap::new())
    }

    /// The entries, consuming the map.
    pub fn into_inner(self) -> BTreeMap<K, V> {
        self.0
    }
}

impl<K, V> Default for Map<K, V> {
    fn default() -> Self {
        Map::new()
    }
}

impl<K, V> Deref for Map<K, V> {
    type Target = BTreeMap<K, V>;

    fn deref(&self) -> &BTreeMap<K, V> {
        &self.0
    }
}

impl<K, V> DerefMut for Map<K, V> {
    fn deref_mut(&mut self) -> &mut BTreeMap<K, V> {
        &mut self.0
    }
}

impl<K, V> From<BTreeMap<K, V>> for Map<K, V> {
    fn from(entries: BTreeMap<K, V>) -> Self {
        Map(entries)
    }
}

impl<K: Ord, V> FromIterator<(K, V)> for Map<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Map(iter.into_iter().collect())
    }
}

impl<K, V> IntoIterator for Map<K, V> {
    type Item = (K, V);
    type IntoIter = std::collections::btree_map::IntoIter<K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, K, V> IntoIterator for &'a Map<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::collections::btree_map::Iter<'a, K, V>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<K: Serialize, V: Serialize> Serialize for Map<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, K, V> Deserialize<'de> for Map<K, V>
where
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MapVisitor(PhantomData))
    }
}

struct MapVisitor<K, V>(PhantomData<(K, V)>);

/// One entry of the list form.
#[derive(Deserialize)]
struct Entry<K, V> {
    key: K,
    value: V,
}

fn insert_once<K: Ord, V, E: de::Error>(map: &mut BTreeMap<K, V>, k: K, v: V) -> Result<(), E> {
    use std::collections::btree_map::Entry as Slot;
    match map.entry(k) {
        Slot::Occupied(_) => Err(E::custom("a map gives the same key twice")),
        Slot::Vacant(slot) => {
            slot.insert(v);
            Ok(())
        }
    }
}

impl<'de, K, V> de::Visitor<'de> for MapVisitor<K, V>
where
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
{
    type Value = Map<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map: a JSON object, or a list of {\"key\": ..., \"value\": ...} entries")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        while let Some((k, v)) = access.next_entry()? {
            insert_once(&mut map, k, v)?;
        }
        Ok(Map(map))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = BTreeMap::new();
        while let Some(Entry { key, value }) = access.next_element::<Entry<K, V>>()? {
            insert_once(&mut map, key, value)?;
        }
        Ok(Map(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_keep_order_and_refuse_repeats() {
        let set: Set<String> = serde_json::from_str(r#"["c", "a", "b"]"#).unwrap();
        assert_eq!(set.as_slice(), ["c", "a", "b"]);
        assert_eq!(serde_json::to_string(&set).unwrap(), r#"["c","a","b"]"#);
        let err = serde_json::from_str::<Set<String>>(r#"["a", "b", "c", "b"]"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("a set repeats a member: element 3 equals element 1"),
            "{err}"
        );
        assert!(serde_json::from_str::<Set<i64>>("[1, 1]").is_err());
        assert!(serde_json::from_str::<Set<i64>>("{}").is_err());
        assert_eq!(serde_json::from_str::<Set<i64>>("[]").unwrap(), Set::new());
    }

    #[test]
    fn building_a_set_drops_repeats() {
        let mut set = Set::from(vec![2, 1, 2, 3, 1]);
        assert_eq!(set.as_slice(), [2, 1, 3]);
        assert!(!set.insert(3));
        assert!(set.insert(4));
        assert_eq!(set.into_vec(), [2, 1, 3, 4]);
    }

    #[test]
    fn maps_read_both_forms_and_write_objects() {
        let object: Map<String, i64> = serde_json::from_str(r#"{"b": 2, "a": 1}"#).unwrap();
        let list: Map<String, i64> =
            serde_json::from_str(r#"[{"key": "b", "value": 2}, {"value": 1, "key": "a"}]"#)
                .unwrap();
        assert_eq!(object, list);
        assert_eq!(serde_json::to_string(&list).unwrap(), r#"{"a":1,"b":2}"#);
        let empty: Map<String, i64> = serde_json::from_str("[]").unwrap();
        assert!(empty.is_empty());
    }

    #[test]
    fn maps_refuse_repeated_keys_and_bad_entries() {
        for bad in [
            r#"{"a": 1, "a": 2}"#,
            r#"[{"key": "a", "value": 1}, {"key": "a", "value": 1}]"#,
            r#"[{"key": "a"}]"#,
            r#"[{"value": 1}]"#,
            r#""a""#,
            "7",
        ] {
            assert!(
                serde_json::from_str::<Map<String, i64>>(bad).is_err(),
                "{bad}"
            );
        }
        let err = serde_json::from_str::<Map<String, i64>>(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert!(err.to_string().contains("same key twice"), "{err}");
    }
}
