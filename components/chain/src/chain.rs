//! The chain: blocks, the state after each block, the transaction pool, validation and block
//! building. Everything here is synchronous and deterministic; `node` adds tasks and channels.

use crate::extrinsic::{
    Extrinsic, FormatError, Implicit, InvalidTransaction as Invalid,
    TransactionValidityError as Tve, UnknownTransaction, signing_payload, verify_signature,
};
use crate::genesis::GenesisConfig;
use crate::hashing::blake2_256;
use crate::primitives::{
    AccountId32, Digest, DispatchClass, DispatchEventInfo, H256, Header, MultiAddress, Pays,
};
use crate::runtime::pallets::{balances, sudo, system, timestamp, transaction_payment};
use crate::runtime::{self, Ctx, EventRecord, Origin, Phase, RuntimeCall, RuntimeEvent};
use crate::state::{Layer, State};
use parity_scale_codec::Encode;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;

/// Progress of a watched transaction (`author_extrinsicUpdate` payloads).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// In the pool, waiting for a lower nonce of the same sender.
    Future,
    /// In the pool, ready for the next block.
    Ready,
    /// Included in a block.
    InBlock(H256),
    /// The block is finalized (always right after `InBlock` here).
    Finalized(H256),
    /// Became invalid before inclusion.
    Invalid,
    /// Removed from the pool.
    Dropped,
}

/// A block as stored.
#[derive(Clone, Debug)]
pub struct StoredBlock {
    /// Header.
    pub header: Header,
    /// Its hash.
    pub hash: H256,
    /// Extrinsics, each with its compact length prefix.
    pub extrinsics: Vec<Vec<u8>>,
    /// State after the block: kept for the best block only (older states are rebuilt from
    /// the best one with the undo logs).
    pub state: Option<Arc<State>>,
    /// How to turn this block's state back into its parent's (dropped for old blocks).
    pub undo: Option<Arc<Layer>>,
}

impl StoredBlock {
    /// Moves the block's state out, ready for writing (copied only if a snapshot or a reader
    /// still shares it), with a fresh undo layer begun.
    fn take_state_for_writing(&mut self) -> State {
        let mut state = self
            .state
            .take()
            .map(Arc::unwrap_or_clone)
            .unwrap_or_default();
        state.begin();
        state
    }
}

/// A transaction waiting for a block.
pub struct PoolTx {
    /// The extrinsic.
    pub ext: Extrinsic,
    /// Its hash.
    pub hash: H256,
    /// Sender.
    pub sender: AccountId32,
    /// Nonce.
    pub nonce: u32,
    /// Subscribers to its status.
    pub watchers: Vec<UnboundedSender<TxStatus>>,
}

/// Why a submitted transaction was refused.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Not a well-formed extrinsic.
    #[error("Extrinsic has invalid format: {0}")]
    Format(#[from] FormatError),
    /// Refused by validation.
    #[error("{0}")]
    Validity(Tve),
    /// The same bytes are already in the pool.
    #[error("Transaction Already Imported")]
    AlreadyImported,
    /// A transaction with the same sender and nonce is already in the pool.
    #[error("Priority is too low: (0 vs 0)")]
    TooLowPriority,
    /// The pool is full.
    #[error("Transaction pool is full")]
    PoolFull,
}

/// Errors looking up blocks or state.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// No block with that hash.
    #[error("Unknown block {0}")]
    UnknownBlock(String),
    /// The state of that block is no longer kept.
    #[error("State already discarded for {0}")]
    StateDiscarded(String),
}

/// What happened while sealing, for the node to broadcast.
#[derive(Default)]
pub struct SealOutcome {
    /// New headers with hashes, in order.
    pub headers: Vec<(Header, H256)>,
    /// Status updates to send.
    pub updates: Vec<(UnboundedSender<TxStatus>, TxStatus)>,
}

/// What validation learned about a transaction.
struct Checked {
    sender: AccountId32,
    nonce: u32,
    /// The nonce is ahead of the next expected one: it waits in the pool.
    future: bool,
    /// Fee without tip.
    fee: u64,
    tip: u64,
}

/// Most transactions the pool holds.
pub const POOL_LIMIT: usize = 8192;
/// Most signed extrinsics per block.
pub const MAX_BLOCK_TXS: usize = 4096;

