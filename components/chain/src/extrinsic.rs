//! Version-4 extrinsics: decoding, the 13 transaction extensions of subtensor (spec 425), the
//! signing payload and signature checks, and Substrate's transaction validity errors.

use crate::hashing::blake2_256;
use crate::primitives::{AccountId32, Era, H256, MultiAddress, MultiSignature};
use crate::runtime::RuntimeCall;
use parity_scale_codec::{Compact, Decode, DecodeLimit, Encode, Input};
use scale_info::{Path, Type, TypeInfo, TypeParameter, build::Fields, meta_type};

/// Nesting limit for decoding calls (`sudo(sudo(...))`), as Substrate's `MAX_EXTRINSIC_DEPTH`.
pub const MAX_CALL_DEPTH: u32 = 256;
/// Largest extrinsic accepted, in bytes (subtensor's normal block length is 5 MiB; so is ours).
pub const MAX_EXTRINSIC_LEN: usize = 5 * 1024 * 1024;

/// Why bytes are not a well-formed extrinsic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The compact length prefix is missing or does not match the byte count.
    #[error("length prefix says {declared} bytes but {actual} follow")]
    Length {
        /// Length in the prefix.
        declared: usize,
        /// Bytes present.
        actual: usize,
    },
    /// Missing or unreadable length prefix.
    #[error("missing compact length prefix")]
    NoLength,
    /// Larger than [`MAX_EXTRINSIC_LEN`].
    #[error("extrinsic of {0} bytes exceeds the {MAX_EXTRINSIC_LEN}-byte limit")]
    TooLarge(usize),
    /// Only v4 signed (0x84) and unsigned (0x04) extrinsics exist here.
    #[error("unsupported extrinsic version byte 0x{0:02x} (expected 0x84 or 0x04)")]
    Version(u8),
    /// The signature part could not be decoded.
    #[error("cannot decode {part}: {reason}")]
    Part {
        /// Which part.
        part: &'static str,
        /// Codec message.
        reason: String,
    },
    /// The call could not be decoded (unknown pallet or call index, or bad arguments).
    #[error("cannot decode call: {0}")]
    Call(String),
    /// Bytes remain after the call.
    #[error("{0} trailing bytes after the call")]
    Trailing(usize),
}

/// The signed extension data carried in a transaction (the "extra"), in metadata order. The
/// zero-sized extensions contribute nothing.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Extra {
    /// CheckMortality.
    pub era: Era,
    /// CheckNonce.
    pub nonce: u32,
    /// ChargeTransactionPayment.
    pub tip: u64,
    /// CheckMetadataHash mode (0 = disabled, 1 = enabled).
    pub metadata_hash_mode: u8,
}

impl Encode for Extra {
    fn encode_to<T: parity_scale_codec::Output + ?Sized>(&self, out: &mut T) {
        self.era.encode_to(out);
        Compact(self.nonce).encode_to(out);
        Compact(self.tip).encode_to(out);
        out.push_byte(self.metadata_hash_mode);
    }
}

impl Decode for Extra {
    fn decode<I: Input>(input: &mut I) -> Result<Self, parity_scale_codec::Error> {
        let era = Era::decode(input)?;
        let nonce = Compact::<u32>::decode(input)?.0;
        let tip = Compact::<u64>::decode(input)?.0;
        let metadata_hash_mode = input.read_byte()?;
        if metadata_hash_mode > 1 {
            return Err("invalid CheckMetadataHash mode".into());
        }
        Ok(Extra {
            era,
            nonce,
            tip,
            metadata_hash_mode,
        })
    }
}

/// The signature part of a signed extrinsic.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct SignaturePart {
    /// Sender address.
    pub address: MultiAddress,
    /// Signature.
    pub signature: MultiSignature,
    /// Extension data.
    pub extra: Extra,
}

/// A decoded extrinsic.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Extrinsic {
    /// Signature, for signed extrinsics.
    pub signature: Option<SignaturePart>,
    /// The call.
    pub call: RuntimeCall,
    /// The call's bytes as sent (signed over exactly these).
    pub call_bytes: Vec<u8>,
    /// The whole extrinsic including its length prefix.
    pub encoded: Vec<u8>,
}

