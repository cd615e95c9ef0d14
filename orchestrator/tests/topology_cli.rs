//! `localtensor validate`: exit codes and output streams, through the built binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn localtensor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .args(args)
        .output()
        .unwrap()
}

fn example(name: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../topologies")
        .join(format!("{name}.yaml"));
    p.display().to_string()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn valid_topology_prints_a_summary_and_exits_0() {
    let out = localtensor(&["validate", &example("minimal")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("topology `minimal`"), "{stdout}");
    assert!(stdout.contains("1 subnet, 3 neurons"), "{stdout}");
    assert!(stdout.contains("miner m x2"), "{stdout}");
}

#[test]
fn json_and_yaml_show_the_resolved_topology() {
    let out = localtensor(&["validate", &example("minimal"), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = v["neurons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["v", "m-0", "m-1"]);
    assert_eq!(v["subnets"][0]["hyperparameters"]["tempo"], 10);
    assert_eq!(v["subnets"][0]["netuid"], 1);

    let out = localtensor(&["validate", &example("minimal"), "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("name: minimal\n"), "{stdout}");
    assert!(stdout.contains("- name: m-1\n"), "{stdout}");
}

#[test]
fn invalid_topology_lists_every_error_on_stderr_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "name: bad\nepochz: 3\nsubnets:\n  - name: sn\n    miners:\n      - name: m\n        gpu: nope\n").unwrap();
    let out = localtensor(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "stdout: {}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!("--> {}:2:1", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean `epochs`?"), "{stderr}");
    assert!(
        stderr.contains(&format!("--> {}:7:14", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains("unknown GPU mock `nope`"), "{stderr}");
    assert!(stderr.contains("2 errors; nothing was started"), "{stderr}");
}

#[test]
fn missing_empty_and_garbage_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.yaml");
    std::fs::write(&empty, "").unwrap();
    let garbage = dir.path().join("garbage.yaml");
    std::fs::write(&garbage, [0xffu8, 0x00, 0x13, 0x37, b':', b'\n']).unwrap();
    let missing = dir.path().join("missing.yaml");
    for (path, fragment) in [
        (&empty, "empty"),
        (&garbage, "not UTF-8"),
        (&missing, "cannot read topology"),
    ] {
        let out = localtensor(&["validate", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        assert!(out.stdout.is_empty());
        assert!(
            text(&out.stderr).contains(fragment),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = localtensor(&["validate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = localtensor(&["validate", &example("minimal"), "--format", "toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn standard_input_is_read_with_a_dash() {
    use std::io::Write as _;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_localtensor"))
        .args(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"name: piped\nsubnets:\n  - name: sn\n    minrs: []\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--> <stdin>:4:5"), "{stderr}");
    assert!(stderr.contains("did you mean `miners`?"), "{stderr}");
}

#[test]
fn warnings_go_to_stderr_and_keep_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warn.yaml");
    std::fs::write(
        &path,
        "name: warn\nsubnets:\n  - name: sn\n    miners:\n      - name: m\n",
    )
    .unwrap();
    let out = localtensor(&["validate", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("topology `warn`"));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning: subnet `sn` has no validators"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("--> {}:3:11", path.display())),
        "{stderr}"
    );
}

#[test]
fn endless_input_is_cut_off() {
    let out = localtensor(&["validate", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("the file is too large"),
        "{}",
        text(&out.stderr)
    );
}
