//! Signed extrinsics: building calls by name, per-signer nonce serialization, submission, waiting
//! for inclusion/finalization, and turning `ExtrinsicFailed` / `Sudo.Sudid(Err)` into
//! [`ChainError`]s named from metadata.

use crate::error::{ChainError, Result};
use crate::keys::{AccountId, Keypair, account_id};
use crate::{Client, Value, calls};
use std::net::IpAddr;
use subxt::PolkadotConfig;
use subxt::client::OnlineClientAtBlockImpl;
use subxt::config::DefaultExtrinsicParamsBuilder;
use subxt::ext::scale_value::{Composite, ValueDef};
use subxt::metadata::Metadata;
use subxt::transactions::{TransactionInBlock, TransactionProgress, TransactionStatus};

/// Blocks a transaction stays valid for (mortal era), as the Python SDKs use.
const MORTALITY: u64 = 128;

/// A runtime call addressed by pallet and call name, with positional arguments (encoded against
/// the call's argument types from metadata).
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// Pallet name, e.g. `SubtensorModule`.
    pub pallet: String,
    /// Call name, e.g. `burned_register`.
    pub name: String,
    /// Arguments in declaration order.
    pub args: Vec<Value>,
}

impl Call {
    /// A call `pallet.name(args...)`.
    pub fn new(
        pallet: impl Into<String>,
        name: impl Into<String>,
        args: impl IntoIterator<Item = Value>,
    ) -> Call {
        Call {
            pallet: pallet.into(),
            name: name.into(),
            args: args.into_iter().collect(),
        }
    }

    /// The call as a value of the runtime's `RuntimeCall` enum (`Pallet(call(args...))`), for
    /// nesting in `Sudo.sudo`, `Utility.batch` and the like.
    pub fn to_value(&self) -> Value {
        Value::unnamed_variant(
            self.pallet.clone(),
            [Value::unnamed_variant(self.name.clone(), self.args.clone())],
        )
    }

    /// Checks that the call exists in `metadata` with this many arguments.
    fn check(&self, metadata: &Metadata) -> Result<()> {
        let pallet = metadata
            .pallet_by_name(&self.pallet)
            .ok_or_else(|| ChainError::Metadata(format!("pallet {}", self.pallet)))?;
        let variant = pallet
            .call_variant_by_name(&self.name)
            .ok_or_else(|| ChainError::Metadata(format!("call {}.{}", self.pallet, self.name)))?;
        if variant.fields.len() != self.args.len() {
            return Err(ChainError::InvalidArgument(format!(
                "{}.{} takes {} arguments, got {}",
                self.pallet,
                self.name,
                variant.fields.len(),
                self.args.len()
            )));
        }
        Ok(())
    }
}

/// An event emitted by an extrinsic.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainEvent {
    /// Pallet name.
    pub pallet: String,
    /// Event name.
    pub name: String,
    /// The event's fields (a composite: named or positional).
    pub fields: Value,
}

impl ChainEvent {
    /// True if this is `pallet.name`.
    pub fn is(&self, pallet: &str, name: &str) -> bool {
        self.pallet == pallet && self.name == name
    }

    /// The field at position `index`, for events with unnamed fields.
    pub fn field(&self, index: usize) -> Option<&Value> {
        match &self.fields.value {
            ValueDef::Composite(c) => c.values().nth(index),
            _ => None,
        }
    }

    /// The field called `name`, for events with named fields.
    pub fn named(&self, name: &str) -> Option<&Value> {
        match &self.fields.value {
            ValueDef::Composite(Composite::Named(fields)) => {
                fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
            }
            _ => None,
        }
    }
}

/// A transaction that made it into a block, with its events.
#[derive(Clone, Debug, PartialEq)]
pub struct TxOutcome {
    /// Hash of the block that includes it.
    pub block_hash: [u8; 32],
    /// Number of that block.
    pub block_number: u64,
    /// Hash of the extrinsic.
    pub extrinsic_hash: [u8; 32],
    /// The extrinsic's events, in order (ending with `System.ExtrinsicSuccess`).
    pub events: Vec<ChainEvent>,
}

impl TxOutcome {
    /// The first event `pallet.name`.
    pub fn find(&self, pallet: &str, name: &str) -> Option<&ChainEvent> {
        self.events.iter().find(|e| e.is(pallet, name))
    }

    /// The netuid from `SubtensorModule.NetworkAdded`, after `register_network`.
    pub fn netuid_added(&self) -> Option<u16> {
        self.find("SubtensorModule", "NetworkAdded")
            .and_then(|e| e.field(0))
            .and_then(value_u16)
    }

    /// The uid from `SubtensorModule.NeuronRegistered`, after a registration.
    pub fn registered_uid(&self) -> Option<u16> {
        self.find("SubtensorModule", "NeuronRegistered")
            .and_then(|e| e.field(1))
            .and_then(value_u16)
    }
}