/// The chain.
pub struct Chain {
    /// Genesis configuration.
    pub genesis: GenesisConfig,
    blocks: Vec<StoredBlock>,
    by_hash: HashMap<H256, u32>,
    pool: Vec<PoolTx>,
    /// Encoded V14 metadata.
    pub metadata_v14: Arc<Vec<u8>>,
    /// Encoded V15 metadata.
    pub metadata_v15: Arc<Vec<u8>>,
    /// How many recent block states are kept for state queries.
    pub keep_states: usize,
}

fn extrinsics_root(extrinsics: &[Vec<u8>]) -> H256 {
    // blake2-256 over the SCALE list of extrinsics (not a trie root; no proofs are served).
    let mut buf = parity_scale_codec::Compact(extrinsics.len() as u32).encode();
    for e in extrinsics {
        buf.extend_from_slice(e);
    }
    H256(blake2_256(&buf))
}

impl Chain {
    /// A chain holding only its genesis block.
    pub fn new(genesis: GenesisConfig) -> Chain {
        let state = genesis.build_state();
        let header = Header {
            parent_hash: H256::default(),
            number: 0,
            state_root: state.root(),
            extrinsics_root: extrinsics_root(&[]),
            digest: Digest::default(),
        };
        let hash = header.hash();
        let mut by_hash = HashMap::new();
        by_hash.insert(hash, 0);
        Chain {
            genesis,
            blocks: vec![StoredBlock {
                header,
                hash,
                extrinsics: vec![],
                state: Some(Arc::new(state)),
                undo: None,
            }],
            by_hash,
            pool: Vec::new(),
            metadata_v14: Arc::new(crate::metadata::encoded_v14()),
            metadata_v15: Arc::new(crate::metadata::encoded_v15()),
            keep_states: 4096,
        }
    }

    /// Best (= finalized) block number.
    pub fn best_number(&self) -> u32 {
        (self.blocks.len() - 1) as u32
    }

    /// Best block.
    pub fn best(&self) -> &StoredBlock {
        // The genesis block is never removed, so the list is never empty.
        &self.blocks[self.blocks.len() - 1]
    }

    /// Genesis hash.
    pub fn genesis_hash(&self) -> H256 {
        self.blocks[0].hash
    }

    /// Block by number.
    pub fn block_by_number(&self, n: u64) -> Option<&StoredBlock> {
        usize::try_from(n).ok().and_then(|n| self.blocks.get(n))
    }

    /// Block by hash.
    pub fn block_by_hash(&self, hash: &H256) -> Option<&StoredBlock> {
        self.by_hash
            .get(hash)
            .and_then(|n| self.blocks.get(*n as usize))
    }

    /// Block by hash, or the best block for `None`.
    pub fn block_at(&self, hash: Option<&H256>) -> Result<&StoredBlock, ChainError> {
        match hash {
            None => Ok(self.best()),
            Some(h) => self
                .block_by_hash(h)
                .ok_or_else(|| ChainError::UnknownBlock(h.to_hex())),
        }
    }

    /// State after a block (the best block for `None`).
    pub fn state_at(&self, hash: Option<&H256>) -> Result<Arc<State>, ChainError> {
        let block = self.block_at(hash)?;
        if let Some(state) = &block.state {
            return Ok(state.clone());
        }
        let discarded = || ChainError::StateDiscarded(block.hash.to_hex());
        let best = self.best();
        let mut state = best.state.as_deref().cloned().ok_or_else(discarded)?;
        for n in (block.header.number + 1..=best.header.number).rev() {
            let undo = self.blocks[n as usize]
                .undo
                .as_ref()
                .ok_or_else(discarded)?;
            state.apply_undo(undo);
        }
        Ok(Arc::new(state))
    }

    fn best_state(&self) -> Arc<State> {
        self.best().state.clone().unwrap_or_default()
    }

    /// Hashes of the transactions in the pool, in order.
    pub fn pending(&self) -> Vec<Vec<u8>> {
        self.pool.iter().map(|t| t.ext.encoded.clone()).collect()
    }

    /// Number of transactions in the pool.
    pub fn pool_len(&self) -> usize {
        self.pool.len()
    }

    fn pool_has(&self, who: &AccountId32, nonce: u32) -> bool {
        self.pool
            .iter()
            .any(|t| t.sender == *who && t.nonce == nonce)
    }

