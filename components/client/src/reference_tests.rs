//! The names and types this client relies on, checked against a real subtensor runtime's
//! metadata (V15, spec 343; `shared/substrate/subtensor-metadata-v15-spec343.hex`, or
//! `$LOCALTENSOR_SHARED/substrate/...`): every call, storage item and runtime API exists, and
//! values of the real types decode into this client's structs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::keys::AccountId;
use crate::metagraph::{NeuronInfoLite, RawMetagraph};
use scale_info::{PortableRegistry, TypeDef, TypeDefPrimitive};
use std::path::PathBuf;
use subxt::ext::scale_decode::DecodeAsType;
use subxt::metadata::Metadata;

fn reference_path() -> PathBuf {
    let name = "subtensor-metadata-v15-spec343.hex";
    if let Ok(shared) = std::env::var("LOCALTENSOR_SHARED") {
        return PathBuf::from(shared).join("substrate").join(name);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.ancestors().nth(2).unwrap().to_path_buf();
    root.join("../shared/substrate").join(name)
}

fn unhex(text: &str) -> Vec<u8> {
    let h = text.trim().trim_start_matches("0x");
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

/// Subtensor's metadata: the hex is `Option<Vec<u8>>` around the prefixed metadata.
fn reference() -> Metadata {
    let path = reference_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let bytes = unhex(&text);
    // Option tag (1), then the compact length of the inner Vec<u8>.
    assert_eq!(bytes[0], 1);
    let mut rest = &bytes[1..];
    let len: subxt::ext::codec::Compact<u32> =
        subxt::ext::codec::Decode::decode(&mut rest).unwrap();
    assert_eq!(rest.len(), len.0 as usize);
    Metadata::decode_from(rest).unwrap()
}

/// SCALE bytes of a value of type `id` with every number zero, every variant the first one and
/// every sequence holding one element (so element types are exercised too).
fn sample(types: &PortableRegistry, id: u32, depth: u32, out: &mut Vec<u8>) {
    assert!(depth < 32, "type {id} nests too deeply");
    let ty = types.resolve(id).unwrap();
    match &ty.type_def {
        TypeDef::Composite(c) => {
            for f in &c.fields {
                sample(types, f.ty.id, depth + 1, out);
            }
        }
        TypeDef::Variant(v) => {
            // Prefer a variant with fields (`Some` over `None`) so the inner type is covered.
            let var = v
                .variants
                .iter()
                .find(|x| !x.fields.is_empty())
                .or(v.variants.first())
                .unwrap();
            out.push(var.index);
            for f in &var.fields {
                sample(types, f.ty.id, depth + 1, out);
            }
        }
        TypeDef::Sequence(s) => {
            out.push(4); // compact 1
            sample(types, s.type_param.id, depth + 1, out);
        }
        TypeDef::Array(a) => {
            for _ in 0..a.len {
                sample(types, a.type_param.id, depth + 1, out);
            }
        }
        TypeDef::Tuple(t) => {
            for f in &t.fields {
                sample(types, f.id, depth + 1, out);
            }
        }
        TypeDef::Primitive(p) => {
            let width = match p {
                TypeDefPrimitive::Bool | TypeDefPrimitive::U8 | TypeDefPrimitive::I8 => 1,
                TypeDefPrimitive::Char | TypeDefPrimitive::U32 | TypeDefPrimitive::I32 => 4,
                TypeDefPrimitive::Str => 1, // empty string: compact 0
                TypeDefPrimitive::U16 | TypeDefPrimitive::I16 => 2,
                TypeDefPrimitive::U64 | TypeDefPrimitive::I64 => 8,
                TypeDefPrimitive::U128 | TypeDefPrimitive::I128 => 16,
                TypeDefPrimitive::U256 | TypeDefPrimitive::I256 => 32,
            };
            out.extend(std::iter::repeat_n(0u8, width));
        }
        TypeDef::Compact(_) => out.push(0),
        TypeDef::BitSequence(_) => out.push(0),
    }
}

fn decode_sample<T: DecodeAsType>(md: &Metadata, id: u32) -> T {
    let mut bytes = Vec::new();
    sample(md.types(), id, 0, &mut bytes);
    let mut input = &bytes[..];
    let v =
        T::decode_as_type(&mut input, id, md.types()).unwrap_or_else(|e| panic!("type {id}: {e}"));
    assert!(input.is_empty(), "type {id}: {} bytes left", input.len());
    v
}

#[test]
fn calls_exist_with_the_argument_counts_used() {
    let md = reference();
    for (pallet, call, args) in [
        ("Balances", "transfer_keep_alive", 2),
        ("SubtensorModule", "register_network", 1),
        ("SubtensorModule", "start_call", 1),
        ("SubtensorModule", "burned_register", 2),
        ("SubtensorModule", "add_stake", 3),
        ("SubtensorModule", "remove_stake", 3),
        ("SubtensorModule", "set_weights", 4),
        ("SubtensorModule", "set_mechanism_weights", 5),
        ("SubtensorModule", "serve_axon", 8),
        ("Sudo", "sudo", 1),
        ("AdminUtils", "sudo_set_tempo", 2),
        ("AdminUtils", "sudo_set_weights_set_rate_limit", 2),
        ("AdminUtils", "sudo_set_commit_reveal_weights_enabled", 2),
        ("Utility", "batch_all", 1),
    ] {
        let p = md
            .pallet_by_name(pallet)
            .unwrap_or_else(|| panic!("{pallet}"));
        let v = p
            .call_variant_by_name(call)
            .unwrap_or_else(|| panic!("{pallet}.{call}"));
        assert_eq!(v.fields.len(), args, "{pallet}.{call}");
    }
    // The error names the tests expect exist there too.
    let subtensor = md.pallet_by_name("SubtensorModule").unwrap();
    let errors = md
        .types()
        .resolve(subtensor.error_ty_id().unwrap())
        .unwrap();
    let TypeDef::Variant(errors) = &errors.type_def else {
        panic!("error type is not an enum")
    };
    for name in ["SettingWeightsTooFast", "SubnetNotExists"] {
        assert!(errors.variants.iter().any(|v| v.name == name), "{name}");
    }
}

#[test]
fn storage_values_decode_into_the_client_types() {
    let md = reference();
    let value_ty = |pallet: &str, item: &str| {
        md.pallet_by_name(pallet)
            .and_then(|p| p.storage())
            .and_then(|s| s.entry_by_name(item))
            .unwrap_or_else(|| panic!("{pallet}.{item}"))
            .value_ty()
    };
    let s = "SubtensorModule";
    decode_sample::<bool>(&md, value_ty(s, "NetworksAdded"));
    decode_sample::<u16>(&md, value_ty(s, "TotalNetworks"));
    decode_sample::<u16>(&md, value_ty(s, "Tempo"));
    decode_sample::<u16>(&md, value_ty(s, "SubnetworkN"));
    decode_sample::<u16>(&md, value_ty(s, "Uids"));
    decode_sample::<AccountId>(&md, value_ty(s, "Keys"));
    decode_sample::<Vec<(u16, u16)>>(&md, value_ty(s, "Weights"));
    for item in ["Incentive", "Dividends", "Consensus", "ValidatorTrust"] {
        decode_sample::<Vec<u16>>(&md, value_ty(s, item));
    }
    for item in ["Emission", "LastUpdate"] {
        decode_sample::<Vec<u64>>(&md, value_ty(s, item));
    }
    for item in ["ValidatorPermit", "Active"] {
        decode_sample::<Vec<bool>>(&md, value_ty(s, item));
    }
    decode_sample::<u64>(&md, value_ty(s, "TotalHotkeyAlpha"));
    decode_sample::<bool>(&md, value_ty(s, "CommitRevealWeightsEnabled"));
    decode_sample::<u64>(&md, value_ty(s, "WeightsSetRateLimit"));
    decode_sample::<u64>(&md, value_ty(s, "Burn"));
    // System.Account: the client reads data.free.
    use subxt::dynamic::At;
    let account: crate::Value = decode_sample(&md, value_ty("System", "Account"));
    assert!(account.at("data").and_then(|d| d.at("free")).is_some());
}

#[test]
fn runtime_api_outputs_decode_into_the_client_structs() {
    let md = reference();
    let output = |api: &str, method: &str| {
        md.runtime_api_trait_by_name(api)
            .and_then(|t| t.method_by_name(method))
            .unwrap_or_else(|| panic!("{api}.{method}"))
            .output_ty()
    };
    // Option<Metagraph>: the sample is Some with one neuron.
    let mg: Option<RawMetagraph> =
        decode_sample(&md, output("SubnetInfoRuntimeApi", "get_metagraph"));
    let mg = mg.unwrap().into_metagraph(&[7]).unwrap();
    assert_eq!(mg.n, 1);
    assert_eq!(mg.neurons[0].validator_trust, 7);
    // Vec<NeuronInfoLite>: one neuron.
    let lite: Vec<NeuronInfoLite> =
        decode_sample(&md, output("NeuronInfoRuntimeApi", "get_neurons_lite"));
    assert_eq!(lite.len(), 1);
    assert_eq!(lite[0].stake.len(), 1);
}