fn value_u16(v: &Value) -> Option<u16> {
    v.as_u128().and_then(|n| u16::try_from(n).ok())
}

type Progress = TransactionProgress<PolkadotConfig, OnlineClientAtBlockImpl<PolkadotConfig>>;
type InBlock = TransactionInBlock<PolkadotConfig, OnlineClientAtBlockImpl<PolkadotConfig>>;

/// A submitted transaction (in the node's pool). With manual sealing it is included only when a
/// block is made, so the waits below can take as long as the block producer does; wrap them in
/// `tokio::time::timeout` if needed.
pub struct PendingTx {
    progress: Progress,
    hash: [u8; 32],
}

impl std::fmt::Debug for PendingTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingTx")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

impl PendingTx {
    /// Hash of the extrinsic.
    pub fn hash(&self) -> [u8; 32] {
        self.hash
    }

    /// Waits until the transaction is in a (best) block; then checks its outcome.
    pub async fn wait_in_block(self) -> Result<TxOutcome> {
        self.wait(false).await
    }

    /// Waits until the transaction is in a finalized block; then checks its outcome.
    pub async fn wait_finalized(self) -> Result<TxOutcome> {
        self.wait(true).await
    }

    async fn wait(mut self, finalized: bool) -> Result<TxOutcome> {
        while let Some(status) = self.progress.next().await {
            match status? {
                TransactionStatus::InFinalizedBlock(b) => return outcome(b).await,
                TransactionStatus::InBestBlock(b) if !finalized => return outcome(b).await,
                TransactionStatus::Invalid { message } => {
                    return Err(dropped("invalid", message));
                }
                TransactionStatus::Dropped { message } => {
                    return Err(dropped("dropped", message));
                }
                TransactionStatus::Error { message } => return Err(dropped("error", message)),
                _ => {}
            }
        }
        Err(ChainError::Disconnected(
            "transaction status stream ended before the transaction was included".into(),
        ))
    }
}

fn dropped(status: &str, message: String) -> ChainError {
    ChainError::TransactionDropped {
        status: status.into(),
        message,
    }
}

async fn outcome(b: InBlock) -> Result<TxOutcome> {
    let at = b.at().await?;
    let metadata = at.metadata();
    let events = b.fetch_events().await?;
    let mut out = Vec::new();
    for ev in events.iter() {
        let ev = ev?;
        let fields = ev.decode_fields_unchecked_as::<Value>()?;
        out.push(ChainEvent {
            pallet: ev.pallet_name().to_string(),
            name: ev.event_name().to_string(),
            fields,
        });
    }
    for ev in &out {
        if ev.is("System", "ExtrinsicFailed") {
            let err = ev
                .named("dispatch_error")
                .or_else(|| ev.field(0))
                .ok_or_else(|| ChainError::Decode("ExtrinsicFailed without an error".into()))?;
            return Err(dispatch_error(err, &metadata));
        }
        // Sudo reports the inner call's failure in an event of a successful extrinsic.
        if ev.pallet == "Sudo" && (ev.name == "Sudid" || ev.name == "SudoAsDone") {
            let result = ev.named("sudo_result").or_else(|| ev.field(0));
            if let Some(Value {
                value: ValueDef::Variant(v),
                ..
            }) = result
                && v.name == "Err"
            {
                let inner =
                    v.values.values().next().ok_or_else(|| {
                        ChainError::Decode("Sudo result Err without an error".into())
                    })?;
                return Err(dispatch_error(inner, &metadata));
            }
        }
    }
    Ok(TxOutcome {
        block_hash: b.block_hash().0,
        block_number: at.block_number(),
        extrinsic_hash: b.extrinsic_hash().0,
        events: out,
    })
}

/// Short text for a value: a field-less variant by its name, anything else in scale-value's
/// notation.
fn describe(v: &Value) -> String {
    match &v.value {
        ValueDef::Variant(var) if var.values.is_empty() => var.name.clone(),
        _ => v.to_string(),
    }
}

fn first_u8(v: Option<&Value>) -> Option<u8> {
    let v = v?;
    let n = match &v.value {
        ValueDef::Composite(c) => c.values().next()?.as_u128()?,
        _ => v.as_u128()?,
    };
    u8::try_from(n).ok()
}

