//! Type paths: our types are declared in this crate; metadata must name them as subtensor does.

use scale_info::PortableRegistry;

/// (path in this crate without the crate name, subtensor's path).
pub const PATHS: &[(&str, &str)] = &[
    (
        "runtime::apis::hyperparams_v3::HyperparamEntry",
        "pallet_subtensor::rpc_info::subnet_info::HyperparamEntry",
    ),
    (
        "runtime::apis::hyperparams_v3::HyperparamValue",
        "pallet_subtensor::rpc_info::subnet_info::HyperparamValue",
    ),
    (
        "runtime::pallets::subtensor::Call",
        "pallet_subtensor::pallet::Call",
    ),
    (
        "runtime::pallets::subtensor::Event",
        "pallet_subtensor::pallet::Event",
    ),
    (
        "runtime::pallets::subtensor::Error",
        "pallet_subtensor::pallet::Error",
    ),
    (
        "runtime::pallets::subtensor::types::AxonInfo",
        "pallet_subtensor::pallet::AxonInfo",
    ),
    (
        "runtime::pallets::subtensor::types::FixedU128",
        "substrate_fixed::FixedU128",
    ),
    (
        "runtime::pallets::admin_utils::Call",
        "pallet_admin_utils::pallet::Call",
    ),
    (
        "runtime::pallets::admin_utils::Event",
        "pallet_admin_utils::pallet::Event",
    ),
    (
        "runtime::pallets::admin_utils::Error",
        "pallet_admin_utils::pallet::Error",
    ),
    ("primitives::AccountId32", "sp_core::crypto::AccountId32"),
    ("primitives::H256", "primitive_types::H256"),
    (
        "primitives::MultiAddress",
        "sp_runtime::multiaddress::MultiAddress",
    ),
    ("primitives::MultiSignature", "sp_runtime::MultiSignature"),
    ("primitives::Era", "sp_runtime::generic::era::Era"),
    (
        "primitives::DigestItem",
        "sp_runtime::generic::digest::DigestItem",
    ),
    ("primitives::Digest", "sp_runtime::generic::digest::Digest"),
    ("primitives::Header", "sp_runtime::generic::header::Header"),
    ("primitives::Weight", "sp_weights::weight_v2::Weight"),
    (
        "primitives::DispatchClass",
        "frame_support::dispatch::DispatchClass",
    ),
    ("primitives::Pays", "frame_support::dispatch::Pays"),
    (
        "primitives::DispatchEventInfo",
        "frame_system::DispatchEventInfo",
    ),
    ("primitives::ModuleError", "sp_runtime::ModuleError"),
    ("primitives::TokenError", "sp_runtime::TokenError"),
    (
        "primitives::ArithmeticError",
        "sp_arithmetic::ArithmeticError",
    ),
    (
        "primitives::TransactionalError",
        "sp_runtime::TransactionalError",
    ),
    ("primitives::DispatchError", "sp_runtime::DispatchError"),
    (
        "primitives::TrieError",
        "sp_runtime::proving_trie::TrieError",
    ),
    (
        "runtime::RuntimeCall",
        "node_subtensor_runtime::RuntimeCall",
    ),
    (
        "runtime::RuntimeEvent",
        "node_subtensor_runtime::RuntimeEvent",
    ),
    (
        "runtime::RuntimeError",
        "node_subtensor_runtime::RuntimeError",
    ),
    ("runtime::Runtime", "node_subtensor_runtime::Runtime"),
    ("runtime::Phase", "frame_system::Phase"),
    ("runtime::EventRecord", "frame_system::EventRecord"),
    (
        "runtime::pallets::system::Call",
        "frame_system::pallet::Call",
    ),
    (
        "runtime::pallets::system::Event",
        "frame_system::pallet::Event",
    ),
    (
        "runtime::pallets::system::Error",
        "frame_system::pallet::Error",
    ),
    (
        "runtime::pallets::system::AccountInfo",
        "frame_system::AccountInfo",
    ),
    (
        "runtime::pallets::system::AccountData",
        "pallet_balances::types::AccountData",
    ),
    (
        "runtime::pallets::system::ExtraFlags",
        "pallet_balances::types::ExtraFlags",
    ),
    (
        "runtime::pallets::timestamp::Call",
        "pallet_timestamp::pallet::Call",
    ),
    (
        "runtime::pallets::balances::Call",
        "pallet_balances::pallet::Call",
    ),
    (
        "runtime::pallets::balances::Event",
        "pallet_balances::pallet::Event",
    ),
    (
        "runtime::pallets::balances::Error",
        "pallet_balances::pallet::Error",
    ),
    (
        "runtime::pallets::transaction_payment::Event",
        "pallet_transaction_payment::pallet::Event",
    ),
    (
        "runtime::pallets::transaction_payment::FixedU128",
        "sp_arithmetic::fixed_point::FixedU128",
    ),
    (
        "runtime::pallets::transaction_payment::RuntimeDispatchInfo",
        "pallet_transaction_payment::types::RuntimeDispatchInfo",
    ),
    (
        "runtime::pallets::utility::Call",
        "pallet_subtensor_utility::pallet::Call",
    ),
    (
        "runtime::pallets::utility::Event",
        "pallet_subtensor_utility::pallet::Event",
    ),
    (
        "runtime::pallets::utility::Error",
        "pallet_subtensor_utility::pallet::Error",
    ),
    ("runtime::pallets::sudo::Call", "pallet_sudo::pallet::Call"),
    (
        "runtime::pallets::sudo::Event",
        "pallet_sudo::pallet::Event",
    ),
    (
        "runtime::pallets::sudo::Error",
        "pallet_sudo::pallet::Error",
    ),
    (
        "runtime::apis::RuntimeVersion",
        "sp_version::RuntimeVersion",
    ),
    (
        "runtime::apis::FeeDetails",
        "pallet_transaction_payment::types::FeeDetails",
    ),
    (
        "runtime::apis::InclusionFee",
        "pallet_transaction_payment::types::InclusionFee",
    ),
    ("runtime::apis::OpaqueMetadata", "sp_core::OpaqueMetadata"),
    (
        "runtime::apis::common::FixedI128",
        "substrate_fixed::FixedI128",
    ),
    (
        "runtime::apis::common::FixedI64",
        "substrate_fixed::FixedI64",
    ),
    (
        "runtime::apis::common::PrometheusInfo",
        "pallet_subtensor::pallet::PrometheusInfo",
    ),
    (
        "runtime::apis::common::SubnetIdentityV3",
        "pallet_subtensor::pallet::SubnetIdentityV3",
    ),
    (
        "runtime::apis::common::ChainIdentityV2",
        "pallet_subtensor::pallet::ChainIdentityV2",
    ),
    (
        "runtime::apis::neuron_info::NeuronInfo",
        "pallet_subtensor::rpc_info::neuron_info::NeuronInfo",
    ),
    (
        "runtime::apis::neuron_info::NeuronInfoLite",
        "pallet_subtensor::rpc_info::neuron_info::NeuronInfoLite",
    ),
    (
        "runtime::apis::subnet_info::SubnetInfo",
        "pallet_subtensor::rpc_info::subnet_info::SubnetInfo",
    ),
    (
        "runtime::apis::subnet_info::SubnetInfov2",
        "pallet_subtensor::rpc_info::subnet_info::SubnetInfov2",
    ),
    (
        "runtime::apis::subnet_info::SubnetHyperparams",
        "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparams",
    ),
    (
        "runtime::apis::subnet_info::SubnetHyperparamsV2",
        "pallet_subtensor::rpc_info::subnet_info::SubnetHyperparamsV2",
    ),
    (
        "runtime::apis::dynamic_info::DynamicInfo",
        "pallet_subtensor::rpc_info::dynamic_info::DynamicInfo",
    ),
    (
        "runtime::apis::metagraph::Metagraph",
        "pallet_subtensor::rpc_info::metagraph::Metagraph",
    ),
    (
        "runtime::apis::metagraph::SelectiveMetagraph",
        "pallet_subtensor::rpc_info::metagraph::SelectiveMetagraph",
    ),
    (
        "runtime::apis::metagraph::SubnetState",
        "pallet_subtensor::rpc_info::show_subnet::SubnetState",
    ),
    (
        "runtime::apis::stake_info::StakeInfo",
        "pallet_subtensor::rpc_info::stake_info::StakeInfo",
    ),
    (
        "runtime::apis::delegate_info::DelegateInfo",
        "pallet_subtensor::rpc_info::delegate_info::DelegateInfo",
    ),
    (
        "runtime::apis::swap::SimSwapResult",
        "pallet_subtensor_swap_runtime_api::SimSwapResult",
    ),
    (
        "extrinsic::CheckNonZeroSender",
        "frame_system::extensions::check_non_zero_sender::CheckNonZeroSender",
    ),
    (
        "extrinsic::CheckSpecVersion",
        "frame_system::extensions::check_spec_version::CheckSpecVersion",
    ),
    (
        "extrinsic::CheckTxVersion",
        "frame_system::extensions::check_tx_version::CheckTxVersion",
    ),
    (
        "extrinsic::CheckGenesis",
        "frame_system::extensions::check_genesis::CheckGenesis",
    ),
    (
        "extrinsic::CheckMortality",
        "frame_system::extensions::check_mortality::CheckMortality",
    ),
    (
        "extrinsic::CheckNonce",
        "node_subtensor_runtime::check_nonce::CheckNonce",
    ),
    (
        "extrinsic::CheckWeight",
        "frame_system::extensions::check_weight::CheckWeight",
    ),
    (
        "extrinsic::ChargeTransactionPayment",
        "pallet_transaction_payment::ChargeTransactionPayment",
    ),
    (
        "extrinsic::SudoTransactionExtension",
        "node_subtensor_runtime::sudo_wrapper::SudoTransactionExtension",
    ),
    (
        "extrinsic::CheckShieldedTxValidity",
        "pallet_shield::extension::CheckShieldedTxValidity",
    ),
    (
        "extrinsic::SubtensorTransactionExtension",
        "pallet_subtensor::transaction_extension::SubtensorTransactionExtension",
    ),
    (
        "extrinsic::DrandPriority",
        "pallet_drand::drand_priority::DrandPriority",
    ),
    (
        "extrinsic::CheckMetadataHash",
        "frame_metadata_hash_extension::CheckMetadataHash",
    ),
    ("extrinsic::Mode", "frame_metadata_hash_extension::Mode"),
    (
        "extrinsic::UncheckedExtrinsic",
        "fp_self_contained::unchecked_extrinsic::UncheckedExtrinsic",
    ),
    (
        "extrinsic::GenericUncheckedExtrinsic",
        "sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic",
    ),
];

/// Rewrites every path of this crate's types to subtensor's.
pub fn rewrite(types: &mut PortableRegistry) {
    let crate_name = env!("CARGO_CRATE_NAME");
    for t in types.types.iter_mut() {
        let segments = &t.ty.path.segments;
        if segments.first().map(String::as_str) != Some(crate_name) {
            continue;
        }
        let ours = segments[1..].join("::");
        if let Some((_, theirs)) = PATHS.iter().find(|(o, _)| *o == ours) {
            t.ty.path.segments = theirs.split("::").map(str::to_string).collect();
        }
    }
}
