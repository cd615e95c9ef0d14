//! Chain state: an ordered map from raw storage keys to SCALE-encoded values, with nested
//! transactional layers so a failed dispatch leaves no trace.

use crate::hashing::blake2_256;
use crate::primitives::H256;
use parity_scale_codec::{Decode, Encode};
use std::collections::BTreeMap;
use std::ops::Bound;

/// Previous values of the keys written in one transactional layer, in write order.
pub type Layer = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// A 256-bit sum (mod 2^256) of pair hashes, kept up to date on every write so that the state
/// commitment costs O(changes) per block instead of O(state).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Accumulator([u64; 4]);

fn pair_hash(key: &[u8], value: &[u8]) -> [u64; 4] {
    let mut buf = Vec::with_capacity(key.len() + value.len() + 10);
    key.encode_to(&mut buf);
    value.encode_to(&mut buf);
    let h = blake2_256(&buf);
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[i * 8..i * 8 + 8]);
        *limb = u64::from_le_bytes(b);
    }
    limbs
}

impl Accumulator {
    fn add(&mut self, x: [u64; 4]) {
        let mut carry = false;
        for (a, b) in self.0.iter_mut().zip(x) {
            let (s1, c1) = a.overflowing_add(b);
            let (s2, c2) = s1.overflowing_add(u64::from(carry));
            *a = s2;
            carry = c1 || c2;
        }
    }

    fn sub(&mut self, x: [u64; 4]) {
        let mut borrow = false;
        for (a, b) in self.0.iter_mut().zip(x) {
            let (d1, b1) = a.overflowing_sub(b);
            let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
            *a = d2;
            borrow = b1 || b2;
        }
    }
}

/// The raw key/value state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    map: BTreeMap<Vec<u8>, Vec<u8>>,
    /// One journal per open layer: the previous value of every key written in it.
    journal: Vec<Layer>,
    acc: Accumulator,
}

impl State {
    /// An empty state.
    pub fn new() -> State {
        State::default()
    }