/// A `DispatchError` value as a [`ChainError`]; module errors are named from metadata.
pub(crate) fn dispatch_error(v: &Value, metadata: &Metadata) -> ChainError {
    let ValueDef::Variant(var) = &v.value else {
        return ChainError::Decode(format!("dispatch error is not a variant: {v}"));
    };
    if var.name != "Module" {
        return ChainError::Dispatch {
            kind: var.name.clone(),
            detail: var
                .values
                .values()
                .map(describe)
                .collect::<Vec<_>>()
                .join(", "),
        };
    }
    // Module(ModuleError { index: u8, error: [u8; 4] }) (older runtimes: error: u8).
    let module = match var.values.values().next() {
        Some(m) if m.at("index").is_some() => m,
        _ => v,
    };
    use subxt::dynamic::At;
    let index = first_u8(module.at("index"));
    let error = first_u8(module.at("error"));
    let (Some(index), Some(error)) = (index, error) else {
        return ChainError::Decode(format!("module error without index/error: {v}"));
    };
    match metadata
        .pallet_by_error_index(index)
        .and_then(|p| p.error_variant_by_index(error).map(|e| (p.name(), e)))
    {
        Some((pallet, variant)) => ChainError::module(pallet, &variant.name),
        None => ChainError::Dispatch {
            kind: "Module".into(),
            detail: format!("pallet index {index}, error index {error} (not in metadata)"),
        },
    }
}

/// An axon endpoint to announce with [`Client::serve_axon`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AxonEndpoint {
    /// IP address (v4 or v6).
    pub ip: IpAddr,
    /// Port.
    pub port: u16,
    /// Axon version.
    pub version: u32,
    /// Protocol (4 = TCP in the SDK).
    pub protocol: u8,
}

fn u(v: impl Into<u128>) -> Value {
    Value::u128(v.into())
}

fn u16s(v: &[u16]) -> Value {
    Value::unnamed_composite(v.iter().map(|x| u(*x)))
}

impl Client {
    /// The next nonce of `who` from the node (`system_accountNextIndex`, counting its pooled
    /// transactions).
    pub async fn next_nonce(&self, who: &AccountId) -> Result<u64> {
        self.request("system_accountNextIndex", vec![who.to_string().into()])
            .await
    }

    /// Signs `call` with `signer` and submits it; returns once the node has accepted it into its
    /// pool. Submissions from one signer through this client are serialized, so concurrent calls
    /// get consecutive nonces.
    pub async fn submit(&self, signer: &Keypair, call: &Call) -> Result<PendingTx> {
        let who = account_id(signer);
        let lock = self.signer_lock(who.0);
        let _guard = lock.lock().await;
        let at = self.inner.api.at_current_block().await?;
        call.check(at.metadata_ref())?;
        let nonce = self.next_nonce(&who).await?;
        let params = DefaultExtrinsicParamsBuilder::<PolkadotConfig>::new()
            .nonce(nonce)
            .mortal_from_unchecked(MORTALITY, at.block_number(), at.block_hash())
            .build();
        let payload = subxt::dynamic::tx(
            call.pallet.clone(),
            call.name.clone(),
            Composite::unnamed(call.args.clone()),
        );
        let mut signable = at
            .transactions()
            .create_signable_offline(&payload, params)?;
        let tx = signable.sign(signer)?;
        let hash = tx.hash().0;
        let progress = tx.submit_and_watch().await?;
        Ok(PendingTx { progress, hash })
    }

    /// Submits `call` signed by `signer` and waits until it is finalized; returns its events, or
    /// the dispatch error as [`ChainError::Module`] / [`ChainError::Dispatch`].
    pub async fn execute(&self, signer: &Keypair, call: &Call) -> Result<TxOutcome> {
        self.submit(signer, call).await?.wait_finalized().await
    }

    /// `Balances.transfer_keep_alive(dest, amount)` (amount in rao).
    pub async fn transfer(
        &self,
        signer: &Keypair,
        dest: &AccountId,
        amount: u64,
    ) -> Result<TxOutcome> {
        self.execute(signer, &calls::transfer(dest, amount)).await
    }

    /// `SubtensorModule.register_network(hotkey)`, signed by the owner coldkey. The new netuid
    /// is [`TxOutcome::netuid_added`].
    pub async fn register_network(
        &self,
        coldkey: &Keypair,
        hotkey: &AccountId,
    ) -> Result<TxOutcome> {
        self.execute(coldkey, &calls::register_network(hotkey))
            .await
    }

    /// `SubtensorModule.start_call(netuid)`, signed by the subnet owner: starts emission.
    pub async fn start_call(&self, owner: &Keypair, netuid: u16) -> Result<TxOutcome> {
        self.execute(owner, &calls::start_call(netuid)).await
    }

    /// `SubtensorModule.burned_register(netuid, hotkey)`, signed by the coldkey that pays the
    /// burn. The uid is [`TxOutcome::registered_uid`].
    pub async fn burned_register(
        &self,
        coldkey: &Keypair,
        netuid: u16,
        hotkey: &AccountId,
    ) -> Result<TxOutcome> {
        self.execute(coldkey, &calls::burned_register(netuid, hotkey))
            .await
    }

