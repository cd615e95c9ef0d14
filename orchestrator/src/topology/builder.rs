//! Building a topology in code, for tests: the builder writes the same document a YAML file
//! would hold and validates it exactly like one, so a built topology gets every default and
//! every check, and its mistakes the same messages (located in `<builder>`).
//!
//! ```
//! use localtensor::topology::{Neurons, Topology};
//!
//! let topology = Topology::builder("my-test")
//!     .seed(7)
//!     .epochs(3)
//!     .gpu("h100", "H100-80GB")
//!     .subnet("sn1", |s| {
//!         s.hyperparameter("tempo", 10)
//!             .validators(Neurons::new("v").replicas(2).stake_tao(1000))
//!             .miners(Neurons::new("m-fast").replicas(2).gpu("h100"))
//!             .miners(Neurons::new("m-lazy").behaviour("lazy"))
//!     })
//!     .expect("incentive(m-fast) > incentive(m-lazy)")
//!     .build()
//!     .unwrap();
//! assert_eq!(topology.instances().len(), 5);
//! ```

use super::{Topology, TopologyError, parse};
use serde_json::{Map, Value, json};

/// A topology under construction; see [`Topology::builder`].
#[derive(Debug, Clone)]
pub struct TopologyBuilder {
    doc: Map<String, Value>,
}

/// One group of neurons (`replicas` identical instances) for [`SubnetBuilder`].
#[derive(Debug, Clone)]
pub struct Neurons {
    doc: Map<String, Value>,
}

/// A subnet under construction, inside [`TopologyBuilder::subnet`].
#[derive(Debug, Clone)]
pub struct SubnetBuilder {
    doc: Map<String, Value>,
}

impl Topology {
    /// Starts a topology named `name`, with every default.
    pub fn builder(name: &str) -> TopologyBuilder {
        let mut doc = Map::new();
        doc.insert("name".into(), json!(name));
        TopologyBuilder { doc }
    }
}

fn push(doc: &mut Map<String, Value>, key: &str, item: Value) {
    match doc.entry(key).or_insert_with(|| json!([])) {
        Value::Array(items) => items.push(item),
        other => *other = json!([item]),
    }
}

impl TopologyBuilder {
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.doc.insert("seed".into(), json!(seed));
        self
    }

    /// Sets the number of epochs `run` drives.
    pub fn epochs(mut self, epochs: u32) -> Self {
        self.doc.insert("epochs".into(), json!(epochs));
        self
    }

    /// Sets any top-level field to a JSON value (`chain`, `runtime`, `faults`, ...), as written
    /// in a file.
    pub fn field(mut self, key: &str, value: Value) -> Self {
        self.doc.insert(key.into(), value);
        self
    }

    /// Adds a GPU mock with a built-in profile.
    pub fn gpu(mut self, name: &str, profile: &str) -> Self {
        push(
            &mut self.doc,
            "gpu_mocks",
            json!({"name": name, "profile": profile}),
        );
        self
    }

    /// Adds a subnet, configured by `f`.
    pub fn subnet(mut self, name: &str, f: impl FnOnce(SubnetBuilder) -> SubnetBuilder) -> Self {
        let mut doc = Map::new();
        doc.insert("name".into(), json!(name));
        let subnet = f(SubnetBuilder { doc });
        push(&mut self.doc, "subnets", Value::Object(subnet.doc));
        self
    }

    /// Adds an expectation, e.g. `incentive(m-fast) > incentive(m-slow)`.
    pub fn expect(mut self, expression: &str) -> Self {
        push(&mut self.doc, "expectations", json!(expression));
        self
    }

    /// The document as YAML text would hold it (JSON is YAML).
    pub fn to_document(&self) -> String {
        Value::Object(self.doc.clone()).to_string()
    }

    /// Validates the document like a file and returns the topology, or every mistake.
    pub fn build(&self) -> Result<Topology, TopologyError> {
        parse(&self.to_document(), "<builder>")
    }
}

