//! Prints items of a SCALE metadata blob (hex of `Option<OpaqueMetadata>` or of plain metadata)
//! in a readable form, to look up subtensor's names, indices and type shapes.
//!
//! `cargo run --example refdump -- ../shared/substrate/subtensor-metadata-v15-spec343.hex Balances`

use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use parity_scale_codec::Decode;
use scale_info::{PortableRegistry, TypeDef, form::PortableForm};

fn show(reg: &PortableRegistry, id: u32, depth: usize) -> String {
    let Some(ty) = reg.resolve(id) else {
        return format!("#{id}?");
    };
    let path = ty.path.segments.join("::");
    let params: Vec<String> = ty
        .type_params
        .iter()
        .map(|p| format!("{}={:?}", p.name, p.ty.map(|t| t.id)))
        .collect();
    let head = format!("#{id} {path}<{}>", params.join(","));
    if depth == 0 {
        return head;
    }
    let fields = |fs: &[scale_info::Field<PortableForm>]| -> String {
        fs.iter()
            .map(|f| {
                format!(
                    "{}: {} [{}]",
                    f.name.clone().unwrap_or_default(),
                    show(reg, f.ty.id, depth - 1),
                    f.type_name.clone().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &ty.type_def {
        TypeDef::Composite(c) => format!("{head} {{ {} }}", fields(&c.fields)),
        TypeDef::Variant(v) => {
            let vs: Vec<String> = v
                .variants
                .iter()
                .map(|v| format!("\n    {}={} ({})", v.name, v.index, fields(&v.fields)))
                .collect();
            format!("{head} enum[{}]", vs.join(""))
        }
        TypeDef::Sequence(s) => format!("{head} Vec<{}>", show(reg, s.type_param.id, depth - 1)),
        TypeDef::Array(a) => format!(
            "{head} [{}; {}]",
            show(reg, a.type_param.id, depth - 1),
            a.len
        ),
        TypeDef::Tuple(t) => format!(
            "{head} ({})",
            t.fields
                .iter()
                .map(|f| show(reg, f.id, depth - 1))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        TypeDef::Primitive(p) => format!("{head} {p:?}"),
        TypeDef::Compact(c) => format!("{head} Compact<{}>", show(reg, c.type_param.id, depth - 1)),
        TypeDef::BitSequence(_) => format!("{head} BitSeq"),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        return Err("usage: refdump FILE.hex [PALLET|extrinsic|api:NAME|type:ID] [DEPTH]".into());
    };
    let text = std::fs::read_to_string(path)?;
    let bytes = hex::decode(text.trim().trim_start_matches("0x"))?;
    let meta = if bytes.starts_with(b"meta") {
        RuntimeMetadataPrefixed::decode(&mut &bytes[..])?
    } else {
        let opaque: Option<Vec<u8>> = Decode::decode(&mut &bytes[..])?;
        RuntimeMetadataPrefixed::decode(&mut &opaque.ok_or("None")?[..])?
    };
    let want = args.get(2).cloned().unwrap_or_default();
    let depth: usize = args.get(3).and_then(|d| d.parse().ok()).unwrap_or(2);
    match meta.1 {
        RuntimeMetadata::V15(m) => {
            let reg = &m.types;
            if want == "extrinsic" {
                let e = &m.extrinsic;
                println!("address {}", show(reg, e.address_ty.id, depth));
                println!("call {}", show(reg, e.call_ty.id, 1));
                println!("signature {}", show(reg, e.signature_ty.id, depth));
                println!("extra {}", show(reg, e.extra_ty.id, depth));
                for s in &e.signed_extensions {
                    println!(
                        "ext {} {} / {}",
                        s.identifier,
                        show(reg, s.ty.id, depth),
                        show(reg, s.additional_signed.id, depth)
                    );
                }
                println!(
                    "outer event {}",
                    show(reg, m.outer_enums.event_enum_ty.id, 1)
                );
                println!(
                    "outer error {}",
                    show(reg, m.outer_enums.error_enum_ty.id, 1)
                );
                println!("runtime ty {}", show(reg, m.ty.id, 1));
                return Ok(());
            }
            if let Some(api) = want.strip_prefix("api:") {
                for a in m.apis.iter().filter(|a| a.name == api) {
                    for me in &a.methods {
                        let ins: Vec<String> = me
                            .inputs
                            .iter()
                            .map(|i| format!("{}: {}", i.name, show(reg, i.ty.id, depth)))
                            .collect();
                        println!(
                            "{}.{}({}) -> {}",
                            a.name,
                            me.name,
                            ins.join(", "),
                            show(reg, me.output.id, depth)
                        );
                    }
                }
                return Ok(());
            }
            if let Some(id) = want.strip_prefix("type:") {
                println!("{}", show(reg, id.parse()?, depth));
                return Ok(());
            }
            for p in m.pallets.iter().filter(|p| p.name == want) {
                println!("pallet {} index {}", p.name, p.index);
                if let Some(s) = &p.storage {
                    for e in &s.entries {
                        let ty = match &e.ty {
                            frame_metadata::v15::StorageEntryType::Plain(t) => {
                                show(reg, t.id, depth)
                            }
                            frame_metadata::v15::StorageEntryType::Map {
                                hashers,
                                key,
                                value,
                            } => format!(
                                "map {:?} {} => {}",
                                hashers,
                                show(reg, key.id, depth),
                                show(reg, value.id, depth)
                            ),
                        };
                        println!(
                            "storage {} {:?} default=0x{} {}",
                            e.name,
                            e.modifier,
                            hex::encode(&e.default),
                            ty
                        );
                    }
                }
                if let Some(c) = &p.calls {
                    println!("calls {}", show(reg, c.ty.id, depth));
                }
                if let Some(c) = &p.event {
                    println!("events {}", show(reg, c.ty.id, depth));
                }
                if let Some(c) = &p.error {
                    println!("errors {}", show(reg, c.ty.id, 1));
                }
                for c in &p.constants {
                    println!(
                        "const {} = 0x{} : {}",
                        c.name,
                        hex::encode(&c.value),
                        show(reg, c.ty.id, depth)
                    );
                }
            }
        }
        RuntimeMetadata::V14(m) => {
            println!(
                "V14 extrinsic ty {}",
                show(&m.types, m.extrinsic.ty.id, depth)
            );
        }
        _ => println!("unsupported version"),
    }
    Ok(())
}
