//! Metadata V15 and V14 generated from the runtime's own types, with subtensor's type paths.

mod paths;

use crate::extrinsic::{ExtraTuple, UncheckedExtrinsic, extensions};
use crate::primitives::{MultiAddress, MultiSignature};
use crate::runtime::pallets::{
    admin_utils, balances, subtensor, sudo, system, timestamp, transaction_payment, utility,
};
use crate::runtime::{Runtime, RuntimeCall, RuntimeError, RuntimeEvent, apis};
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed, v14, v15};
use parity_scale_codec::Encode;
use scale_info::{PortableRegistry, meta_type};

pub use paths::PATHS;

/// Metadata of every pallet, in index order.
pub fn pallets() -> Vec<v15::PalletMetadata> {
    vec![
        system::metadata(),
        timestamp::metadata(),
        balances::metadata(),
        transaction_payment::metadata(),
        subtensor::metadata(),
        utility::metadata(),
        sudo::metadata(),
        admin_utils::metadata(),
    ]
}

/// The V15 metadata.
pub fn v15() -> v15::RuntimeMetadataV15 {
    let extrinsic = v15::ExtrinsicMetadata {
        version: 4,
        address_ty: meta_type::<MultiAddress>(),
        call_ty: meta_type::<RuntimeCall>(),
        signature_ty: meta_type::<MultiSignature>(),
        extra_ty: meta_type::<ExtraTuple>(),
        signed_extensions: extensions()
            .into_iter()
            .map(|e| v15::SignedExtensionMetadata {
                identifier: e.identifier,
                ty: e.ty,
                additional_signed: e.implicit,
            })
            .collect(),
    };
    let outer = v15::OuterEnums {
        call_enum_ty: meta_type::<RuntimeCall>(),
        event_enum_ty: meta_type::<RuntimeEvent>(),
        error_enum_ty: meta_type::<RuntimeError>(),
    };
    let mut meta = v15::RuntimeMetadataV15::new(
        pallets(),
        extrinsic,
        meta_type::<Runtime>(),
        apis::metadata(),
        outer,
        v15::CustomMetadata {
            map: Default::default(),
        },
    );
    paths::rewrite(&mut meta.types);
    meta
}

/// The V14 metadata.
pub fn v14() -> v14::RuntimeMetadataV14 {
    let pallets = pallets()
        .into_iter()
        .map(|p| v14::PalletMetadata {
            name: p.name,
            storage: p.storage,
            calls: p.calls,
            event: p.event,
            constants: p.constants,
            error: p.error,
            index: p.index,
        })
        .collect();
    let extrinsic = v14::ExtrinsicMetadata {
        ty: meta_type::<UncheckedExtrinsic>(),
        version: 4,
        signed_extensions: extensions()
            .into_iter()
            .map(|e| v14::SignedExtensionMetadata {
                identifier: e.identifier,
                ty: e.ty,
                additional_signed: e.implicit,
            })
            .collect(),
    };
    let mut meta = v14::RuntimeMetadataV14::new(pallets, extrinsic, meta_type::<Runtime>());
    paths::rewrite(&mut meta.types);
    meta
}

/// SCALE bytes of `RuntimeMetadataPrefixed` ("meta" magic + version) for V15.
pub fn encoded_v15() -> Vec<u8> {
    RuntimeMetadataPrefixed::from(v15()).encode()
}

/// SCALE bytes of `RuntimeMetadataPrefixed` for V14.
pub fn encoded_v14() -> Vec<u8> {
    RuntimeMetadataPrefixed(frame_metadata::META_RESERVED, RuntimeMetadata::V14(v14())).encode()
}

/// Paths still pointing into this crate (every one should have been rewritten).
pub fn unmapped_paths(types: &PortableRegistry) -> Vec<String> {
    types
        .types
        .iter()
        .map(|t| t.ty.path.segments.join("::"))
        .filter(|p| p.starts_with(env!("CARGO_CRATE_NAME")))
        .collect()
}
