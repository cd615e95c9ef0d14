//! The multi-epoch scenarios TV1-TV6 of `subtensor-epoch.md` §10: each epoch's stored outputs
//! (permits, bonds) are carried into the next, and the values subtensor's tests assert are
//! checked at every step.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_consensus::fixed::max_upscale_u16;
use localtensor_consensus::{EpochCase, EpochParams, EpochResult, NeuronState, run_epoch};

/// A subnet evolving epoch by epoch.
struct Subnet {
    state: EpochCase,
}

impl Subnet {
    fn new(
        stakes: &[u64],
        registered_at: u64,
        tempo: u64,
        emission: u64,
        params: EpochParams,
    ) -> Self {
        let neurons = stakes
            .iter()
            .map(|&stake| NeuronState {
                stake,
                registered_at,
                last_update: registered_at,
                validator_permit: false,
                weights: vec![],
                bonds: vec![],
            })
            .collect();
        Self {
            state: EpochCase {
                block: registered_at,
                tempo,
                last_step_block: 0,
                emission,
                owner_uid: None,
                params,
                neurons,
            },
        }
    }

    /// `set_weights` as subtensor stores it: values max-upscaled, `last_update` = block.
    fn set_weights(&mut self, uid: usize, block: u64, dests: &[u16], values: &[u16]) {
        let n = &mut self.state.neurons[uid];
        n.weights = dests.iter().copied().zip(max_upscale_u16(values)).collect();
        n.last_update = block;
    }

    fn epoch(&mut self, block: u64) -> EpochResult {
        self.state.block = block;
        let out = run_epoch(&self.state);
        self.state.apply(&out);
        out
    }
}

fn col<T: Copy>(
    out: &EpochResult,
    f: impl Fn(&localtensor_consensus::NeuronResult) -> T,
) -> Vec<T> {
    out.neurons.iter().map(f).collect()
}

/// Dense bond value of `row` for column `j` (missing = 0).
fn bond(out: &EpochResult, row: usize, j: u16) -> u16 {
    out.neurons[row]
        .bonds
        .iter()
        .find(|(c, _)| *c == j)
        .map_or(0, |(_, v)| *v)
}

fn bond_col(out: &EpochResult, rows: std::ops::Range<usize>, j: u16) -> Vec<u16> {
    rows.map(|i| bond(out, i, j)).collect()
}

fn classic(max_validators: u16, activity_cutoff: u64) -> EpochParams {
    EpochParams {
        yuma3: false,
        max_allowed_validators: max_validators,
        activity_cutoff,
        ..EpochParams::default()
    }
}

