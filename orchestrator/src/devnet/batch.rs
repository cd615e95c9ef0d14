//! Transactions pooled together and sealed in one block. The orchestrator is the only block
//! producer of a lock-step devnet, so every extrinsic it sends needs a block it seals itself;
//! pooling a whole setup step into one block keeps setup short and its block count fixed.

use super::{DevnetError, chain};
use localtensor_client::{Call, Client, Keypair, PendingTx, TxOutcome};

/// Transactions in the pool, waiting for the block [`Batch::seal`] makes.
pub struct Batch<'a> {
    client: &'a Client,
    pending: Vec<(String, PendingTx)>,
}

impl<'a> Batch<'a> {
    /// An empty batch.
    pub fn new(client: &'a Client) -> Self {
        Self {
            client,
            pending: Vec::new(),
        }
    }

    /// Signs and pools `call`; `what` names it in errors. Calls from one signer keep the order
    /// in which they are added.
    pub async fn add(
        &mut self,
        what: impl Into<String>,
        signer: &Keypair,
        call: &Call,
    ) -> Result<(), DevnetError> {
        let what = what.into();
        let pending = self
            .client
            .submit(signer, call)
            .await
            .map_err(chain(what.clone()))?;
        self.pending.push((what, pending));
        Ok(())
    }

    /// Seals one block and returns each transaction's outcome, in the order added; the first
    /// failed one is the error. An empty batch seals nothing.
    pub async fn seal(self) -> Result<Vec<TxOutcome>, DevnetError> {
        if self.pending.is_empty() {
            return Ok(Vec::new());
        }
        self.client
            .devnet()
            .mine(1)
            .await
            .map_err(chain("sealing a setup block"))?;
        let mut outcomes = Vec::with_capacity(self.pending.len());
        for (what, pending) in self.pending {
            outcomes.push(pending.wait_finalized().await.map_err(chain(what))?);
        }
        Ok(outcomes)
    }
}

/// Pools one call, seals it in its own block and returns its outcome.
pub async fn one(
    client: &Client,
    what: impl Into<String>,
    signer: &Keypair,
    call: &Call,
) -> Result<TxOutcome, DevnetError> {
    let mut batch = Batch::new(client);
    batch.add(what, signer, call).await?;
    let mut outcomes = batch.seal().await?;
    outcomes
        .pop()
        .ok_or_else(|| DevnetError::Internal("a sealed batch of one had no outcome".into()))
}