    /// The next nonce for `who`, counting its transactions in the pool.
    pub fn next_nonce(&self, who: &AccountId32) -> u32 {
        let state = self.best_state();
        let mut nonce = system::account(&state, who).nonce;
        while self
            .pool
            .iter()
            .any(|t| t.sender == *who && t.nonce == nonce)
        {
            nonce = nonce.saturating_add(1);
        }
        nonce
    }

    /// Validates `ext` against `state` as if it were applied in block `current`.
    /// `expected_nonce` is the nonce the pool would accept next (state nonce at block time).
    fn validate(
        &self,
        state: &State,
        ext: &Extrinsic,
        current: u32,
        expected_nonce: Option<u32>,
    ) -> Result<Checked, SubmitError> {
        let invalid = |e| SubmitError::Validity(Tve::Invalid(e));
        let Some(sig) = &ext.signature else {
            return Err(SubmitError::Validity(Tve::Unknown(
                UnknownTransaction::NoUnsignedValidator,
            )));
        };
        let sender = match &sig.address {
            MultiAddress::Id(id) => *id,
            _ => {
                return Err(SubmitError::Validity(Tve::Unknown(
                    UnknownTransaction::CannotLookup,
                )));
            }
        };
        if sender.0 == [0u8; 32] {
            return Err(invalid(Invalid::BadSigner));
        }
        // CheckMortality: the birth block must be one of the last BlockHashCount blocks.
        let birth = sig.extra.era.birth(u64::from(current));
        let best = u64::from(self.best_number());
        if birth > best
            || u64::from(current).saturating_sub(birth) > u64::from(runtime::BLOCK_HASH_COUNT)
        {
            return Err(invalid(Invalid::AncientBirthBlock));
        }
        let birth_hash = self
            .block_by_number(birth)
            .map(|b| b.hash)
            .ok_or(invalid(Invalid::AncientBirthBlock))?;
        let implicit = Implicit {
            spec_version: runtime::SPEC_VERSION,
            transaction_version: runtime::TRANSACTION_VERSION,
            genesis: self.genesis_hash(),
            birth: birth_hash,
        };
        let payload = signing_payload(&ext.call_bytes, &sig.extra, &implicit);
        if !verify_signature(&sig.signature, &sender, &payload) {
            return Err(invalid(Invalid::BadProof));
        }
        // CheckNonce.
        let account = system::account(state, &sender);
        let nonce = sig.extra.nonce;
        if nonce < account.nonce {
            return Err(invalid(Invalid::Stale));
        }
        let expected = expected_nonce.unwrap_or(account.nonce);
        // Ahead of the expected nonce: valid, but it waits in the pool for the gap to close.
        let future = nonce > expected;
        if nonce < expected || (future && expected_nonce.is_some() && self.pool_has(&sender, nonce))
        {
            return Err(SubmitError::TooLowPriority);
        }
        // ChargeTransactionPayment.
        let fee = if ext.call.pays_fee() {
            transaction_payment::compute_fee(ext.encoded.len(), ext.call.weight())
        } else {
            0
        };
        let total = fee.saturating_add(sig.extra.tip);
        match account.data.free.checked_sub(total) {
            Some(rest) if rest >= balances::EXISTENTIAL_DEPOSIT || total == 0 => {}
            _ => return Err(invalid(Invalid::Payment)),
        }
        // SudoTransactionExtension: only the sudo key may send Sudo calls.
        if matches!(ext.call, RuntimeCall::Sudo(_)) && sudo::key(state) != Some(sender) {
            return Err(invalid(Invalid::BadSigner));
        }
        Ok(Checked {
            sender,
            nonce,
            fee,
            tip: sig.extra.tip,
            future,
        })
    }

    /// Decodes, validates and pools a transaction; returns its hash and whether it waits for a
    /// lower nonce (a "future" transaction).
    pub fn submit(
        &mut self,
        bytes: &[u8],
        watcher: Option<UnboundedSender<TxStatus>>,
    ) -> Result<(H256, bool), SubmitError> {
        let ext = Extrinsic::decode_prefixed(bytes)?;
        let hash = ext.hash();
        if self.pool.iter().any(|t| t.hash == hash) {
            return Err(SubmitError::AlreadyImported);
        }
        if self.pool.len() >= POOL_LIMIT {
            return Err(SubmitError::PoolFull);
        }
        let state = self.best_state();
        let expected = match &ext.signature {
            Some(s) => match &s.address {
                MultiAddress::Id(id) => Some(self.next_nonce(id)),
                _ => None,
            },
            None => None,
        };
        let Checked {
            sender,
            nonce,
            future,
            ..
        } = self.validate(&state, &ext, self.best_number() + 1, expected)?;
        let mut watchers = Vec::new();
        if let Some(w) = watcher {
            let _ = w.send(if future {
                TxStatus::Future
            } else {
                TxStatus::Ready
            });
            watchers.push(w);
        }
        self.pool.push(PoolTx {
            ext,
            hash,
            sender,
            nonce,
            watchers,
        });
        Ok((hash, future))
    }