/// TV1: `tests/epoch.rs::test_bonds`, classic Yuma bonds over eight epochs.
#[test]
fn tv1_classic_bonds_ema() {
    let mut s = Subnet::new(
        &[1, 2, 3, 4, 0, 0, 0, 0],
        1,
        1,
        1_000_000_000,
        classic(8, 13),
    );

    let e0 = s.epoch(1);
    assert_eq!(
        col(&e0, |x| x.validator_permit),
        [true, true, true, true, false, false, false, false]
    );
    assert_eq!(
        col(&e0, |x| x.stake_weight),
        [6553, 13106, 19660, 26213, 0, 0, 0, 0]
    );
    assert_eq!(
        col(&e0, |x| x.emission),
        [99999999, 199999999, 299999999, 399999999, 0, 0, 0, 0]
    );

    for uid in 0..4 {
        s.set_weights(uid, 2, &[4, 5, 6, 7], &[16383, 32767, 49149, 65535]);
    }
    let e1 = s.epoch(2);
    assert_eq!(
        col(&e1, |x| x.consensus),
        [0, 0, 0, 0, 6553, 13107, 19660, 26214]
    );
    assert_eq!(
        col(&e1, |x| x.incentive),
        [0, 0, 0, 0, 6553, 13107, 19660, 26214]
    );
    assert_eq!(
        col(&e1, |x| x.validator_trust),
        [65534, 65534, 65534, 65534, 0, 0, 0, 0]
    );
    assert_eq!(
        col(&e1, |x| x.dividends),
        [6553, 13106, 19660, 26214, 0, 0, 0, 0]
    );
    assert_eq!(
        col(&e1, |x| x.server_emission),
        [0, 0, 0, 0, 49998779, 100000610, 149996337, 200004272]
    );
    assert_eq!(
        col(&e1, |x| x.validator_emission)[..4],
        [49999998, 99999999, 150000000, 200000001]
    );
    for (row, v) in [16383, 32767, 49151, 65535].into_iter().enumerate() {
        assert_eq!(
            (4..8).map(|j| bond(&e1, row, j)).collect::<Vec<_>>(),
            [v; 4],
            "row {row}"
        );
    }

    s.set_weights(0, 2, &[0], &[65535]);
    let e2 = s.epoch(3);
    assert_eq!(col(&e2, |x| x.dividends)[..4], [5897, 13252, 19879, 26505]);
    assert_eq!(
        col(&e2, |x| x.validator_emission)[..4],
        [44998351, 101110561, 151667215, 202223870]
    );
    assert_eq!(
        col(&e2, |x| x.server_emission),
        col(&e1, |x| x.server_emission)
    );
    assert_eq!(bond_col(&e2, 0..4, 4), [14582, 32767, 49151, 65535]);

    s.set_weights(1, 3, &[1], &[65535]);
    let e3 = s.epoch(4);
    assert_eq!(col(&e3, |x| x.dividends)[..4], [5307, 11927, 20699, 27599]);
    assert_eq!(
        col(&e3, |x| x.validator_emission)[..4],
        [40496805, 90999783, 157929636, 210573773]
    );
    assert_eq!(bond_col(&e3, 0..4, 4), [12603, 28321, 49151, 65535]);

    // Only uid 3 votes now: below kappa, so consensus is zero and emission goes by stake.
    s.set_weights(2, 4, &[2], &[65535]);
    let e4 = s.epoch(5);
    assert!(col(&e4, |x| x.consensus).iter().all(|c| *c == 0));
    assert!(col(&e4, |x| x.incentive).iter().all(|c| *c == 0));
    assert_eq!(
        col(&e4, |x| x.emission),
        [99999999, 199999999, 299999999, 399999999, 0, 0, 0, 0]
    );
    assert_eq!(bond_col(&e4, 0..4, 7), [12602, 28320, 49150, 65535]);

    s.set_weights(2, 5, &[7], &[65535]);
    let e5 = s.epoch(6);
    assert_eq!(col(&e5, |x| x.consensus), [0, 0, 0, 0, 0, 0, 0, 26214]);
    assert_eq!(col(&e5, |x| x.incentive), [0, 0, 0, 0, 0, 0, 0, 65535]);
    assert_eq!(
        col(&e5, |x| x.validator_trust),
        [0, 0, 26214, 26214, 0, 0, 0, 0]
    );
    assert_eq!(col(&e5, |x| x.dividends)[..4], [4776, 10734, 21438, 28585]);
    assert_eq!(
        col(&e5, |x| x.server_emission),
        [0, 0, 0, 0, 0, 0, 0, 500000000]
    );
    assert_eq!(
        col(&e5, |x| x.validator_emission)[..4],
        [36443733, 81898628, 163565493, 218092144]
    );
    let rows: Vec<Vec<u16>> = (0..4)
        .map(|i| (4..8).map(|j| bond(&e5, i, j)).collect())
        .collect();
    assert_eq!(
        rows,
        [
            [12601, 12601, 12601, 10951],
            [28319, 28319, 28319, 24609],
            [49149, 49149, 49149, 49150],
            [65535; 4]
        ]
    );

    let e6 = s.epoch(7);
    assert_eq!(col(&e6, |x| x.dividends)[..4], [4299, 9660, 22103, 29471]);
    assert_eq!(
        col(&e6, |x| x.validator_emission)[..4],
        [32799427, 73706612, 168638129, 224855830]
    );
    assert_eq!(bond_col(&e6, 0..4, 7), [9559, 21482, 49150, 65535]);

    let e7 = s.epoch(8);
    assert_eq!(col(&e7, |x| x.dividends)[..4], [3868, 8694, 22701, 30269]);
    assert_eq!(
        col(&e7, |x| x.validator_emission)[..4],
        [29518068, 66336137, 173203134, 230942659]
    );
    assert_eq!(bond_col(&e7, 0..4, 7), [8376, 18824, 49150, 65535]);
}

