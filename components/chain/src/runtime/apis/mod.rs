//! Runtime APIs served through `state_call`, and their V15 metadata.
//!
//! The Substrate APIs (`Core`, `Metadata`, `AccountNonceApi`, `TransactionPaymentApi`) live
//! here; subtensor's own APIs have one module each, with subtensor's method names, argument
//! names and output types (their type paths are rewritten to subtensor's in
//! `metadata::paths`). They only read storage.

pub mod common;
pub mod delegate_info;
pub mod dynamic_info;
pub mod hyperparams_v3;
pub mod metagraph;
pub mod neuron_info;
pub mod stake_info;
pub mod subnet_info;
pub mod swap;

use super::pallets::subtensor::registration;
use super::pallets::{system, transaction_payment};
use crate::extrinsic::{Extrinsic, UncheckedExtrinsic};
use crate::hashing::blake2_64;
use crate::primitives::AccountId32;
use crate::state::State;
use frame_metadata::v15::{
    RuntimeApiMetadata, RuntimeApiMethodMetadata, RuntimeApiMethodParamMetadata,
};
use parity_scale_codec::{Decode, Encode};
use scale_info::{TypeInfo, meta_type};
use std::borrow::Cow;

/// The runtime version (`Core_version`, `state_getRuntimeVersion`, `System.Version`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct RuntimeVersion {
    /// Spec name.
    pub spec_name: Cow<'static, str>,
    /// Implementation name.
    pub impl_name: Cow<'static, str>,
    /// Authoring version.
    pub authoring_version: u32,
    /// Spec version.
    pub spec_version: u32,
    /// Implementation version.
    pub impl_version: u32,
    /// (blake2_64(api name), version) of every runtime API.
    pub apis: Cow<'static, [([u8; 8], u32)]>,
    /// Transaction version.
    pub transaction_version: u32,
    /// System (formerly state) version.
    pub system_version: u8,
}

/// Methods served that spec 343 does not have (so the reference metadata cannot check them):
/// newer clients need them. `(api, method)`.
pub const BEYOND_SPEC_343: &[(&str, &str)] =
    &[("SubnetInfoRuntimeApi", "get_subnet_hyperparams_v3")];

/// Names and versions of the runtime APIs implemented.
pub const API_VERSIONS: [(&str, u32); 10] = [
    ("Core", 5),
    ("Metadata", 2),
    ("AccountNonceApi", 1),
    ("TransactionPaymentApi", 4),
    // subtensor declares its own APIs without `#[api_version]`: version 1.
    ("DelegateInfoRuntimeApi", 1),
    ("NeuronInfoRuntimeApi", 1),
    ("SubnetInfoRuntimeApi", 1),
    ("StakeInfoRuntimeApi", 1),
    ("SubnetRegistrationRuntimeApi", 1),
    ("SwapRuntimeApi", 1),
];

impl RuntimeVersion {
    /// The version this node serves.
    pub fn current() -> RuntimeVersion {
        RuntimeVersion {
            spec_name: Cow::Borrowed(super::SPEC_NAME),
            impl_name: Cow::Borrowed(super::SPEC_NAME),
            authoring_version: 1,
            spec_version: super::SPEC_VERSION,
            impl_version: super::IMPL_VERSION,
            apis: Cow::Owned(
                API_VERSIONS
                    .iter()
                    .map(|(n, v)| (blake2_64(n.as_bytes()), *v))
                    .collect(),
            ),
            transaction_version: super::TRANSACTION_VERSION,
            system_version: 1,
        }
    }
}

/// Fee details (`TransactionPaymentApi_query_fee_details`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct InclusionFee {
    /// Base fee.
    pub base_fee: u64,
    /// Length fee.
    pub len_fee: u64,
    /// Weight fee after the multiplier.
    pub adjusted_weight_fee: u64,
}

/// Fee details.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct FeeDetails {
    /// The fee without tip, if the extrinsic pays one.
    pub inclusion_fee: Option<InclusionFee>,
    /// The tip.
    pub tip: u64,
}

/// Opaque metadata bytes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct OpaqueMetadata(pub Vec<u8>);

