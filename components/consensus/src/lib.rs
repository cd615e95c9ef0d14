//! Yuma consensus for localtensor: subtensor's epoch and emission math, reproduced bit for bit.
