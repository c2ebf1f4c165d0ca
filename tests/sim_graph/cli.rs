//! `seats simulate`, and simulators sharing one state file.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use seats::sim::{SimConfig, SimError, Simulator};

use super::support::{Sim, client, listed_ids};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_simulators_on_one_state_file_agree() {
    let first = Sim::start().await;
    let config = SimConfig::new(first.dir.path().join("sim.db"), 999);
    let runtime = tokio::runtime::Handle::current();
    let second = tokio::task::block_in_place(|| Simulator::start(config, &runtime)).unwrap();
    assert_eq!(first.handle.credentials(), second.credentials());
    // The second reused the tenant instead of building 999 users.
    assert_eq!(
        listed_ids(&second.tenant().unwrap()).len(),
        listed_ids(&first.tenant()).len()
    );

    // A token of one is good at the other, and a change through one shows at both.
    let user = first.tenant().nth_user(0).unwrap();
    first.tenant().rename_user(&user.id, "Shared Name").unwrap();
    let response = client()
        .get(format!("{}/v1.0/users/{}", second.base_url(), user.id))
        .bearer_auth(&first.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["displayName"], "Shared Name");
}

#[test]
fn a_seats_cache_is_not_taken_for_a_simulator_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seats.db");
    let mut conn = seats::store::open(&path, seats::store::OpenMode::Create).unwrap();
    let options = seats::demo::DemoOptions {
        users: 50,
        ..Default::default()
    };
    seats::demo::generate(&mut conn, &options, &mut |_| {}).unwrap();
    drop(conn);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let err = Simulator::start(SimConfig::new(&path, 50), runtime.handle())
        .err()
        .unwrap();
    assert!(matches!(err, SimError::NotSimState { .. }), "{err}");
    assert!(err.to_string().contains("--state"), "{err}");
}

#[test]
fn a_bad_fault_spec_is_refused_with_the_valid_terms() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(["simulate", "--faults", "429=0.1,flaky=0.5", "--state"])
        .arg(dir.path().join("sim.db"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"flaky=0.5\"") && stderr.contains("truncate=P"),
        "{stderr}"
    );
    assert!(!dir.path().join("sim.db").exists(), "nothing should be built");
}

/// Kills the child when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seats_simulate_prints_a_connect_line_that_works() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sim.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(["simulate", "--users", "60", "--port", "0", "--state"])
        .arg(&state)
        .env("HOME", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (lines, read) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut connect = None;
    let mut connect_store = None;
    while Instant::now() < deadline {
        match read.recv_timeout(Duration::from_millis(200)) {
            Ok(line) if line.trim_start().starts_with("seats connect graph") => connect = Some(line),
            Ok(line) if line.trim_start().starts_with("seats connect store") => connect_store = Some(line),
            Ok(line) if line.starts_with("Serving") => break,
            Ok(_) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(_) => break,
        }
    }
    let connect = connect.expect("no connect line within 60 s");
    let words: Vec<&str> = connect.split_whitespace().collect();
    let value = |flag: &str| words[words.iter().position(|w| *w == flag).unwrap() + 1].to_owned();
    let (tenant, client_id, secret_file, graph) = (
        value("--tenant-id"),
        value("--client-id"),
        value("--secret-file"),
        value("--graph-url"),
    );
    assert_eq!(value("--login-url"), graph);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&secret_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let secret = std::fs::read_to_string(&secret_file).unwrap();
    let scope = format!("{graph}/.default");
    let response = client()
        .post(format!("{graph}/{tenant}/oauth2/v2.0/token"))
        .form(&[
            ("client_id", client_id.as_str()),
            ("client_secret", secret.as_str()),
            ("grant_type", "client_credentials"),
            ("scope", scope.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    // The banner's Store for Business line works as printed (issue 8 review, B13).
    let store_line = connect_store.expect("a seats connect store line");
    let db = dir.path().join("seats.db");
    let store = Command::new(env!("CARGO_BIN_EXE_seats"))
        .args(store_line.split_whitespace().skip(1))
        .arg("--db")
        .arg(&db)
        .env("HOME", dir.path())
        .output()
        .unwrap();
    assert_eq!(
        store.status.code(),
        Some(0),
        "{store_line}: {}",
        String::from_utf8_lossy(&store.stderr)
    );
    drop(running);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_answers_on_a_listener_of_the_callers() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(seats::sim::serve(
        SimConfig::new(dir.path().join("sim.db"), 50),
        listener,
    ));
    // The tenant is built first; the listener queues connections meanwhile.
    let response = client()
        .get(format!("{base}/v1.0/organization"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let tenant = seats::sim::SimTenant::open(&dir.path().join("sim.db")).unwrap();
    assert!(tenant.user_count().unwrap() > 0);
    server.abort();
}
