//! The topology's single namespace: what each name refers to, duplicates and unknown references.

use std::collections::BTreeMap;

use super::decode::Cx;
use super::diagnostics::{Diagnostic, Loc};
use super::model::{At, Role};
use super::suggest::did_you_mean;

/// What a name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    Chain,
    GpuMock,
    Subnet(usize),
    /// A neuron group (`instance: false`) or one of its instances, with its subnet position.
    Neuron {
        role: Role,
        subnet: usize,
        group: usize,
        instance: bool,
    },
}

impl Entity {
    /// How the entity is named in messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Entity::Chain => "the chain",
            Entity::GpuMock => "a GPU mock",
            Entity::Subnet(_) => "a subnet",
            Entity::Neuron {
                role: Role::Validator,
                instance: false,
                ..
            } => "a validator group",
            Entity::Neuron {
                role: Role::Miner,
                instance: false,
                ..
            } => "a miner group",
            Entity::Neuron {
                role: Role::Validator,
                ..
            } => "a validator instance",
            Entity::Neuron {
                role: Role::Miner, ..
            } => "a miner instance",
        }
    }
}

/// Every name in the topology (one namespace, so any reference is unambiguous).
#[derive(Default)]
pub(crate) struct Names {
    pub map: BTreeMap<String, (Entity, Loc)>,
}

impl Names {
    /// Registers `name`, reporting it if it is already taken (empty names were reported earlier).
    pub(crate) fn add(
        &mut self,
        cx: &mut Cx,
        name: &At<String>,
        path: &str,
        entity: Entity,
        what: &str,
    ) {
        let At { value, loc, width } = name;
        if value.is_empty() {
            return;
        }
        if let Some((other, other_loc)) = self.map.get(value) {
            let help = if *other == Entity::Chain {
                "`chain` is reserved for the chain node".to_owned()
            } else {
                format!(
                    "names are unique across the topology; {} `{value}` is defined at line {}",
                    other.describe(),
                    other_loc.line
                )
            };
            cx.report(
                Diagnostic::new(*loc, path, format!("duplicate name `{value}` ({what})"))
                    .with_help(help)
                    .with_width(*width),
            );
            return;
        }
        self.map.insert(value.clone(), (entity, *loc));
    }

    /// What `name` refers to.
    pub(crate) fn get(&self, name: &str) -> Option<Entity> {
        self.map.get(name).map(|(e, _)| *e)
    }

    /// Reports an unknown reference, suggesting a name that `accept` would take.
    pub(crate) fn unknown(
        &self,
        cx: &mut Cx,
        r: &At<String>,
        path: &str,
        what: &str,
        accept: impl Fn(Entity) -> bool,
    ) {
        let (what, scope) = what
            .split_once(" of ")
            .map_or((what, String::new()), |(w, s)| (w, format!(" in {s}")));
        let candidates: Vec<&str> = self
            .map
            .iter()
            .filter(|(_, (e, _))| accept(*e))
            .map(|(n, _)| n.as_str())
            .collect();
        let help = match did_you_mean(&r.value, candidates.iter().copied()) {
            Some(dym) => dym,
            None if candidates.is_empty() => format!("there is no {what} in this topology"),
            None => format!("known: {}", list(&candidates)),
        };
        cx.report(
            Diagnostic::new(r.loc, path, format!("unknown {what} `{}`{scope}", r.value))
                .with_help(help)
                .with_width(r.width),
        );
    }

    /// Looks a reference up; reports it (with what would fit) unless `accept` takes it.
    pub(crate) fn resolve(
        &self,
        cx: &mut Cx,
        r: &At<String>,
        path: &str,
        what: &str,
        accept: impl Fn(Entity) -> bool,
    ) -> Option<Entity> {
        if r.value.is_empty() {
            return None; // missing, already reported
        }
        match self.get(&r.value) {
            Some(e) if accept(e) => Some(e),
            Some(e) => {
                let candidates: Vec<&str> = self
                    .map
                    .iter()
                    .filter(|(_, (e, _))| accept(*e))
                    .map(|(n, _)| n.as_str())
                    .collect();
                let help = if candidates.is_empty() {
                    format!("there is no {what} in this topology")
                } else {
                    format!("expected {what}: {}", list(&candidates))
                };
                cx.report(
                    Diagnostic::new(
                        r.loc,
                        path,
                        format!("`{}` is {}, not a {what}", r.value, e.describe()),
                    )
                    .with_help(help)
                    .with_width(r.width),
                );
                None
            }
            None => {
                self.unknown(cx, r, path, what, accept);
                None
            }
        }
    }
}

/// At most ten names, then a count.
pub(crate) fn list(names: &[&str]) -> String {
    let mut s = names
        .iter()
        .take(10)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > 10 {
        s.push_str(&format!(" and {} more", names.len() - 10));
    }
    s
}
