//! Compares every item of the metadata we serve with the item of the same name in real subtensor
//! metadata (`shared/substrate/`, read at test time): pallet and call indices, storage hashers and
//! types, event/error/call variants with their field names, order and type shapes, constants,
//! transaction extensions and runtime APIs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed, v15};
use localtensor_chain::metadata;
use localtensor_chain::runtime::apis::BEYOND_SPEC_343;
use parity_scale_codec::Decode;
use scale_info::{PortableRegistry, TypeDef};
use std::collections::HashSet;
use std::path::PathBuf;

fn reference_path(name: &str) -> PathBuf {
    // CI points LOCALTENSOR_SHARED at the shared data; otherwise it sits next to the workspace.
    if let Ok(shared) = std::env::var("LOCALTENSOR_SHARED") {
        return PathBuf::from(shared).join("substrate").join(name);
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.ancestors().nth(2).unwrap().to_path_buf();
    root.join("../shared/substrate").join(name)
}

fn load_reference_v15() -> v15::RuntimeMetadataV15 {
    let text =
        std::fs::read_to_string(reference_path("subtensor-metadata-v15-spec343.hex")).unwrap();
    let bytes = hex::decode(text.trim().trim_start_matches("0x")).unwrap();
    let opaque: Option<Vec<u8>> = Decode::decode(&mut &bytes[..]).unwrap();
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &opaque.unwrap()[..]).unwrap();
    match prefixed.1 {
        RuntimeMetadata::V15(m) => m,
        _ => panic!("reference is not V15"),
    }
}

struct Cmp<'a> {
    ours: &'a PortableRegistry,
    theirs: &'a PortableRegistry,
    seen: HashSet<(u32, u32)>,
    errors: Vec<String>,
}

fn is_open_enum(path: &str) -> bool {
    // Enums we serve a subset of: pallet calls/events/errors and the outer enums.
    path.starts_with("node_subtensor_runtime::Runtime")
        || path.ends_with("::pallet::Call")
        || path.ends_with("::pallet::Event")
        || path.ends_with("::pallet::Error")
}

impl Cmp<'_> {
    fn fields(
        &mut self,
        ctx: &str,
        a: &[scale_info::Field<scale_info::form::PortableForm>],
        b: &[scale_info::Field<scale_info::form::PortableForm>],
    ) {
        let names_a: Vec<_> = a.iter().map(|f| f.name.clone()).collect();
        let names_b: Vec<_> = b.iter().map(|f| f.name.clone()).collect();
        if names_a != names_b {
            self.errors.push(format!(
                "{ctx}: fields {names_a:?} != reference {names_b:?}"
            ));
            return;
        }
        for (fa, fb) in a.iter().zip(b) {
            let name = fa.name.clone().unwrap_or_default();
            self.ty(&format!("{ctx}.{name}"), fa.ty.id, fb.ty.id);
        }
    }

    fn ty(&mut self, ctx: &str, a: u32, b: u32) {
        if !self.seen.insert((a, b)) {
            return;
        }
        let (Some(ta), Some(tb)) = (self.ours.resolve(a), self.theirs.resolve(b)) else {
            self.errors.push(format!("{ctx}: unresolvable type id"));
            return;
        };
        let pa = ta.path.segments.join("::");
        let pb = tb.path.segments.join("::");
        if pa != pb {
            self.errors
                .push(format!("{ctx}: path {pa:?} != reference {pb:?}"));
            return;
        }
        let ctx = if pa.is_empty() {
            ctx.to_string()
        } else {
            format!("{ctx}<{pa}>")
        };
        match (&ta.type_def, &tb.type_def) {
            (TypeDef::Composite(x), TypeDef::Composite(y)) => {
                self.fields(&ctx, &x.fields, &y.fields)
            }
            (TypeDef::Variant(x), TypeDef::Variant(y)) => {
                if !is_open_enum(&pa) && x.variants.len() != y.variants.len() {
                    self.errors.push(format!(
                        "{ctx}: {} variants, reference has {}",
                        x.variants.len(),
                        y.variants.len()
                    ));
                }
                for v in &x.variants {
                    match y.variants.iter().find(|w| w.name == v.name) {
                        None => self
                            .errors
                            .push(format!("{ctx}: variant {} not in reference", v.name)),
                        Some(w) => {
                            if v.index != w.index {
                                self.errors.push(format!(
                                    "{ctx}::{}: index {} != reference {}",
                                    v.name, v.index, w.index
                                ));
                            }
                            self.fields(&format!("{ctx}::{}", v.name), &v.fields, &w.fields);
                        }
                    }
                }
            }
            (TypeDef::Sequence(x), TypeDef::Sequence(y)) => {
                self.ty(&format!("{ctx}[]"), x.type_param.id, y.type_param.id)
            }
            (TypeDef::Array(x), TypeDef::Array(y)) => {
                if x.len != y.len {
                    self.errors.push(format!(
                        "{ctx}: array length {} != reference {}",
                        x.len, y.len
                    ));
                }
                self.ty(&format!("{ctx}[..]"), x.type_param.id, y.type_param.id)
            }
            (TypeDef::Tuple(x), TypeDef::Tuple(y)) => {
                if x.fields.len() != y.fields.len() {
                    self.errors.push(format!(
                        "{ctx}: tuple of {} != reference {}",
                        x.fields.len(),
                        y.fields.len()
                    ));
                    return;
                }
                for (i, (fa, fb)) in x.fields.iter().zip(&y.fields).enumerate() {
                    self.ty(&format!("{ctx}.{i}"), fa.id, fb.id);
                }
            }
            (TypeDef::Primitive(x), TypeDef::Primitive(y)) => {
                if x != y {
                    self.errors.push(format!("{ctx}: {x:?} != reference {y:?}"));
                }
            }
            (TypeDef::Compact(x), TypeDef::Compact(y)) => {
                self.ty(&format!("{ctx}(compact)"), x.type_param.id, y.type_param.id)
            }
            (x, y) => {
                self.errors
                    .push(format!("{ctx}: shape {} != reference {}", kind(x), kind(y)))
            }
        }
    }
}

