//! Declaring storage items: FRAME key derivation and the matching metadata entries.

use crate::hashing::{KeyHasher, storage_prefix};
use crate::state::State;
use frame_metadata::v15::{StorageEntryMetadata, StorageEntryModifier, StorageEntryType};
use parity_scale_codec::{Decode, Encode};
use scale_info::{MetaType, TypeInfo};
use std::marker::PhantomData;

/// The key of a plain storage value.
pub fn value_key(pallet: &str, item: &str) -> Vec<u8> {
    storage_prefix(pallet, item)
}

/// The key of a map entry with one hashed key.
pub fn map_key(pallet: &str, item: &str, hasher: KeyHasher, encoded_key: &[u8]) -> Vec<u8> {
    let mut key = storage_prefix(pallet, item);
    key.extend(hasher.hash(encoded_key));
    key
}

/// The key of a double-map entry.
pub fn double_map_key(
    pallet: &str,
    item: &str,
    (h1, k1): (KeyHasher, &[u8]),
    (h2, k2): (KeyHasher, &[u8]),
) -> Vec<u8> {
    let mut key = storage_prefix(pallet, item);
    key.extend(h1.hash(k1));
    key.extend(h2.hash(k2));
    key
}

/// Whether a missing value reads as `None` or as the type's default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modifier {
    /// Missing means `None`.
    Optional,
    /// Missing means the declared default bytes.
    Default,
}

fn modifier(m: Modifier) -> StorageEntryModifier {
    match m {
        Modifier::Optional => StorageEntryModifier::Optional,
        Modifier::Default => StorageEntryModifier::Default,
    }
}

/// Metadata of a plain storage value of type `V`.
pub fn plain<V: TypeInfo + 'static>(
    name: &'static str,
    m: Modifier,
    default: Vec<u8>,
    docs: &[&'static str],
) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier: modifier(m),
        ty: StorageEntryType::Plain(MetaType::new::<V>()),
        default,
        docs: docs.to_vec(),
    }
}

/// Metadata of a map from `K` (a single key, or a tuple for double maps) to `V`.
pub fn map<K: TypeInfo + 'static, V: TypeInfo + 'static>(
    name: &'static str,
    hashers: &[KeyHasher],
    m: Modifier,
    default: Vec<u8>,
    docs: &[&'static str],
) -> StorageEntryMetadata {
    StorageEntryMetadata {
        name,
        modifier: modifier(m),
        ty: StorageEntryType::Map {
            hashers: hashers.iter().map(|h| h.to_metadata()).collect(),
            key: MetaType::new::<K>(),
            value: MetaType::new::<V>(),
        },
        default,
        docs: docs.to_vec(),
    }
}

/// Skips the hash part of a key hashed with `hasher` (the key itself follows it for the
/// transparent hashers every typed item uses).
fn skip_hash(hasher: KeyHasher, raw: &[u8]) -> Option<&[u8]> {
    let skip = match hasher {
        KeyHasher::Blake2_128Concat => 16,
        KeyHasher::Twox64Concat => 8,
        KeyHasher::Identity => 0,
    };
    raw.get(skip..)
}

/// Decodes a SCALE key from the front of `raw`, returning it and how many bytes it took.
fn decode_prefix<K: Decode>(raw: &[u8]) -> Option<(K, usize)> {
    let mut input = raw;
    let key = K::decode(&mut input).ok()?;
    Some((key, raw.len() - input.len()))
}

/// A typed plain storage value with a default (FRAME's `ValueQuery`).
pub struct Value<V> {
    /// Pallet prefix.
    pub pallet: &'static str,
    /// Item name.
    pub name: &'static str,
    /// The value read when the key is missing.
    pub default: fn() -> V,
    /// Documentation served in metadata.
    pub docs: &'static [&'static str],
}

impl<V: Encode + Decode + TypeInfo + 'static> Value<V> {
    /// The storage key.
    pub fn key(&self) -> Vec<u8> {
        value_key(self.pallet, self.name)
    }

    /// Reads the value (or the default).
    pub fn get(&self, state: &State) -> V {
        state.get(&self.key()).unwrap_or_else(self.default)
    }

    /// Writes the value.
    pub fn put(&self, state: &mut State, value: &V) {
        state.put(self.key(), value);
    }

    /// Metadata entry.
    pub fn metadata(&self) -> StorageEntryMetadata {
        plain::<V>(
            self.name,
            Modifier::Default,
            (self.default)().encode(),
            self.docs,
        )
    }
}

/// A typed map with one hashed key.
pub struct Map<K, V> {
    /// Pallet prefix.
    pub pallet: &'static str,
    /// Item name.
    pub name: &'static str,
    /// Key hasher.
    pub hasher: KeyHasher,
    /// The value read when the key is missing; `None` makes the item `OptionQuery`.
    pub default: Option<fn() -> V>,
    /// Documentation served in metadata.
    pub docs: &'static [&'static str],
    /// Marker for the key type.
    pub key_type: PhantomData<fn() -> K>,
}