/// Why a runtime API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No such API method.
    #[error("Exported method {0} is not found")]
    NotFound(String),
    /// The arguments could not be decoded.
    #[error("Could not decode arguments of {method}: {reason}")]
    BadArgs {
        /// Method.
        method: String,
        /// Why.
        reason: String,
    },
}

/// What an API call may read.
pub struct ApiEnv<'a> {
    /// State at the requested block.
    pub state: &'a State,
    /// V14 metadata (prefixed, not wrapped).
    pub metadata_v14: &'a [u8],
    /// V15 metadata (prefixed, not wrapped).
    pub metadata_v15: &'a [u8],
}

fn args<T: Decode>(method: &str, mut bytes: &[u8]) -> Result<T, ApiError> {
    let bad = |reason: String| ApiError::BadArgs {
        method: method.to_string(),
        reason,
    };
    let value = T::decode(&mut bytes).map_err(|e| bad(e.to_string()))?;
    if !bytes.is_empty() {
        return Err(bad(format!("{} trailing bytes", bytes.len())));
    }
    Ok(value)
}

fn fee_parts(ext: &Extrinsic, len: u32) -> (u64, u64, u64, u64) {
    let weight = ext.call.weight();
    let base = transaction_payment::weight_to_fee(crate::primitives::Weight {
        ref_time: transaction_payment::EXTRINSIC_BASE_WEIGHT,
        proof_size: 0,
    });
    let len_fee = u64::from(len).saturating_mul(transaction_payment::BYTE_FEE);
    let weight_fee = transaction_payment::weight_to_fee(weight);
    let tip = ext.signature.as_ref().map(|s| s.extra.tip).unwrap_or(0);
    (base, len_fee, weight_fee, tip)
}

/// Executes a runtime API method by its `state_call` name.
pub fn call(env: &ApiEnv<'_>, method: &str, bytes: &[u8]) -> Result<Vec<u8>, ApiError> {
    match method {
        "Core_version" => Ok(RuntimeVersion::current().encode()),
        "Metadata_metadata" => Ok(OpaqueMetadata(env.metadata_v14.to_vec()).encode()),
        "Metadata_metadata_versions" => Ok(vec![14u32, 15].encode()),
        "Metadata_metadata_at_version" => {
            let version: u32 = args(method, bytes)?;
            let blob = match version {
                14 => Some(OpaqueMetadata(env.metadata_v14.to_vec())),
                15 => Some(OpaqueMetadata(env.metadata_v15.to_vec())),
                _ => None,
            };
            Ok(blob.encode())
        }
        "AccountNonceApi_account_nonce" => {
            let who: AccountId32 = args(method, bytes)?;
            Ok(system::account(env.state, &who).nonce.encode())
        }
        "TransactionPaymentApi_query_info" | "TransactionPaymentApi_query_fee_details" => {
            // (uxt, len): the extrinsic is a length-prefixed byte string, which is how a
            // `Vec<u8>` encodes; re-prefix it to decode it as an extrinsic.
            let (body, len): (Vec<u8>, u32) = args(method, bytes)?;
            let ext_bytes = crate::primitives::with_length_prefix(&body);
            let ext = Extrinsic::decode_prefixed(&ext_bytes).map_err(|e| ApiError::BadArgs {
                method: method.into(),
                reason: e.to_string(),
            })?;
            let (base, len_fee, weight_fee, tip) = fee_parts(&ext, len);
            let signed = ext.signature.is_some();
            if method == "TransactionPaymentApi_query_info" {
                let info = transaction_payment::RuntimeDispatchInfo {
                    weight: ext.call.weight(),
                    class: crate::primitives::DispatchClass::Normal,
                    partial_fee: if signed && ext.call.pays_fee() {
                        base + len_fee + weight_fee
                    } else {
                        0
                    },
                };
                Ok(info.encode())
            } else {
                let details = FeeDetails {
                    inclusion_fee: (signed && ext.call.pays_fee()).then_some(InclusionFee {
                        base_fee: base,
                        len_fee,
                        adjusted_weight_fee: weight_fee,
                    }),
                    tip,
                };
                Ok(details.encode())
            }
        }
        "SubnetRegistrationRuntimeApi_get_network_registration_cost" => {
            args::<()>(method, bytes)?;
            let block = common::block_number(env.state);
            Ok(registration::lock_cost(env.state, block).encode())
        }
        other => subtensor_api(env.state, other, bytes)
            .unwrap_or_else(|| Err(ApiError::NotFound(other.to_string()))),
    }
}