fn kind(t: &TypeDef<scale_info::form::PortableForm>) -> &'static str {
    match t {
        TypeDef::Composite(_) => "composite",
        TypeDef::Variant(_) => "variant",
        TypeDef::Sequence(_) => "sequence",
        TypeDef::Array(_) => "array",
        TypeDef::Tuple(_) => "tuple",
        TypeDef::Primitive(_) => "primitive",
        TypeDef::Compact(_) => "compact",
        TypeDef::BitSequence(_) => "bitsequence",
    }
}

#[test]
fn every_served_item_matches_subtensor() {
    let ours = metadata::v15();
    let theirs = load_reference_v15();
    let mut c = Cmp {
        ours: &ours.types,
        theirs: &theirs.types,
        seen: HashSet::new(),
        errors: Vec::new(),
    };
    let mut checked = 0usize;

    for p in &ours.pallets {
        let Some(q) = theirs.pallets.iter().find(|q| q.name == p.name) else {
            c.errors.push(format!("pallet {} not in reference", p.name));
            continue;
        };
        if p.index != q.index {
            c.errors.push(format!(
                "pallet {}: index {} != reference {}",
                p.name, p.index, q.index
            ));
        }
        if let (Some(s), Some(t)) = (&p.storage, &q.storage) {
            assert_eq!(s.prefix, t.prefix);
            for e in &s.entries {
                let ctx = format!("{}.{}", p.name, e.name);
                let Some(f) = t.entries.iter().find(|f| f.name == e.name) else {
                    c.errors.push(format!("storage {ctx} not in reference"));
                    continue;
                };
                checked += 1;
                if e.default != f.default {
                    c.errors.push(format!(
                        "storage {ctx}: default 0x{} != reference 0x{}",
                        hex::encode(&e.default),
                        hex::encode(&f.default)
                    ));
                }
                if e.modifier != f.modifier {
                    c.errors.push(format!(
                        "storage {ctx}: modifier {:?} != reference {:?}",
                        e.modifier, f.modifier
                    ));
                }
                use frame_metadata::v15::StorageEntryType as T;
                match (&e.ty, &f.ty) {
                    (T::Plain(a), T::Plain(b)) => c.ty(&ctx, a.id, b.id),
                    (
                        T::Map {
                            hashers: ha,
                            key: ka,
                            value: va,
                        },
                        T::Map {
                            hashers: hb,
                            key: kb,
                            value: vb,
                        },
                    ) => {
                        if ha != hb {
                            c.errors
                                .push(format!("storage {ctx}: hashers {ha:?} != reference {hb:?}"));
                        }
                        c.ty(&format!("{ctx}(key)"), ka.id, kb.id);
                        c.ty(&ctx, va.id, vb.id);
                    }
                    _ => c.errors.push(format!("storage {ctx}: plain/map mismatch")),
                }
            }
        } else if p.storage.is_some() {
            c.errors
                .push(format!("pallet {}: reference has no storage", p.name));
        }
        for (what, a, b) in [
            (
                "calls",
                p.calls.as_ref().map(|x| x.ty.id),
                q.calls.as_ref().map(|x| x.ty.id),
            ),
            (
                "events",
                p.event.as_ref().map(|x| x.ty.id),
                q.event.as_ref().map(|x| x.ty.id),
            ),
            (
                "errors",
                p.error.as_ref().map(|x| x.ty.id),
                q.error.as_ref().map(|x| x.ty.id),
            ),
        ] {
            match (a, b) {
                (Some(a), Some(b)) => {
                    checked += 1;
                    c.ty(&format!("{}.{what}", p.name), a, b)
                }
                (Some(_), None) => c
                    .errors
                    .push(format!("pallet {}: reference has no {what}", p.name)),
                _ => {}
            }
        }
        for k in &p.constants {
            match q.constants.iter().find(|l| l.name == k.name) {
                None => c
                    .errors
                    .push(format!("constant {}.{} not in reference", p.name, k.name)),
                Some(l) => {
                    checked += 1;
                    c.ty(&format!("{}.{}", p.name, k.name), k.ty.id, l.ty.id)
                }
            }
        }
    }

    // Extrinsic format and the extension list (spec 425 adds two zero-sized extensions after
    // ChargeTransactionPayment to the reference's spec-343 list).
    assert_eq!(ours.extrinsic.version, theirs.extrinsic.version);
    c.ty(
        "address",
        ours.extrinsic.address_ty.id,
        theirs.extrinsic.address_ty.id,
    );
    c.ty(
        "signature",
        ours.extrinsic.signature_ty.id,
        theirs.extrinsic.signature_ty.id,
    );
    c.ty(
        "call",
        ours.extrinsic.call_ty.id,
        theirs.extrinsic.call_ty.id,
    );
    let our_ids: Vec<&str> = ours
        .extrinsic
        .signed_extensions
        .iter()
        .map(|e| e.identifier.as_str())
        .collect();
    let mut expected: Vec<&str> = theirs
        .extrinsic
        .signed_extensions
        .iter()
        .map(|e| e.identifier.as_str())
        .collect();
    let at = expected
        .iter()
        .position(|e| *e == "ChargeTransactionPayment")
        .unwrap()
        + 1;
    expected.splice(
        at..at,
        ["SudoTransactionExtension", "CheckShieldedTxValidity"],
    );
    assert_eq!(our_ids, expected);
    assert_eq!(our_ids.len(), 13);
    for e in &ours.extrinsic.signed_extensions {
        if let Some(f) = theirs
            .extrinsic
            .signed_extensions
            .iter()
            .find(|f| f.identifier == e.identifier)
        {
            checked += 1;
            c.ty(&format!("extension {}", e.identifier), e.ty.id, f.ty.id);
            c.ty(
                &format!("extension {} (implicit)", e.identifier),
                e.additional_signed.id,
                f.additional_signed.id,
            );
        }
    }

    // Outer enums and runtime APIs.
    c.ty(
        "RuntimeEvent",
        ours.outer_enums.event_enum_ty.id,
        theirs.outer_enums.event_enum_ty.id,
    );
    c.ty(
        "RuntimeError",
        ours.outer_enums.error_enum_ty.id,
        theirs.outer_enums.error_enum_ty.id,
    );
    for api in &ours.apis {
        let Some(their_api) = theirs.apis.iter().find(|a| a.name == api.name) else {
            c.errors
                .push(format!("runtime API {} not in reference", api.name));
            continue;
        };
        for m in &api.methods {
            let ctx = format!("{}_{}", api.name, m.name);
            let Some(n) = their_api.methods.iter().find(|n| n.name == m.name) else {
                // Newer methods are allowed only when declared as such.
                if !BEYOND_SPEC_343.contains(&(api.name.as_str(), m.name.as_str())) {
                    c.errors.push(format!("{ctx} not in reference"));
                }
                continue;
            };
            if BEYOND_SPEC_343.contains(&(api.name.as_str(), m.name.as_str())) {
                c.errors
                    .push(format!("{ctx} is in the reference but declared newer"));
            }
            checked += 1;
            let names_a: Vec<_> = m.inputs.iter().map(|i| i.name.as_str()).collect();
            let names_b: Vec<_> = n.inputs.iter().map(|i| i.name.as_str()).collect();
            if names_a != names_b {
                c.errors.push(format!(
                    "{ctx}: inputs {names_a:?} != reference {names_b:?}"
                ));
                continue;
            }
            for (i, j) in m.inputs.iter().zip(&n.inputs) {
                c.ty(&format!("{ctx}({})", i.name), i.ty.id, j.ty.id);
            }
            c.ty(&format!("{ctx} output"), m.output.id, n.output.id);
        }
    }

    assert!(checked > 30, "compared only {checked} items");
    assert!(
        c.errors.is_empty(),
        "{} mismatches:\n{}",
        c.errors.len(),
        c.errors.join("\n")
    );
}