    /// Builds, executes and imports one block with the pool's transactions.
    pub fn seal(&mut self, outcome: &mut SealOutcome) {
        let last = self.blocks.len() - 1;
        let parent_hash = self.blocks[last].hash;
        let number = self.blocks[last].header.number + 1;
        // The parent's state becomes this block's (no copy unless a snapshot or reader shares
        // it); the undo log recorded below rebuilds the parent's when asked for.
        let mut state = self.blocks[last].take_state_for_writing();
        let mut ctx = Ctx {
            state: &mut state,
            events: Vec::new(),
            phase: Phase::Initialization,
            block: number,
        };
        ctx.state.put(system::number_key(), &number);
        ctx.state.put(system::parent_hash_key(), &parent_hash);
        ctx.state
            .put(system::block_hash_key(number - 1), &parent_hash);
        if let Some(old) = number.checked_sub(runtime::BLOCK_HASH_COUNT + 1) {
            ctx.state.remove(&system::block_hash_key(old));
        }
        ctx.state.remove(&timestamp::did_update_key());
        runtime::on_initialize(&mut ctx);

        // Inherent: Timestamp.set at index 0.
        let now = self.genesis.first_timestamp + u64::from(number - 1) * self.genesis.block_time_ms;
        let inherent = Extrinsic::unsigned(RuntimeCall::Timestamp(timestamp::Call::set { now }));
        ctx.phase = Phase::ApplyExtrinsic(0);
        let info = DispatchEventInfo {
            weight: timestamp::set_weight(),
            class: DispatchClass::Mandatory,
            pays_fee: Pays::Yes,
        };
        let result = runtime::dispatch(&mut ctx, Origin::None, &inherent.call);
        ctx.deposit(RuntimeEvent::System(match result {
            Ok(()) => system::Event::ExtrinsicSuccess {
                dispatch_info: info,
            },
            Err(dispatch_error) => system::Event::ExtrinsicFailed {
                dispatch_error,
                dispatch_info: info,
            },
        }));
        let mut extrinsics = vec![inherent.encoded.clone()];

        // Signed transactions in a canonical order: by how far each nonce is ahead of its
        // sender's account nonce, then by arrival. One pass then includes every gap-free run of
        // nonces; transactions still ahead wait in the pool, invalid ones are dropped.
        let mut pool = std::mem::take(&mut self.pool);
        pool.sort_by_key(|tx| {
            tx.nonce
                .saturating_sub(system::account(ctx.state, &tx.sender).nonce)
        });
        let mut included = Vec::new();
        let mut leftover = Vec::new();
        for tx in pool {
            if included.len() >= MAX_BLOCK_TXS {
                leftover.push(tx);
                continue;
            }
            let checked = self.validate(ctx.state, &tx.ext, number, None);
            let Checked {
                sender, fee, tip, ..
            } = match checked {
                Ok(c) if c.future => {
                    leftover.push(tx);
                    continue;
                }
                Ok(c) => c,
                Err(_) => {
                    for w in tx.watchers {
                        outcome.updates.push((w, TxStatus::Invalid));
                    }
                    continue;
                }
            };
            let index = extrinsics.len() as u32;
            ctx.phase = Phase::ApplyExtrinsic(index);
            apply_signed(&mut ctx, &tx.ext.call, sender, fee, tip);
            extrinsics.push(tx.ext.encoded.clone());
            included.push(tx);
        }
        self.pool = leftover;

        ctx.phase = Phase::Finalization;
        let events: Vec<EventRecord> = std::mem::take(&mut ctx.events);
        state.put(system::events_key(), &events);
        state.put(system::event_count_key(), &(events.len() as u32));
        state.put(system::extrinsic_count_key(), &(extrinsics.len() as u32));
        let undo = state.take_journal();

        let header = Header {
            parent_hash,
            number,
            state_root: state.root(),
            extrinsics_root: extrinsics_root(&extrinsics),
            digest: Digest::default(),
        };
        let hash = header.hash();
        for tx in included {
            for w in tx.watchers {
                outcome.updates.push((w.clone(), TxStatus::InBlock(hash)));
                outcome.updates.push((w, TxStatus::Finalized(hash)));
            }
        }
        self.by_hash.insert(hash, number);
        self.blocks.push(StoredBlock {
            header: header.clone(),
            hash,
            extrinsics,
            state: Some(Arc::new(state)),
            undo: Some(Arc::new(undo)),
        });
        if let Some(old) = self.blocks.len().checked_sub(self.keep_states + 1) {
            self.blocks[old].undo = None;
        }
        // Pool entries whose nonce is now stale can never be included.
        let best_state = self.best_state();
        let mut kept = Vec::new();
        for tx in std::mem::take(&mut self.pool) {
            if tx.nonce < system::account(&best_state, &tx.sender).nonce {
                for w in tx.watchers {
                    outcome.updates.push((w, TxStatus::Invalid));
                }
            } else {
                kept.push(tx);
            }
        }
        self.pool = kept;
        outcome.headers.push((header, hash));
    }