    /// `SubtensorModule.add_stake(hotkey, netuid, amount)` (TAO rao), signed by the coldkey.
    pub async fn add_stake(
        &self,
        coldkey: &Keypair,
        hotkey: &AccountId,
        netuid: u16,
        amount: u64,
    ) -> Result<TxOutcome> {
        self.execute(coldkey, &calls::add_stake(hotkey, netuid, amount))
            .await
    }

    /// `SubtensorModule.remove_stake(hotkey, netuid, amount)` (alpha rao), signed by the coldkey.
    pub async fn remove_stake(
        &self,
        coldkey: &Keypair,
        hotkey: &AccountId,
        netuid: u16,
        amount: u64,
    ) -> Result<TxOutcome> {
        self.execute(coldkey, &calls::remove_stake(hotkey, netuid, amount))
            .await
    }

    /// The call [`Client::set_weights`] sends: `set_mechanism_weights(netuid, 0, uids, weights,
    /// version_key)` as the SDKs send it, or `set_weights` on runtimes without mechanisms
    /// (checked in the latest block's metadata). For submitting without waiting
    /// ([`Client::submit`]).
    pub async fn set_weights_call(
        &self,
        netuid: u16,
        uids: &[u16],
        weights: &[u16],
        version_key: u64,
    ) -> Result<Call> {
        let at = self.inner.api.at_current_block().await?;
        let has_mechanisms = at
            .metadata_ref()
            .pallet_by_name("SubtensorModule")
            .and_then(|p| p.call_variant_by_name("set_mechanism_weights"))
            .is_some();
        Ok(if has_mechanisms {
            Call::new(
                "SubtensorModule",
                "set_mechanism_weights",
                [u(netuid), u(0u8), u16s(uids), u16s(weights), u(version_key)],
            )
        } else {
            Call::new(
                "SubtensorModule",
                "set_weights",
                [u(netuid), u16s(uids), u16s(weights), u(version_key)],
            )
        })
    }

    /// Sets the weights row of the signing hotkey: `set_mechanism_weights(netuid, 0, uids,
    /// weights, version_key)` as the SDKs send it (or `set_weights` on runtimes without
    /// mechanisms). `weights` are relative; the chain max-upscales them.
    pub async fn set_weights(
        &self,
        hotkey: &Keypair,
        netuid: u16,
        uids: &[u16],
        weights: &[u16],
        version_key: u64,
    ) -> Result<TxOutcome> {
        let call = self
            .set_weights_call(netuid, uids, weights, version_key)
            .await?;
        self.execute(hotkey, &call).await
    }

    /// The call [`Client::serve_axon`] sends (`SubtensorModule.serve_axon`), for submitting
    /// without waiting ([`Client::submit`]).
    pub fn serve_axon_call(netuid: u16, axon: AxonEndpoint) -> Call {
        let (ip, ip_type): (u128, u8) = match axon.ip {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), 4),
            IpAddr::V6(v6) => (u128::from(v6), 6),
        };
        Call::new(
            "SubtensorModule",
            "serve_axon",
            [
                u(netuid),
                u(axon.version),
                u(ip),
                u(axon.port),
                u(ip_type),
                u(axon.protocol),
                u(0u8),
                u(0u8),
            ],
        )
    }

    /// `SubtensorModule.serve_axon`, signed by the registered hotkey.
    pub async fn serve_axon(
        &self,
        hotkey: &Keypair,
        netuid: u16,
        axon: AxonEndpoint,
    ) -> Result<TxOutcome> {
        self.execute(hotkey, &Client::serve_axon_call(netuid, axon))
            .await
    }

    /// `Sudo.sudo(call)`, signed by the sudo key. A failure of the inner call (reported by the
    /// chain in `Sudo.Sudid`) is returned as an error like a failed extrinsic.
    pub async fn sudo(&self, sudo_key: &Keypair, call: &Call) -> Result<TxOutcome> {
        let at = self.inner.api.at_current_block().await?;
        call.check(at.metadata_ref())?;
        self.execute(sudo_key, &calls::sudo(call)).await
    }

    /// Sets a subnet hyperparameter through `Sudo.sudo(AdminUtils.sudo_set_<name>(netuid,
    /// value))`. `name` may be given with or without the `sudo_set_` prefix, e.g. `tempo`,
    /// `weights_set_rate_limit`, `commit_reveal_weights_enabled`.
    pub async fn sudo_set_hyperparameter(
        &self,
        sudo_key: &Keypair,
        name: &str,
        netuid: u16,
        value: impl Into<Value>,
    ) -> Result<TxOutcome> {
        self.sudo(sudo_key, &calls::set_hyperparameter(name, netuid, value))
            .await
    }
}