impl Extrinsic {
    /// blake2-256 of the full encoding (how clients find their transaction in a block).
    pub fn hash(&self) -> H256 {
        H256(blake2_256(&self.encoded))
    }

    /// Decodes an extrinsic given with its compact length prefix; every byte must be used.
    pub fn decode_prefixed(bytes: &[u8]) -> Result<Extrinsic, FormatError> {
        let mut input = bytes;
        let declared = Compact::<u32>::decode(&mut input)
            .map_err(|_| FormatError::NoLength)?
            .0 as usize;
        if input.len() > MAX_EXTRINSIC_LEN {
            return Err(FormatError::TooLarge(input.len()));
        }
        if declared != input.len() {
            return Err(FormatError::Length {
                declared,
                actual: input.len(),
            });
        }
        let body = input;
        let (&version, mut rest) = body.split_first().ok_or(FormatError::Version(0))?;
        let signature = match version {
            0x84 => {
                let part = |p: &'static str| {
                    move |e: parity_scale_codec::Error| FormatError::Part {
                        part: p,
                        reason: e.to_string(),
                    }
                };
                let address = MultiAddress::decode(&mut rest).map_err(part("address"))?;
                let signature = MultiSignature::decode(&mut rest).map_err(part("signature"))?;
                let extra = Extra::decode(&mut rest).map_err(part("signed extensions"))?;
                Some(SignaturePart {
                    address,
                    signature,
                    extra,
                })
            }
            0x04 => None,
            other => return Err(FormatError::Version(other)),
        };
        let call_bytes = rest.to_vec();
        let mut cursor = rest;
        let call = RuntimeCall::decode_with_depth_limit(MAX_CALL_DEPTH, &mut cursor)
            .map_err(|e| FormatError::Call(e.to_string()))?;
        if !cursor.is_empty() {
            return Err(FormatError::Trailing(cursor.len()));
        }
        Ok(Extrinsic {
            signature,
            call,
            call_bytes,
            encoded: bytes.to_vec(),
        })
    }

    /// Builds an unsigned (inherent) extrinsic.
    pub fn unsigned(call: RuntimeCall) -> Extrinsic {
        let call_bytes = call.encode();
        let mut body = vec![0x04];
        body.extend_from_slice(&call_bytes);
        Extrinsic {
            signature: None,
            call,
            call_bytes,
            encoded: crate::primitives::with_length_prefix(&body),
        }
    }
}

/// The "implicit" data each signature also covers, not carried in the transaction.
#[derive(Clone, Copy, Debug)]
pub struct Implicit {
    /// Runtime spec version.
    pub spec_version: u32,
    /// Transaction version.
    pub transaction_version: u32,
    /// Genesis hash.
    pub genesis: H256,
    /// Hash of the era's birth block (genesis when immortal).
    pub birth: H256,
}

/// The bytes that are signed: `call ++ extra ++ implicit`, hashed with blake2-256 when over 256.
pub fn signing_payload(call_bytes: &[u8], extra: &Extra, implicit: &Implicit) -> Vec<u8> {
    let mut payload = call_bytes.to_vec();
    extra.encode_to(&mut payload);
    implicit.spec_version.encode_to(&mut payload);
    implicit.transaction_version.encode_to(&mut payload);
    implicit.genesis.encode_to(&mut payload);
    implicit.birth.encode_to(&mut payload);
    // CheckMetadataHash: `None` when disabled.
    payload.push(0);
    if payload.len() > 256 {
        blake2_256(&payload).to_vec()
    } else {
        payload
    }
}