/// Dispatches `<Api>_<name>` to the module serving subtensor API `Api`.
fn subtensor_api(state: &State, method: &str, bytes: &[u8]) -> Option<Result<Vec<u8>, ApiError>> {
    let (api, name) = method.split_once('_')?;
    match api {
        "NeuronInfoRuntimeApi" => neuron_info::call(state, name, method, bytes),
        "SubnetInfoRuntimeApi" => subnet_info::call(state, name, method, bytes),
        "StakeInfoRuntimeApi" => stake_info::call(state, name, method, bytes),
        "DelegateInfoRuntimeApi" => delegate_info::call(state, name, method, bytes),
        "SwapRuntimeApi" => swap::call(state, name, method, bytes),
        _ => None,
    }
}

fn method(
    name: &'static str,
    inputs: Vec<RuntimeApiMethodParamMetadata>,
    output: scale_info::MetaType,
    docs: &[&'static str],
) -> RuntimeApiMethodMetadata {
    RuntimeApiMethodMetadata {
        name,
        inputs,
        output,
        docs: docs.to_vec(),
    }
}

fn param<T: TypeInfo + 'static>(name: &'static str) -> RuntimeApiMethodParamMetadata {
    RuntimeApiMethodParamMetadata {
        name,
        ty: meta_type::<T>(),
    }
}

/// V15 metadata of the runtime APIs.
pub fn metadata() -> Vec<RuntimeApiMetadata> {
    vec![
        RuntimeApiMetadata {
            name: "Core",
            methods: vec![method(
                "version",
                vec![],
                meta_type::<RuntimeVersion>(),
                &[" Returns the version of the runtime."],
            )],
            docs: vec![" The `Core` runtime api that every Substrate runtime needs to implement."],
        },
        RuntimeApiMetadata {
            name: "Metadata",
            methods: vec![
                method(
                    "metadata",
                    vec![],
                    meta_type::<OpaqueMetadata>(),
                    &[" Returns the metadata of a runtime."],
                ),
                method(
                    "metadata_at_version",
                    vec![param::<u32>("version")],
                    meta_type::<Option<OpaqueMetadata>>(),
                    &[" Returns the metadata at a given version."],
                ),
                method(
                    "metadata_versions",
                    vec![],
                    meta_type::<Vec<u32>>(),
                    &[" Returns the supported metadata versions."],
                ),
            ],
            docs: vec![" The `Metadata` api trait that returns metadata for the runtime."],
        },
        RuntimeApiMetadata {
            name: "AccountNonceApi",
            methods: vec![method(
                "account_nonce",
                vec![param::<AccountId32>("account")],
                meta_type::<u32>(),
                &[" Get current account nonce of given `AccountId`."],
            )],
            docs: vec![" The API to query account nonce."],
        },
        RuntimeApiMetadata {
            name: "TransactionPaymentApi",
            methods: vec![
                method(
                    "query_info",
                    vec![param::<UncheckedExtrinsic>("uxt"), param::<u32>("len")],
                    meta_type::<transaction_payment::RuntimeDispatchInfo>(),
                    &[],
                ),
                method(
                    "query_fee_details",
                    vec![param::<UncheckedExtrinsic>("uxt"), param::<u32>("len")],
                    meta_type::<FeeDetails>(),
                    &[],
                ),
            ],
            docs: vec![],
        },
        delegate_info::metadata(),
        neuron_info::metadata(),
        subnet_info::metadata(),
        stake_info::metadata(),
        RuntimeApiMetadata {
            name: "SubnetRegistrationRuntimeApi",
            methods: vec![method(
                "get_network_registration_cost",
                vec![],
                meta_type::<u64>(),
                &[],
            )],
            docs: vec![],
        },
        swap::metadata(),
    ]
}