impl<K: Encode + Decode + TypeInfo + 'static, V: Encode + Decode + TypeInfo + 'static> Map<K, V> {
    /// The storage key of `k`.
    pub fn key(&self, k: &K) -> Vec<u8> {
        map_key(self.pallet, self.name, self.hasher, &k.encode())
    }

    /// Reads the value at `k`, if present.
    pub fn try_get(&self, state: &State, k: &K) -> Option<V> {
        state.get(&self.key(k))
    }

    /// Reads the value at `k`, or the default (the type's default for `OptionQuery` items).
    pub fn get(&self, state: &State, k: &K) -> V
    where
        V: Default,
    {
        self.try_get(state, k)
            .unwrap_or_else(|| self.default.map_or_else(V::default, |d| d()))
    }

    /// Whether `k` is present.
    pub fn contains(&self, state: &State, k: &K) -> bool {
        state.get_raw(&self.key(k)).is_some()
    }

    /// Writes the value at `k`.
    pub fn put(&self, state: &mut State, k: &K, value: &V) {
        state.put(self.key(k), value);
    }

    /// Removes `k`.
    pub fn remove(&self, state: &mut State, k: &K) {
        state.remove(&self.key(k));
    }

    /// Every (key, value), in storage-key order.
    pub fn iter(&self, state: &State) -> Vec<(K, V)> {
        let prefix = value_key(self.pallet, self.name);
        state
            .pairs_with_prefix(&prefix)
            .filter_map(|(raw, mut value)| {
                let hashed = raw.get(prefix.len()..)?;
                let skip = skip_hash(self.hasher, hashed)?;
                let (k, _) = decode_prefix::<K>(skip)?;
                Some((k, V::decode(&mut value).ok()?))
            })
            .collect()
    }

    /// Metadata entry.
    pub fn metadata(&self) -> StorageEntryMetadata {
        let (m, default) = match self.default {
            Some(d) => (Modifier::Default, d().encode()),
            None => (Modifier::Optional, vec![0]),
        };
        map::<K, V>(self.name, &[self.hasher], m, default, self.docs)
    }
}

/// A typed map with two hashed keys.
pub struct DoubleMap<K1, K2, V> {
    /// Pallet prefix.
    pub pallet: &'static str,
    /// Item name.
    pub name: &'static str,
    /// Hasher of the first key.
    pub hasher1: KeyHasher,
    /// Hasher of the second key.
    pub hasher2: KeyHasher,
    /// The value read when the key is missing; `None` makes the item `OptionQuery`.
    pub default: Option<fn() -> V>,
    /// Documentation served in metadata.
    pub docs: &'static [&'static str],
    /// Marker for the key types.
    pub key_types: PhantomData<fn() -> (K1, K2)>,
}

impl<K1, K2, V> DoubleMap<K1, K2, V>
where
    K1: Encode + Decode + TypeInfo + 'static,
    K2: Encode + Decode + TypeInfo + 'static,
    V: Encode + Decode + TypeInfo + 'static,
{
    fn prefix1(&self, k1: &K1) -> Vec<u8> {
        let mut key = value_key(self.pallet, self.name);
        key.extend(self.hasher1.hash(&k1.encode()));
        key
    }

    /// The storage key of `(k1, k2)`.
    pub fn key(&self, k1: &K1, k2: &K2) -> Vec<u8> {
        let mut key = self.prefix1(k1);
        key.extend(self.hasher2.hash(&k2.encode()));
        key
    }

    /// Reads the value, if present.
    pub fn try_get(&self, state: &State, k1: &K1, k2: &K2) -> Option<V> {
        state.get(&self.key(k1, k2))
    }

    /// Reads the value, or the default.
    pub fn get(&self, state: &State, k1: &K1, k2: &K2) -> V
    where
        V: Default,
    {
        self.try_get(state, k1, k2)
            .unwrap_or_else(|| self.default.map_or_else(V::default, |d| d()))
    }

    /// Whether the entry is present.
    pub fn contains(&self, state: &State, k1: &K1, k2: &K2) -> bool {
        state.get_raw(&self.key(k1, k2)).is_some()
    }

    /// Writes the value.
    pub fn put(&self, state: &mut State, k1: &K1, k2: &K2, value: &V) {
        state.put(self.key(k1, k2), value);
    }

    /// Removes the entry.
    pub fn remove(&self, state: &mut State, k1: &K1, k2: &K2) {
        state.remove(&self.key(k1, k2));
    }

    /// Every (second key, value) under `k1`, in storage-key order.
    pub fn iter_prefix(&self, state: &State, k1: &K1) -> Vec<(K2, V)> {
        let prefix = self.prefix1(k1);
        state
            .pairs_with_prefix(&prefix)
            .filter_map(|(raw, mut value)| {
                let hashed = raw.get(prefix.len()..)?;
                let rest = skip_hash(self.hasher2, hashed)?;
                let (k2, _) = decode_prefix::<K2>(rest)?;
                Some((k2, V::decode(&mut value).ok()?))
            })
            .collect()
    }

    /// Every (first key, second key, value), in storage-key order.
    pub fn iter(&self, state: &State) -> Vec<(K1, K2, V)> {
        let prefix = value_key(self.pallet, self.name);
        state
            .pairs_with_prefix(&prefix)
            .filter_map(|(raw, mut value)| {
                let hashed = raw.get(prefix.len()..)?;
                let rest = skip_hash(self.hasher1, hashed)?;
                let (k1, used) = decode_prefix::<K1>(rest)?;
                let rest = skip_hash(self.hasher2, rest.get(used..)?)?;
                let (k2, _) = decode_prefix::<K2>(rest)?;
                Some((k1, k2, V::decode(&mut value).ok()?))
            })
            .collect()
    }

    /// Removes every entry under `k1`.
    pub fn remove_prefix(&self, state: &mut State, k1: &K1) {
        let prefix = self.prefix1(k1);
        for key in state.keys_with_prefix(&prefix, None, usize::MAX) {
            state.remove(&key);
        }
    }

    /// Metadata entry.
    pub fn metadata(&self) -> StorageEntryMetadata {
        let (m, default) = match self.default {
            Some(d) => (Modifier::Default, d().encode()),
            None => (Modifier::Optional, vec![0]),
        };
        map::<(K1, K2), V>(
            self.name,
            &[self.hasher1, self.hasher2],
            m,
            default,
            self.docs,
        )
    }
}

