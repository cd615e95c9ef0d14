//! Decoding bring-your-own commands: program, environment and placeholders.

use std::collections::BTreeMap;

use super::decode::{Cx, Fields, index, join};
use super::diagnostics::Diagnostic;
use super::model::CommandSpec;
use super::placeholders::{self, TemplateError};
use super::suggest::did_you_mean;
use super::yaml::{Kind, Node};

pub(crate) fn read_command(f: &Fields<'_>, cx: &mut Cx) -> CommandSpec {
    let path = f.path_of("command");
    let mut command = Vec::new();
    if let Some(node) = f.node("command") {
        match &node.kind {
            // A single string runs through the shell, so pipes and `&&` work.
            Kind::Str(s) => {
                check_template(cx, node, &path, s);
                command = vec!["sh".to_owned(), "-c".to_owned(), s.clone()];
            }
            Kind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let item_path = index(&path, i);
                    if let Some(s) = scalar_string(item, &item_path, cx) {
                        check_template(cx, item, &item_path, &s);
                        command.push(s);
                    }
                }
            }
            _ => cx.wrong_type(
                node,
                &path,
                "a command: a string (run by `sh -c`) or a list of program and arguments",
            ),
        }
        if command.first().is_none_or(|p| p.is_empty()) && !cx.failed(&path) {
            cx.error(
                node.loc,
                &path,
                "the command is empty",
                Some("give a program to run, e.g. [\"python\", \"miner.py\"]".into()),
            );
        }
    }
    let mut env = BTreeMap::new();
    if let Some(node) = f.node("env") {
        let env_path = f.path_of("env");
        match &node.kind {
            Kind::Map(entries) => {
                for (key, value) in entries {
                    let Kind::Str(k) = &key.kind else {
                        cx.wrong_type(key, &env_path, "an environment variable name");
                        continue;
                    };
                    let var_path = join(&env_path, k);
                    if k.is_empty() || k.contains('=') || k.contains('\0') {
                        cx.error(
                            key.loc,
                            &var_path,
                            format!("invalid environment variable name `{k}`"),
                            None,
                        );
                        continue;
                    }
                    if k.starts_with("LOCALTENSOR_") {
                        cx.report(
                            Diagnostic::new(key.loc, &var_path, format!("`{k}` is set by localtensor"))
                                .with_help("LOCALTENSOR_* variables carry the injected values; use another name")
                                .with_width(k.chars().count()),
                        );
                        continue;
                    }
                    if let Some(v) = scalar_string(value, &var_path, cx) {
                        check_template(cx, value, &var_path, &v);
                        if env.insert(k.clone(), v).is_some() {
                            cx.error(
                                key.loc,
                                &var_path,
                                format!("duplicate environment variable `{k}`"),
                                None,
                            );
                        }
                    }
                }
            }
            Kind::Null => {}
            _ => cx.wrong_type(node, &env_path, "a mapping of environment variables"),
        }
    }
    let workdir = f.opt::<String>(cx, "workdir");
    CommandSpec {
        command,
        env,
        workdir,
    }
}

/// Strings, numbers and booleans as text (environment values are often written unquoted).
fn scalar_string(node: &Node, path: &str, cx: &mut Cx) -> Option<String> {
    match &node.kind {
        Kind::Str(s) => Some(s.clone()),
        Kind::Int(i) => Some(i.to_string()),
        Kind::Float(x) => Some(x.to_string()),
        Kind::Bool(b) => Some(b.to_string()),
        _ => {
            cx.wrong_type(node, path, "a string");
            None
        }
    }
}

fn check_template(cx: &mut Cx, node: &Node, path: &str, text: &str) {
    let all = || placeholders::names().collect::<Vec<_>>().join(", ");
    match placeholders::scan(text) {
        Ok(_) => {}
        Err(TemplateError::Unknown(name, offset)) => {
            let loc = cx.inside(
                node.loc,
                text.get(..offset).map_or(0, |t| t.chars().count()),
            );
            let mut help = format!("placeholders: {}; write `{{{{` for a literal brace", all());
            if let Some(dym) = did_you_mean(&name, placeholders::names()) {
                help = format!("{dym} {help}");
            }
            cx.report(
                Diagnostic::new(loc, path, format!("unknown placeholder `{{{name}}}`"))
                    .with_help(help)
                    .with_width(name.chars().count() + 2),
            );
        }
        Err(TemplateError::Unclosed(offset)) => {
            let loc = cx.inside(
                node.loc,
                text.get(..offset).map_or(0, |t| t.chars().count()),
            );
            cx.report(
                Diagnostic::new(loc, path, "unclosed `{` in a placeholder")
                    .with_help("write `{chain_endpoint}`, or `{{` for a literal brace"),
            );
        }
    }
}