/// Checks a signature by `signer` over `payload`.
pub fn verify_signature(signature: &MultiSignature, signer: &AccountId32, payload: &[u8]) -> bool {
    match signature {
        MultiSignature::Sr25519(sig) => {
            let (Ok(key), Ok(sig)) = (
                schnorrkel::PublicKey::from_bytes(&signer.0),
                schnorrkel::Signature::from_bytes(sig),
            ) else {
                return false;
            };
            key.verify_simple(b"substrate", payload, &sig).is_ok()
        }
        MultiSignature::Ed25519(sig) => {
            let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(&signer.0) else {
                return false;
            };
            key.verify_strict(payload, &ed25519_dalek::Signature::from_bytes(sig))
                .is_ok()
        }
        // ECDSA accounts are the blake2 hash of the public key; not supported by this node.
        MultiSignature::Ecdsa(_) => false,
    }
}

/// Substrate's `InvalidTransaction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidTransaction {
    /// The call is not expected.
    Call,
    /// Cannot pay the fee.
    Payment,
    /// Nonce too high.
    Future,
    /// Nonce too low.
    Stale,
    /// Bad signature.
    BadProof,
    /// The era's birth block is unknown or too old.
    AncientBirthBlock,
    /// Would exhaust the block.
    ExhaustsResources,
    /// A custom error.
    Custom(u8),
    /// Bad signer.
    BadSigner,
}

/// Substrate's `UnknownTransaction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnknownTransaction {
    /// A lookup failed.
    CannotLookup,
    /// Unsigned transactions have no validator here.
    NoUnsignedValidator,
}

/// Why a transaction is refused (the text is Substrate's, which clients match on).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TransactionValidityError {
    /// Invalid.
    #[error("{}", invalid_text(.0))]
    Invalid(InvalidTransaction),
    /// Unknown validity.
    #[error("{}", unknown_text(.0))]
    Unknown(UnknownTransaction),
}

fn invalid_text(e: &InvalidTransaction) -> String {
    match e {
        InvalidTransaction::Call => "Transaction call is not expected".into(),
        InvalidTransaction::Payment => {
            "Inability to pay some fees (e.g. account balance too low)".into()
        }
        InvalidTransaction::Future => "Transaction will be valid in the future".into(),
        InvalidTransaction::Stale => "Transaction is outdated".into(),
        InvalidTransaction::BadProof => "Transaction has a bad signature".into(),
        InvalidTransaction::AncientBirthBlock => "Transaction has an ancient birth block".into(),
        InvalidTransaction::ExhaustsResources => {
            "Transaction would exhaust the block limits".into()
        }
        InvalidTransaction::Custom(n) => format!("Custom error: {n}"),
        InvalidTransaction::BadSigner => "Invalid signing address".into(),
    }
}

fn unknown_text(e: &UnknownTransaction) -> String {
    match e {
        UnknownTransaction::CannotLookup => {
            "Could not lookup information required to validate the transaction".into()
        }
        UnknownTransaction::NoUnsignedValidator => {
            "Could not find an unsigned validator for the unsigned transaction".into()
        }
    }
}

// ---- Type information for metadata: the extension types and the extrinsic type. ----

macro_rules! zero_sized_extension {
    ($($name:ident),* $(,)?) => {$(
        /// A zero-sized transaction extension (only its identifier and type appear in metadata).
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Encode, Decode, TypeInfo)]
        pub struct $name;
    )*};
}

zero_sized_extension!(
    CheckNonZeroSender,
    CheckSpecVersion,
    CheckTxVersion,
    CheckGenesis,
    CheckWeight,
    SudoTransactionExtension,
    CheckShieldedTxValidity,
    SubtensorTransactionExtension,
    DrandPriority,
);

/// CheckMortality: the era.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckMortality(pub Era);

/// CheckNonce: the compact nonce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckNonce(#[codec(compact)] pub u32);

/// ChargeTransactionPayment: the compact tip.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct ChargeTransactionPayment(#[codec(compact)] pub u64);

/// CheckMetadataHash mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Mode {
    /// No metadata hash.
    Disabled,
    /// Metadata hash included in the implicit data.
    Enabled,
}

/// CheckMetadataHash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct CheckMetadataHash {
    /// Mode.
    pub mode: Mode,
}

/// One extension: identifier, type in the transaction, implicit type.
pub struct ExtensionInfo {
    /// Identifier in metadata.
    pub identifier: &'static str,
    /// Type of its data in the transaction.
    pub ty: scale_info::MetaType,
    /// Type of its implicit (signed-only) data.
    pub implicit: scale_info::MetaType,
}