fn load_reference_v14() -> frame_metadata::v14::RuntimeMetadataV14 {
    let text =
        std::fs::read_to_string(reference_path("subtensor-metadata-v14-spec343.hex")).unwrap();
    let bytes = hex::decode(text.trim().trim_start_matches("0x")).unwrap();
    let prefixed = RuntimeMetadataPrefixed::decode(&mut &bytes[..]).unwrap();
    match prefixed.1 {
        RuntimeMetadata::V14(m) => m,
        _ => panic!("reference is not V14"),
    }
}

#[test]
fn v14_extrinsic_and_pallets_match_subtensor() {
    let ours = metadata::v14();
    let theirs = load_reference_v14();
    let mut c = Cmp {
        ours: &ours.types,
        theirs: &theirs.types,
        seen: HashSet::new(),
        errors: Vec::new(),
    };
    // The extrinsic type carries the address, call, signature and extension types as parameters.
    c.ty("extrinsic", ours.extrinsic.ty.id, theirs.extrinsic.ty.id);
    let params = |reg: &PortableRegistry, id: u32| -> Vec<String> {
        reg.resolve(id)
            .unwrap()
            .type_params
            .iter()
            .map(|p| p.name.clone())
            .collect()
    };
    assert_eq!(
        params(&ours.types, ours.extrinsic.ty.id),
        params(&theirs.types, theirs.extrinsic.ty.id)
    );
    for p in &ours.pallets {
        let q = theirs.pallets.iter().find(|q| q.name == p.name).unwrap();
        assert_eq!(p.index, q.index, "{}", p.name);
        if let (Some(a), Some(b)) = (&p.calls, &q.calls) {
            c.ty(&format!("{}.calls", p.name), a.ty.id, b.ty.id);
        }
        if let (Some(a), Some(b)) = (&p.event, &q.event) {
            c.ty(&format!("{}.events", p.name), a.ty.id, b.ty.id);
        }
    }
    assert!(
        c.errors.is_empty(),
        "{} mismatches:\n{}",
        c.errors.len(),
        c.errors.join("\n")
    );
}

#[test]
fn no_type_keeps_a_path_of_this_crate() {
    let ours = metadata::v15();
    assert_eq!(metadata::unmapped_paths(&ours.types), Vec::<String>::new());
    let v14 = metadata::v14();
    assert_eq!(metadata::unmapped_paths(&v14.types), Vec::<String>::new());
}

#[test]
fn served_blobs_decode_as_v14_and_v15() {
    let v15 = RuntimeMetadataPrefixed::decode(&mut &metadata::encoded_v15()[..]).unwrap();
    assert!(matches!(v15.1, RuntimeMetadata::V15(_)));
    let v14 = RuntimeMetadataPrefixed::decode(&mut &metadata::encoded_v14()[..]).unwrap();
    assert!(matches!(v14.1, RuntimeMetadata::V14(_)));
}