/// Type marker of a [`TripleMap`].
pub type TripleMarker<K1, K2, K3, V> = PhantomData<fn() -> (K1, K2, K3, V)>;

/// A typed map with three hashed keys (FRAME's `StorageNMap`), reading `V::default()` when
/// missing.
pub struct TripleMap<K1, K2, K3, V> {
    /// Pallet prefix.
    pub pallet: &'static str,
    /// Item name.
    pub name: &'static str,
    /// Hashers of the three keys.
    pub hashers: [KeyHasher; 3],
    /// Documentation served in metadata.
    pub docs: &'static [&'static str],
    /// Marker for the key types.
    pub key_types: TripleMarker<K1, K2, K3, V>,
}

impl<K1, K2, K3, V> TripleMap<K1, K2, K3, V>
where
    K1: Encode + Decode + TypeInfo + 'static,
    K2: Encode + Decode + TypeInfo + 'static,
    K3: Encode + Decode + TypeInfo + 'static,
    V: Encode + Decode + TypeInfo + Default + 'static,
{
    /// The storage key.
    pub fn key(&self, k1: &K1, k2: &K2, k3: &K3) -> Vec<u8> {
        let mut key = value_key(self.pallet, self.name);
        key.extend(self.hashers[0].hash(&k1.encode()));
        key.extend(self.hashers[1].hash(&k2.encode()));
        key.extend(self.hashers[2].hash(&k3.encode()));
        key
    }

    /// Reads the value, or `V::default()`.
    pub fn get(&self, state: &State, k1: &K1, k2: &K2, k3: &K3) -> V {
        state.get(&self.key(k1, k2, k3)).unwrap_or_default()
    }

    /// Writes the value.
    pub fn put(&self, state: &mut State, k1: &K1, k2: &K2, k3: &K3, value: &V) {
        state.put(self.key(k1, k2, k3), value);
    }

    /// Removes the entry.
    pub fn remove(&self, state: &mut State, k1: &K1, k2: &K2, k3: &K3) {
        state.remove(&self.key(k1, k2, k3));
    }

    /// Every entry, in storage-key order.
    pub fn iter(&self, state: &State) -> Vec<(K1, K2, K3, V)> {
        let prefix = value_key(self.pallet, self.name);
        state
            .pairs_with_prefix(&prefix)
            .filter_map(|(raw, mut value)| {
                let rest = skip_hash(self.hashers[0], raw.get(prefix.len()..)?)?;
                let (k1, used) = decode_prefix::<K1>(rest)?;
                let rest = skip_hash(self.hashers[1], rest.get(used..)?)?;
                let (k2, used) = decode_prefix::<K2>(rest)?;
                let rest = skip_hash(self.hashers[2], rest.get(used..)?)?;
                let (k3, _) = decode_prefix::<K3>(rest)?;
                Some((k1, k2, k3, V::decode(&mut value).ok()?))
            })
            .collect()
    }

    /// Metadata entry.
    pub fn metadata(&self) -> StorageEntryMetadata {
        map::<(K1, K2, K3), V>(
            self.name,
            &self.hashers,
            Modifier::Default,
            V::default().encode(),
            self.docs,
        )
    }
}