impl SubnetBuilder {
    /// Sets a hyperparameter by its topology name (`tempo`, `kappa`, `yuma3`, ...).
    pub fn hyperparameter(mut self, name: &str, value: impl Into<Value>) -> Self {
        let hyperparameters = self
            .doc
            .entry("hyperparameters")
            .or_insert_with(|| json!({}));
        if let Value::Object(map) = hyperparameters {
            map.insert(name.into(), value.into());
        }
        self
    }

    /// Sets the netuid.
    pub fn netuid(mut self, netuid: u16) -> Self {
        self.doc.insert("netuid".into(), json!(netuid));
        self
    }

    /// Adds a group of validators.
    pub fn validators(mut self, group: Neurons) -> Self {
        push(&mut self.doc, "validators", Value::Object(group.doc));
        self
    }

    /// Adds a group of miners.
    pub fn miners(mut self, group: Neurons) -> Self {
        push(&mut self.doc, "miners", Value::Object(group.doc));
        self
    }
}

impl Neurons {
    /// A group named `name` (one honest instance with the default stake).
    pub fn new(name: &str) -> Self {
        let mut doc = Map::new();
        doc.insert("name".into(), json!(name));
        Self { doc }
    }

    /// How many instances (`name-0`, `name-1`, ... when more than one).
    pub fn replicas(self, replicas: u32) -> Self {
        self.field("replicas", json!(replicas))
    }

    /// Stake of each instance, in whole TAO.
    pub fn stake_tao(self, tao: u64) -> Self {
        self.field("stake", json!(tao))
    }

    /// Adds a GPU mock the instances use.
    pub fn gpu(mut self, gpu: &str) -> Self {
        push(&mut self.doc, "gpu", json!(gpu));
        self
    }

    /// Sets the behaviour (`lazy`, `slow`, `weight-copier`, ...).
    pub fn behaviour(self, behaviour: &str) -> Self {
        self.field("behaviour", json!(behaviour))
    }

    /// Sets any other field of the group, as written in a file (`slowdown`, `targets`,
    /// `command`, ...).
    pub fn field(mut self, key: &str, value: Value) -> Self {
        self.doc.insert(key.into(), value);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_topology_equals_the_same_file() {
        let built = Topology::builder("t")
            .seed(3)
            .gpu("h100", "H100-80GB")
            .subnet("sn1", |s| {
                s.hyperparameter("tempo", 12)
                    .validators(Neurons::new("v").replicas(2).stake_tao(500))
                    .miners(Neurons::new("m").gpu("h100"))
                    .miners(
                        Neurons::new("m-slow")
                            .behaviour("slow")
                            .field("slowdown", json!(3)),
                    )
            })
            .expect("incentive(m) > incentive(m-slow)")
            .build()
            .unwrap();
        let file = parse(
            "name: t\nseed: 3\ngpu_mocks: [{name: h100, profile: H100-80GB}]\nsubnets:\n  - name: sn1\n    hyperparameters: {tempo: 12}\n    validators: [{name: v, replicas: 2, stake: 500}]\n    miners:\n      - {name: m, gpu: [h100]}\n      - {name: m-slow, behaviour: slow, slowdown: 3}\nexpectations: [\"incentive(m) > incentive(m-slow)\"]\n",
            "t.yaml",
        )
        .unwrap();
        assert_eq!(
            serde_json::to_value(built.resolved()).unwrap(),
            serde_json::to_value(file.resolved()).unwrap()
        );
    }

    #[test]
    fn mistakes_are_reported_as_for_a_file() {
        let err = Topology::builder("t")
            .subnet("sn1", |s| {
                s.hyperparameter("tempoo", 10)
                    .miners(Neurons::new("m").gpu("nope"))
            })
            .build()
            .unwrap_err();
        let text = err.render_diagnostics();
        assert!(text.contains("<builder>"), "{text}");
        assert!(text.contains("tempoo"), "{text}");
        assert!(text.contains("nope"), "{text}");
    }
}
