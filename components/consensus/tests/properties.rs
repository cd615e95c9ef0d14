//! Property tests: the engine is total (never panics, whatever the input) and keeps its
//! conservation laws on arbitrary subnets, including malformed ones.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use localtensor_consensus::{EpochCase, EpochParams, NeuronState, run_epoch};
use proptest::prelude::*;

fn stake() -> impl Strategy<Value = u64> {
    prop_oneof![
        3 => 0u64..1_000_000_000_000_000,
        1 => Just(0u64),
        1 => (u64::MAX - 1_000)..=u64::MAX,
        1 => any::<u64>(),
    ]
}

/// Rows that may point past `n`, repeat columns, and come unsorted.
fn row(n: usize, max_len: usize) -> impl Strategy<Value = Vec<(u16, u16)>> {
    let col_limit = (n as u16).saturating_add(4).max(1);
    prop::collection::vec((0..col_limit, any::<u16>()), 0..=max_len)
}

fn neuron(n: usize, max_row: usize) -> impl Strategy<Value = NeuronState> {
    (
        stake(),
        0u64..2_000,
        0u64..2_000,
        any::<bool>(),
        row(n, max_row),
        row(n, max_row),
    )
        .prop_map(
            |(stake, registered_at, last_update, validator_permit, weights, bonds)| NeuronState {
                stake,
                registered_at,
                last_update,
                validator_permit,
                weights,
                bonds,
            },
        )
}

fn params() -> impl Strategy<Value = EpochParams> {
    (
        (
            any::<u16>(),
            any::<u16>(),
            0u64..=1_100_000,
            any::<bool>(),
            any::<bool>(),
        ),
        (
            any::<u16>(),
            any::<u16>(),
            any::<i16>(),
            0u16..300,
            0u64..3_000,
            stake(),
        ),
    )
        .prop_map(
            |(
                (kappa, bonds_penalty, bonds_moving_average, yuma3, liquid_alpha),
                (
                    alpha_low,
                    alpha_high,
                    alpha_sigmoid_steepness,
                    max_allowed_validators,
                    activity_cutoff,
                    stake_threshold,
                ),
            )| EpochParams {
                kappa,
                bonds_penalty,
                bonds_moving_average,
                yuma3,
                liquid_alpha,
                alpha_low,
                alpha_high,
                alpha_sigmoid_steepness,
                max_allowed_validators,
                activity_cutoff,
                stake_threshold,
            },
        )
}

fn case(max_n: usize, max_row: usize) -> impl Strategy<Value = EpochCase> {
    (0..=max_n)
        .prop_flat_map(move |n| {
            (
                prop::collection::vec(neuron(n, max_row), n),
                params(),
                (0u64..3_000, 0u64..500, 0u64..3_000),
                prop_oneof![Just(0u64), any::<u64>(), 0u64..10_000_000_000],
                prop::option::of(0u16..(n as u16).saturating_add(2)),
            )
        })
        .prop_map(
            |(neurons, params, (block, tempo, last_step_block), emission, owner_uid)| EpochCase {
                block,
                tempo,
                last_step_block,
                emission,
                owner_uid,
                params,
                neurons,
            },
        )
}

fn check_invariants(c: &EpochCase) -> Result<(), TestCaseError> {
    let out = run_epoch(c);
    let n = c.neurons.len();
    prop_assert_eq!(out.neurons.len(), n);

    let paid: u128 = out
        .neurons
        .iter()
        .map(|x| x.server_emission as u128 + x.validator_emission as u128)
        .sum();
    prop_assert!(
        paid <= c.emission as u128,
        "paid {} of {}: {}",
        paid,
        c.emission,
        serde_json::to_string(c).unwrap()
    );
    let combined: u128 = out.neurons.iter().map(|x| x.emission as u128).sum();
    prop_assert!(combined <= c.emission as u128);

    let incentive: u64 = out.neurons.iter().map(|x| x.incentive as u64).sum();
    prop_assert!(
        incentive == 0 || (65_535u64.saturating_sub(n as u64 + 1)..=65_535).contains(&incentive),
        "incentive sums to {}",
        incentive
    );

    let owner = c.owner_uid.filter(|o| (*o as usize) < n);
    let permits = out.neurons.iter().filter(|x| x.validator_permit).count();
    prop_assert!(permits <= c.params.max_allowed_validators.max(n as u16) as usize + 1);
    if c.params.max_allowed_validators as usize <= n {
        prop_assert!(
            permits <= c.params.max_allowed_validators as usize + usize::from(owner.is_some())
        );
    }
    for x in &out.neurons {
        prop_assert!(x.bonds.iter().all(|(j, _)| (*j as usize) < n) || !x.validator_permit);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn small_subnets_keep_the_invariants(c in case(24, 12)) {
        check_invariants(&c)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3))]

    #[test]
    fn large_subnets_keep_the_invariants(c in case(4096, 16).prop_filter("large", |c| c.neurons.len() >= 2048)) {
        check_invariants(&c)?;
    }
}

#[test]
fn empty_and_zero_emission_cases_are_fine() {
    let mut c = EpochCase {
        block: 0,
        tempo: 0,
        last_step_block: 0,
        emission: 0,
        owner_uid: None,
        params: EpochParams::default(),
        neurons: vec![],
    };
    assert!(run_epoch(&c).neurons.is_empty());
    c.neurons.push(NeuronState {
        stake: u64::MAX,
        registered_at: u64::MAX,
        last_update: u64::MAX,
        validator_permit: true,
        weights: vec![(0, 65535), (0, 1), (9, 9)],
        bonds: vec![(7, 1), (0, 65535)],
    });
    let out = run_epoch(&c);
    assert_eq!(
        out.neurons[0].server_emission + out.neurons[0].validator_emission,
        0
    );
    assert!(out.neurons[0].validator_permit);
}