/// The 13 transaction extensions of subtensor spec 425, in order.
pub fn extensions() -> Vec<ExtensionInfo> {
    let e = |identifier, ty, implicit| ExtensionInfo {
        identifier,
        ty,
        implicit,
    };
    vec![
        e(
            "CheckNonZeroSender",
            meta_type::<CheckNonZeroSender>(),
            meta_type::<()>(),
        ),
        e(
            "CheckSpecVersion",
            meta_type::<CheckSpecVersion>(),
            meta_type::<u32>(),
        ),
        e(
            "CheckTxVersion",
            meta_type::<CheckTxVersion>(),
            meta_type::<u32>(),
        ),
        e(
            "CheckGenesis",
            meta_type::<CheckGenesis>(),
            meta_type::<H256>(),
        ),
        e(
            "CheckMortality",
            meta_type::<CheckMortality>(),
            meta_type::<H256>(),
        ),
        e("CheckNonce", meta_type::<CheckNonce>(), meta_type::<()>()),
        e("CheckWeight", meta_type::<CheckWeight>(), meta_type::<()>()),
        e(
            "ChargeTransactionPayment",
            meta_type::<ChargeTransactionPayment>(),
            meta_type::<()>(),
        ),
        e(
            "SudoTransactionExtension",
            meta_type::<SudoTransactionExtension>(),
            meta_type::<()>(),
        ),
        e(
            "CheckShieldedTxValidity",
            meta_type::<CheckShieldedTxValidity>(),
            meta_type::<()>(),
        ),
        e(
            "SubtensorTransactionExtension",
            meta_type::<SubtensorTransactionExtension>(),
            meta_type::<()>(),
        ),
        e(
            "DrandPriority",
            meta_type::<DrandPriority>(),
            meta_type::<()>(),
        ),
        e(
            "CheckMetadataHash",
            meta_type::<CheckMetadataHash>(),
            meta_type::<Option<[u8; 32]>>(),
        ),
    ]
}

/// The tuple of all extension types (the metadata's `extra_ty`).
pub type ExtraTuple = (
    CheckNonZeroSender,
    CheckSpecVersion,
    CheckTxVersion,
    CheckGenesis,
    CheckMortality,
    CheckNonce,
    CheckWeight,
    ChargeTransactionPayment,
    SudoTransactionExtension,
    CheckShieldedTxValidity,
    SubtensorTransactionExtension,
    DrandPriority,
    CheckMetadataHash,
);

/// The extrinsic type as metadata describes it: subtensor's self-contained (frontier) wrapper
/// around Substrate's `UncheckedExtrinsic`, which is opaque bytes whose type parameters name the
/// address, call, signature and extension types.
pub struct UncheckedExtrinsic;

/// The inner, generic Substrate extrinsic type.
pub struct GenericUncheckedExtrinsic;

fn extrinsic_params(last: &'static str) -> Vec<TypeParameter> {
    vec![
        TypeParameter::new("Address", Some(meta_type::<MultiAddress>())),
        TypeParameter::new("Call", Some(meta_type::<RuntimeCall>())),
        TypeParameter::new("Signature", Some(meta_type::<MultiSignature>())),
        TypeParameter::new(last, Some(meta_type::<ExtraTuple>())),
    ]
}

impl TypeInfo for GenericUncheckedExtrinsic {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("GenericUncheckedExtrinsic", module_path!()))
            .type_params(extrinsic_params("Extra"))
            .composite(Fields::unnamed().field(|f| f.ty::<Vec<u8>>()))
    }
}

impl TypeInfo for UncheckedExtrinsic {
    type Identity = Self;
    fn type_info() -> Type {
        Type::builder()
            .path(Path::new("UncheckedExtrinsic", module_path!()))
            .type_params(extrinsic_params("Extension"))
            .composite(Fields::unnamed().field(|f| f.ty::<GenericUncheckedExtrinsic>()))
    }
}