    /// Applies a change to the best block's state in place (devnet control: no new block).
    pub fn mutate_best_state(&mut self, f: impl FnOnce(&mut Ctx<'_>)) -> H256 {
        let last = self.blocks.len() - 1;
        let block = &mut self.blocks[last];
        let mut state = block.take_state_for_writing();
        let mut ctx = Ctx {
            state: &mut state,
            events: Vec::new(),
            phase: Phase::Finalization,
            block: block.header.number,
        };
        f(&mut ctx);
        // Keep older states reconstructible: the parent's state must not include this change.
        let layer = state.take_journal();
        if let Some(undo) = &mut block.undo {
            Arc::make_mut(undo).extend(layer);
        }
        block.state = Some(Arc::new(state));
        block.hash
    }
}

/// Applies a validated signed transaction: fee, nonce, dispatch, events.
fn apply_signed(ctx: &mut Ctx<'_>, call: &RuntimeCall, sender: AccountId32, fee: u64, tip: u64) {
    let actual_fee = fee.saturating_add(tip);
    // Validation checked the balance; a failure here would mean a bug, and then nothing is charged.
    let _ = balances::withdraw_fee(ctx, &sender, actual_fee);
    let mut info = system::account(ctx.state, &sender);
    info.nonce = info.nonce.saturating_add(1);
    system::set_account(ctx.state, &sender, &info);
    let result = runtime::dispatch(ctx, Origin::Signed(sender), call);
    ctx.deposit(RuntimeEvent::TransactionPayment(
        transaction_payment::Event::TransactionFeePaid {
            who: sender,
            actual_fee,
            tip,
        },
    ));
    let dispatch_info = call.dispatch_info();
    ctx.deposit(RuntimeEvent::System(match result {
        Ok(()) => system::Event::ExtrinsicSuccess { dispatch_info },
        Err(dispatch_error) => system::Event::ExtrinsicFailed {
            dispatch_error,
            dispatch_info,
        },
    }));
}

/// An in-memory copy of the chain (`devnet_snapshot`).
#[derive(Clone)]
pub struct ChainSnapshot {
    blocks: Vec<StoredBlock>,
}

/// The file format of `devnet_dumpState` / `devnet_loadState` and `--base-path`.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct ChainDump {
    /// Format version.
    pub format: u32,
    /// Genesis hash the dump belongs to.
    pub genesis_hash: String,
    /// Every block: SCALE header and extrinsics, hex.
    pub blocks: Vec<DumpBlock>,
    /// The best block's state: (key, value) hex pairs in key order.
    pub state: Vec<(String, String)>,
}

/// One block of a dump.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct DumpBlock {
    /// SCALE-encoded header, hex.
    pub header: String,
    /// Extrinsics with length prefixes, hex.
    pub extrinsics: Vec<String>,
}

