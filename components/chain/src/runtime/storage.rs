//! Declaring storage items: FRAME key derivation and the matching metadata entries.

use crate::hashing::{KeyHasher, storage_prefix};
use frame_metadata::v15::{StorageEntryMetadata, StorageEntryModifier, StorageEntryType};
use scale_info::{MetaType, TypeInfo};

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