/// TV2: `test_10_graph`, only self-weights and no permits yet: everything is paid by stake.
#[test]
fn tv2_self_weights_only() {
    let mut s = Subnet::new(&[1; 10], 0, 1, 1_000_000_000, classic(100, 5000));
    for uid in 0..10u16 {
        s.set_weights(uid as usize, 1, &[uid], &[65535]);
    }
    let out = s.epoch(1);
    for n in &out.neurons {
        assert_eq!(
            (n.consensus, n.incentive, n.dividends),
            (0, 0, 0),
            "uid {}",
            n.uid
        );
        assert_eq!(n.emission, 99999999, "uid {}", n.uid);
    }
}

/// TV3: `test_yuma_3_kappa_moves_first`, Yuma3 with liquid alpha.
#[test]
fn tv3_yuma3_liquid_alpha_kappa_moves_first() {
    let params = EpochParams {
        bonds_penalty: 0,
        bonds_moving_average: 975_000,
        yuma3: true,
        liquid_alpha: true,
        alpha_low: 6553,
        alpha_high: 19660,
        alpha_sigmoid_steepness: 1000,
        max_allowed_validators: 3,
        ..EpochParams::default()
    };
    let mut s = Subnet::new(&[8, 1, 1, 0, 0], 1, 1, 1_000_000_000, params);
    s.epoch(2);

    let (s1, s2) = ([65535, 0], [0, 65535]);
    let schedule: [[[u16; 2]; 3]; 6] = [
        [s1, s1, s1],
        [s2, s1, s1],
        [s2, s2, s1],
        [s2, s2, s2],
        [s2, s2, s2],
        [s2, s2, s2],
    ];
    let expected_dividends: [[u16; 3]; 6] = [
        [52428, 6553, 6553],
        [65535, 0, 0],
        [61486, 4048, 0],
        [57796, 5068, 2669],
        [56122, 5531, 3881],
        [55170, 5795, 4569],
    ];
    let expected_bonds: [[[u16; 2]; 3]; 6] = [
        [[6640, 0], [6640, 0], [6640, 0]],
        [[5951, 6640], [24229, 0], [24229, 0]],
        [[5336, 12607], [20770, 6640], [36565, 0]],
        [[4786, 17970], [18119, 12607], [28221, 6640]],
        [[4294, 22789], [15957, 17970], [23518, 12607]],
        [[3853, 27120], [14133, 22789], [20244, 17970]],
    ];
    for (ep, block) in (3..9).enumerate() {
        // Epochs 4 and 5 keep the previous weights (no new set_weights).
        if ep <= 3 {
            for (v, values) in schedule[ep].iter().enumerate() {
                s.set_weights(v, block, &[3, 4], values);
            }
        }
        let out = s.epoch(block);
        assert_eq!(
            col(&out, |x| x.dividends),
            [
                expected_dividends[ep][0],
                expected_dividends[ep][1],
                expected_dividends[ep][2],
                0,
                0
            ],
            "epoch {ep}"
        );
        let bonds: Vec<[u16; 2]> = (0..3)
            .map(|v| [bond(&out, v, 3), bond(&out, v, 4)])
            .collect();
        assert_eq!(bonds, expected_bonds[ep], "bonds at epoch {ep}");
        if ep == 0 {
            assert_eq!(out.neurons[3].incentive, 65535);
        }
        if ep == 1 {
            assert_eq!(out.neurons[4].incentive, 65535);
        }
    }
}