/// Why a dump cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Unknown format version.
    #[error("unsupported dump format {0} (expected 1)")]
    Format(u32),
    /// A field is not valid hex or SCALE.
    #[error("corrupt dump: {0}")]
    Corrupt(String),
    /// The dump belongs to another chain.
    #[error("dump is for genesis {dump}, this node's genesis is {ours}")]
    OtherChain {
        /// Genesis in the dump.
        dump: String,
        /// Our genesis.
        ours: String,
    },
}

fn unhex(s: &str) -> Result<Vec<u8>, LoadError> {
    hex::decode(s.trim_start_matches("0x")).map_err(|e| LoadError::Corrupt(format!("bad hex: {e}")))
}

impl Chain {
    /// Copies the chain.
    pub fn snapshot(&self) -> ChainSnapshot {
        ChainSnapshot {
            blocks: self.blocks.clone(),
        }
    }

    fn reindex(&mut self) {
        self.by_hash = self
            .blocks
            .iter()
            .map(|b| (b.hash, b.header.number))
            .collect();
    }

    /// Returns to a snapshot; pooled transactions are dropped.
    pub fn restore(&mut self, snapshot: ChainSnapshot, outcome: &mut SealOutcome) {
        self.blocks = snapshot.blocks;
        self.reindex();
        self.drop_pool(outcome);
    }

    fn drop_pool(&mut self, outcome: &mut SealOutcome) {
        for tx in std::mem::take(&mut self.pool) {
            for w in tx.watchers {
                outcome.updates.push((w, TxStatus::Dropped));
            }
        }
    }

    /// Serializes every block and the best state.
    pub fn dump(&self) -> ChainDump {
        ChainDump {
            format: 1,
            genesis_hash: self.genesis_hash().to_hex(),
            blocks: self
                .blocks
                .iter()
                .map(|b| DumpBlock {
                    header: format!("0x{}", hex::encode(b.header.encode())),
                    extrinsics: b
                        .extrinsics
                        .iter()
                        .map(|e| format!("0x{}", hex::encode(e)))
                        .collect(),
                })
                .collect(),
            state: self
                .best_state()
                .pairs()
                .map(|(k, v)| {
                    (
                        format!("0x{}", hex::encode(k)),
                        format!("0x{}", hex::encode(v)),
                    )
                })
                .collect(),
        }
    }

    /// Replaces the chain with a dump of the same genesis. Only the best block's state is
    /// restored; queries at older blocks report that their state was discarded.
    pub fn load(&mut self, dump: &ChainDump, outcome: &mut SealOutcome) -> Result<(), LoadError> {
        use parity_scale_codec::Decode;
        if dump.format != 1 {
            return Err(LoadError::Format(dump.format));
        }
        let ours = self.genesis_hash().to_hex();
        if dump.genesis_hash != ours {
            return Err(LoadError::OtherChain {
                dump: dump.genesis_hash.clone(),
                ours,
            });
        }
        let mut blocks: Vec<StoredBlock> = Vec::with_capacity(dump.blocks.len());
        for (i, b) in dump.blocks.iter().enumerate() {
            let header = Header::decode(&mut &unhex(&b.header)?[..])
                .map_err(|e| LoadError::Corrupt(format!("header {i}: {e}")))?;
            if header.number as usize != i {
                return Err(LoadError::Corrupt(format!(
                    "block {i} has number {}",
                    header.number
                )));
            }
            let hash = header.hash();
            if let Some(prev) = blocks.last()
                && header.parent_hash != prev.hash
            {
                return Err(LoadError::Corrupt(format!(
                    "block {i} does not follow block {}",
                    i - 1
                )));
            }
            let extrinsics = b
                .extrinsics
                .iter()
                .map(|e| unhex(e))
                .collect::<Result<Vec<_>, _>>()?;
            blocks.push(StoredBlock {
                header,
                hash,
                extrinsics,
                state: None,
                undo: None,
            });
        }
        if blocks.first().map(|b| b.hash.to_hex()) != Some(ours) {
            return Err(LoadError::Corrupt(
                "first block is not this chain's genesis".into(),
            ));
        }
        let mut pairs = Vec::with_capacity(dump.state.len());
        for (k, v) in &dump.state {
            pairs.push((unhex(k)?, unhex(v)?));
        }
        if let Some(last) = blocks.last_mut() {
            last.state = Some(Arc::new(State::from_pairs(pairs)));
        }
        self.blocks = blocks;
        self.reindex();
        self.drop_pool(outcome);
        Ok(())
    }
}