    /// Builds a state from raw pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Vec<u8>, Vec<u8>)>) -> State {
        let mut state = State::default();
        for (k, v) in pairs {
            state.set(k, Some(v));
        }
        state
    }

    /// Writes or deletes without journaling, keeping the accumulator in step; returns the old value.
    fn set(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) -> Option<Vec<u8>> {
        if let Some(v) = &value {
            self.acc.add(pair_hash(&key, v));
        }
        let old = match value {
            Some(v) => self.map.insert(key.clone(), v),
            None => self.map.remove(&key),
        };
        if let Some(o) = &old {
            self.acc.sub(pair_hash(&key, o));
        }
        old
    }

    /// Raw value at `key`.
    pub fn get_raw(&self, key: &[u8]) -> Option<&[u8]> {
        self.map.get(key).map(Vec::as_slice)
    }

    /// Decoded value at `key`; `None` when missing or (which would be a bug) undecodable.
    pub fn get<T: Decode>(&self, key: &[u8]) -> Option<T> {
        self.get_raw(key).and_then(|mut v| T::decode(&mut v).ok())
    }

    /// Sets a raw value.
    pub fn put_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        let old = self.set(key.clone(), Some(value));
        self.record(key, old);
    }

    /// Encodes and sets a value.
    pub fn put<T: Encode>(&mut self, key: Vec<u8>, value: &T) {
        self.put_raw(key, value.encode());
    }

    /// Removes a key.
    pub fn remove(&mut self, key: &[u8]) {
        if self.map.contains_key(key) {
            let old = self.set(key.to_vec(), None);
            self.record(key.to_vec(), old);
        }
    }

    fn record(&mut self, key: Vec<u8>, old: Option<Vec<u8>>) {
        if let Some(layer) = self.journal.last_mut() {
            layer.push((key, old));
        }
    }

    /// Opens a transactional layer.
    pub fn begin(&mut self) {
        self.journal.push(Vec::new());
    }

    /// Keeps the changes of the innermost layer.
    pub fn commit(&mut self) {
        if let Some(layer) = self.journal.pop()
            && let Some(outer) = self.journal.last_mut()
        {
            outer.extend(layer);
        }
    }

    /// Undoes the changes of the innermost layer.
    pub fn rollback(&mut self) {
        if let Some(layer) = self.journal.pop() {
            for (key, old) in layer.into_iter().rev() {
                self.set(key, old);
            }
        }
    }

    /// Closes the innermost layer keeping its changes, and returns its undo log.
    pub fn take_journal(&mut self) -> Layer {
        self.journal.pop().unwrap_or_default()
    }

    /// Undoes the changes recorded in an undo log (from `take_journal`).
    pub fn apply_undo(&mut self, layer: &Layer) {
        for (key, old) in layer.iter().rev() {
            self.set(key.clone(), old.clone());
        }
    }

    /// Keys starting with `prefix`, in order, strictly after `start` if given, at most `limit`.
    pub fn keys_with_prefix(
        &self,
        prefix: &[u8],
        start: Option<&[u8]>,
        limit: usize,
    ) -> Vec<Vec<u8>> {
        let lower = match start {
            Some(s) if s > prefix => Bound::Excluded(s.to_vec()),
            _ => Bound::Included(prefix.to_vec()),
        };
        self.map
            .range((lower, Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Pairs whose key starts with `prefix`, in key order.
    pub fn pairs_with_prefix<'a>(
        &'a self,
        prefix: &'a [u8],
    ) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + 'a {
        self.map
            .range(prefix.to_vec()..)
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// Every pair, in key order.
    pub fn pairs(&self) -> impl Iterator<Item = (&Vec<u8>, &Vec<u8>)> {
        self.map.iter()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the state is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// A commitment to the whole state: blake2-256 of the key count and of the sum (mod 2^256)
    /// of blake2-256(SCALE(key, value)) over all pairs, maintained incrementally. Not a
    /// Merkle-Patricia trie root: this node serves no storage proofs.
    pub fn root(&self) -> H256 {
        let mut buf = (self.map.len() as u64).to_le_bytes().to_vec();
        for limb in self.acc.0 {
            buf.extend_from_slice(&limb.to_le_bytes());
        }
        H256(blake2_256(&buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollback_restores_previous_values() {
        let mut s = State::from_pairs([(b"a".to_vec(), b"1".to_vec())]);
        let root = s.root();
        s.begin();
        s.put_raw(b"a".to_vec(), b"2".to_vec());
        s.put_raw(b"b".to_vec(), b"3".to_vec());
        s.remove(b"a");
        s.rollback();
        assert_eq!(s.get_raw(b"a"), Some(&b"1"[..]));
        assert_eq!(s.get_raw(b"b"), None);
        assert_eq!(s.root(), root);
    }

    #[test]
    fn undo_log_restores_the_parent_state() {
        let mut s = State::from_pairs([(b"a".to_vec(), b"1".to_vec())]);
        let parent = s.clone();
        s.begin();
        s.put_raw(b"a".to_vec(), b"2".to_vec());
        s.put_raw(b"a".to_vec(), b"3".to_vec());
        s.put_raw(b"n".to_vec(), b"4".to_vec());
        let undo = s.take_journal();
        assert_eq!(s.get_raw(b"a"), Some(&b"3"[..]));
        s.apply_undo(&undo);
        assert_eq!(s, parent);
    }

    #[test]
    fn root_depends_on_content_not_history() {
        let a = State::from_pairs([
            (b"x".to_vec(), b"1".to_vec()),
            (b"y".to_vec(), b"2".to_vec()),
        ]);
        let mut b = State::from_pairs([(b"y".to_vec(), b"9".to_vec())]);
        b.put_raw(b"z".to_vec(), b"3".to_vec());
        b.put_raw(b"x".to_vec(), b"1".to_vec());
        b.put_raw(b"y".to_vec(), b"2".to_vec());
        b.remove(b"z");
        assert_eq!(a.root(), b.root());
        let mut c = a.clone();
        c.put_raw(b"x".to_vec(), b"0".to_vec());
        assert_ne!(a.root(), c.root());
        // Swapping values between keys changes the root.
        let d = State::from_pairs([
            (b"x".to_vec(), b"2".to_vec()),
            (b"y".to_vec(), b"1".to_vec()),
        ]);
        assert_ne!(a.root(), d.root());
        assert_ne!(State::new().root(), a.root());
    }

    #[test]
    fn nested_commit_then_outer_rollback() {
        let mut s = State::new();
        s.begin();
        s.begin();
        s.put_raw(b"k".to_vec(), b"v".to_vec());
        s.commit();
        s.rollback();
        assert!(s.is_empty());
    }

    #[test]
    fn prefix_iteration_is_ordered_and_paged() {
        let s = State::from_pairs(
            [&b"pa"[..], b"pb", b"pc", b"q"]
                .iter()
                .map(|k| (k.to_vec(), vec![])),
        );
        assert_eq!(
            s.keys_with_prefix(b"p", None, 10),
            vec![b"pa".to_vec(), b"pb".to_vec(), b"pc".to_vec()]
        );
        assert_eq!(
            s.keys_with_prefix(b"p", Some(b"pa"), 1),
            vec![b"pb".to_vec()]
        );
        assert!(s.keys_with_prefix(b"r", None, 10).is_empty());
    }
}