fn tv4(yuma3: bool) -> (EpochResult, EpochResult, EpochResult) {
    let params = EpochParams {
        yuma3,
        ..classic(64, 5000)
    };
    let mut s = Subnet::new(
        &[600_000_000_000, 400_000_000_000, 0, 0, 0],
        1000,
        360,
        1_000_000_000,
        params,
    );
    let e0 = s.epoch(1360);
    s.set_weights(0, 1500, &[2, 3, 4], &[65535, 32768, 0]);
    s.set_weights(1, 1500, &[2, 3, 4], &[10000, 10000, 40000]);
    assert_eq!(
        s.state.neurons[1].weights,
        [(2, 16384), (3, 16384), (4, 65535)]
    );
    let e1 = s.epoch(1720);
    let e2 = s.epoch(2080);
    (e0, e1, e2)
}

/// TV4: a small classic network with clipping (and the same inputs under Yuma3).
#[test]
fn tv4_classic_with_clipping() {
    let (e0, e1, e2) = tv4(false);
    assert_eq!(
        col(&e0, |x| x.validator_permit),
        [true, true, false, false, false]
    );
    assert_eq!(col(&e0, |x| x.stake_weight), [39320, 26213, 0, 0, 0]);
    assert_eq!(col(&e0, |x| x.emission), [599999999, 399999999, 0, 0, 0]);

    assert_eq!(col(&e1, |x| x.consensus), [0, 0, 43689, 21845, 0]);
    assert_eq!(col(&e1, |x| x.validator_trust), [65534, 21845, 0, 0, 0]);
    assert_eq!(col(&e1, |x| x.incentive), [0, 0, 41703, 23831, 0]);
    assert_eq!(col(&e1, |x| x.dividends), [53619, 11915, 0, 0, 0]);
    assert_eq!(
        col(&e1, |x| x.server_emission),
        [0, 0, 318180304, 181819695, 0]
    );
    assert_eq!(
        col(&e1, |x| x.validator_emission),
        [409090152, 90909847, 0, 0, 0]
    );
    assert_eq!(e1.neurons[0].bonds, [(2, 65535), (3, 65535)]);
    assert_eq!(e1.neurons[1].bonds, [(2, 10922), (3, 21844)]);

    assert_eq!(col(&e2, |x| x.incentive), col(&e1, |x| x.incentive));
    assert_eq!(col(&e2, |x| x.dividends), col(&e1, |x| x.dividends));
    assert_eq!(
        col(&e2, |x| x.validator_emission),
        [409093697, 90906302, 0, 0, 0]
    );
    assert_eq!(e2.neurons[0].bonds, e1.neurons[0].bonds);
    assert_eq!(e2.neurons[1].bonds, e1.neurons[1].bonds);
}

#[test]
fn tv4_same_network_under_yuma3() {
    let (_, e1, e2) = tv4(true);
    assert_eq!(col(&e1, |x| x.dividends), [53698, 11836, 0, 0, 0]);
    assert_eq!(
        col(&e1, |x| x.validator_emission),
        [409690854, 90309145, 0, 0, 0]
    );
    assert_eq!(e1.neurons[0].bonds, [(2, 4368), (3, 2184)]);
    assert_eq!(e1.neurons[1].bonds, [(2, 1092), (3, 1092)]);
    assert_eq!(e2.neurons[0].bonds, [(2, 8300), (3, 4150)]);
    assert_eq!(e2.neurons[1].bonds, [(2, 2075), (3, 2075)]);
    assert_eq!(
        col(&e2, |x| x.validator_emission),
        [409691146, 90308853, 0, 0, 0]
    );
}

/// TV6's drain case seen from the epoch: two stakers and no weights, so no miner earns
/// incentive and the whole epoch emission goes to validators in proportion to stake.
#[test]
fn tv6_no_weights_pays_validators_by_stake() {
    let mut s = Subnet::new(
        &[1_000_000_000, 1_000_000_000],
        1,
        360,
        1_000_000_000,
        EpochParams::default(),
    );
    s.state
        .neurons
        .iter_mut()
        .for_each(|n| n.validator_permit = true);
    let out = s.epoch(361);
    assert!(out.neurons.iter().all(|n| n.server_emission == 0));
    assert_eq!(
        col(&out, |x| x.validator_emission),
        [500_000_000, 500_000_000]
    ); // half each: 0.5 is exact in I32F32
}
