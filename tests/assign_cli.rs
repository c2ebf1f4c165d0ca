//! `seats assign`, `unassign`, `users remove`, `admins` and `audit` as other
//! tools see them: stdout, stderr and every exit code of the contract.
#![allow(clippy::unwrap_used)]

mod common;

#[path = "assign_cli/cache.rs"]
mod cache;
#[path = "assign_cli/release.rs"]
mod release;

use cache::{Cache, expect};
use common::{me, uid_name};

#[test]
fn assign_dry_run_and_unassign_succeed_with_the_seat_delta() {
    let cache = Cache::new();
    let users = cache.seatless(900, 2);
    let args = [
        "assign", "--pool", "CLI Tool", "--user", &users[0], "--user", &users[1],
    ];
    let (stdout, _) = expect(&cache.run("tester", &[&args[..], &["--dry-run"]].concat()), 0);
    assert!(
        stdout.contains("consumed 0 → 2 of 3 (1 available after)"),
        "{stdout}"
    );
    assert!(stdout.contains("new seats: 2, already held: 0"), "{stdout}");
    assert_eq!(cache.cli_tool(), 0, "a dry run changes nothing");
    let (stdout, _) = expect(&cache.run("tester", &args), 0);
    assert_eq!(stdout, "CLI Tool: +2 seats (consumed 0 → 2, 1 available)\n");
    assert_eq!(cache.cli_tool(), 2);
    let unassign = ["unassign", "--pool", "900", "--user", &users[0]];
    let (_, stderr) = expect(&cache.run("tester", &unassign), 2);
    assert!(
        stderr.contains("pass --yes") && stderr.contains(&users[0]),
        "{stderr}"
    );
    assert_eq!(cache.cli_tool(), 2, "nothing released without confirmation");
    let (stdout, _) = expect(&cache.run("tester", &[&unassign[..], &["--yes"]].concat()), 0);
    assert_eq!(stdout, "CLI Tool: -1 seat (consumed 2 → 1, 2 available)\n");
    cache.check_ok();
}

#[test]
fn connector_pools_say_the_change_is_queued_with_no_push_and_applied_without() {
    let cache = Cache::new();
    let pool = cache.number(
        "SELECT id FROM pools WHERE connector_id IS NOT NULL AND kind = 'm365' AND status = 'active' \
         AND total - consumed > 2 ORDER BY id LIMIT 1",
    );
    let users = cache.seatless(pool, 2);
    let pool = pool.to_string();
    let (stdout, _) = expect(
        &cache.run(
            "tester",
            &["assign", "--pool", &pool, "--user", &users[0], "--no-push"],
        ),
        0,
    );
    assert!(
        stdout.contains("+1 seat")
            && stdout.ends_with("; queued for Microsoft Graph (pending in the outbox, not sent yet)\n"),
        "{stdout}"
    );
    assert_eq!(
        cache.number("SELECT count(*) FROM outbox WHERE state = 'pending'"),
        1
    );
    // Without --no-push the change goes to the demo's own simulator, and
    // the row queued before goes with it.
    let (stdout, _) = expect(
        &cache.run("tester", &["assign", "--pool", &pool, "--user", &users[1]]),
        0,
    );
    assert!(stdout.ends_with("; applied at Microsoft Graph\n"), "{stdout}");
    assert_eq!(
        cache.number("SELECT count(*) FROM outbox WHERE state = 'pending'"),
        0
    );
    cache.check_ok();
}

#[test]
fn unknown_names_are_bad_input_and_name_the_value() {
    let cache = Cache::new();
    let user = cache.seatless(900, 1).remove(0);
    let cases: [(&[&str], &str); 4] = [
        (
            &["assign", "--pool", "No Such Pool", "--user", &user],
            "\"No Such Pool\"",
        ),
        (
            &["assign", "--pool", "900", "--user", "ghost@nowhere.test"],
            "\"ghost@nowhere.test\"",
        ),
        (
            &["unassign", "--pool", "900", "--group", "Ghosts", "--yes"],
            "\"Ghosts\"",
        ),
        (&["assign", "--pool", "900"], "--user UPN or --group NAME"),
    ];
    for (args, names) in cases {
        let (_, stderr) = expect(&cache.run("tester", args), 2);
        assert!(stderr.contains(names), "{args:?}: {stderr}");
    }
    cache.check_ok();
}

#[test]
fn a_shortfall_is_refused_with_exit_3_and_changes_nothing() {
    let cache = Cache::new();
    let args = ["assign", "--pool", "CLI Tool", "--group", "All Staff"];
    let (stdout, stderr) = expect(&cache.run("tester", &[&args[..], &["--dry-run"]].concat()), 3);
    assert_eq!(stdout, "", "only the refusal");
    assert!(stderr.contains("short by"), "{stderr}");
    let (_, stderr) = expect(&cache.run("tester", &args), 3);
    assert!(
        stderr.contains("short by") && stderr.contains("buy more"),
        "{stderr}"
    );
    assert_eq!(cache.cli_tool(), 0);
    assert_eq!(
        cache.number("SELECT count(*) FROM assignments WHERE pool_id = 900"),
        0
    );
    cache.check_ok();
}

#[test]
fn read_only_sessions_and_non_admins_are_not_permitted() {
    let cache = Cache::new();
    let user = cache.seatless(900, 1).remove(0);
    let args = ["assign", "--pool", "900", "--user", &user];
    let (_, stderr) = expect(&cache.run("tester", &[&["--read-only"][..], &args].concat()), 4);
    assert!(stderr.contains("--read-only"), "{stderr}");
    // Another OS user, whatever $USER says, is no admin of this cache.
    let eve = uid_name(64_001);
    let Some(out) = cache.run_as(64_001, &args) else {
        return;
    };
    let (_, stderr) = expect(&out, 4);
    assert!(
        stderr.contains(&format!("{eve} is not an admin"))
            && stderr.contains(&format!("seats admins add {eve}")),
        "{stderr}"
    );
    let (_, stderr) = expect(
        &cache
            .run_as(64_001, &["admins", "add", &eve, "--role", "global"])
            .unwrap(),
        4,
    );
    assert!(stderr.contains("global administrator"), "{stderr}");
    assert_eq!(cache.cli_tool(), 0);
    cache.check_ok();
}

#[test]
fn admins_are_listed_added_and_removed() {
    let cache = Cache::new();
    let bob = uid_name(64_002);
    expect(
        &cache.run("tester", &["admins", "add", &bob, "--role", "license"]),
        0,
    );
    let (stdout, _) = expect(&cache.run("tester", &["admins", "list", "--format", "json"]), 0);
    let admins: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let mut roles: Vec<(String, String)> = admins
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["os_user"].as_str().unwrap().into(),
                a["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut expected = vec![(bob.clone(), "license".into()), (me(), "global".into())];
    roles.sort();
    expected.sort();
    assert_eq!(roles, expected);
    let user = cache.seatless(900, 1).remove(0);
    if let Some(out) = cache.run_as(64_002, &["assign", "--pool", "900", "--user", &user]) {
        expect(&out, 0);
    }
    let (_, stderr) = expect(
        &cache.run("tester", &["admins", "add", "carl", "--role", "boss"]),
        2,
    );
    assert!(stderr.contains("\"boss\""), "{stderr}");
    let (_, stderr) = expect(&cache.run("tester", &["admins", "remove", &me()]), 3);
    assert!(stderr.contains("last global administrator"), "{stderr}");
    expect(&cache.run("tester", &["admins", "remove", &bob]), 0);
    let (stdout, _) = expect(&cache.run("tester", &["admins", "list"]), 0);
    assert!(!stdout.contains(&bob), "{stdout}");
    cache.check_ok();
}

#[test]
fn audit_json_has_the_contract_keys() {
    let cache = Cache::new();
    let user = cache.seatless(900, 1).remove(0);
    expect(
        &cache.run("tester", &["assign", "--pool", "900", "--user", &user]),
        0,
    );
    let (stdout, _) = expect(
        &cache.run("tester", &["audit", "--since", "2000-01-01", "--format", "json"]),
        0,
    );
    let rows: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let last = rows.as_array().unwrap().last().unwrap().clone();
    for key in [
        "at",
        "actor",
        "action",
        "pool",
        "principals",
        "result",
        "consumed_before",
        "consumed_after",
    ] {
        assert!(last.get(key).is_some(), "missing {key} in {last}");
    }
    assert_eq!(last["action"], "assign");
    assert_eq!(last["pool"], "CLI Tool");
    assert_eq!(last["principals"], serde_json::json!([user]));
    assert_eq!(last["result"], "ok");
    assert_eq!(last["consumed_before"], 0);
    assert_eq!(last["consumed_after"], 1);
    assert!(last["detail"].is_object(), "detail is an object: {last}");
    assert_eq!(last["detail"]["added"], 1);
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["detail"].is_object() || r["detail"].is_null()),
        "{rows}"
    );
    let (stdout, _) = expect(&cache.run("tester", &["audit", "--format", "csv"]), 0);
    assert!(
        stdout.starts_with(
            "at,actor,action,pool,principals,consumed_before,consumed_after,result,detail,batch_id,changed\n"
        ),
        "{stdout}"
    );
    let assign = stdout.lines().last().unwrap();
    let fields: Vec<&str> = assign.split(',').collect();
    assert_eq!(
        &fields[2..7],
        ["assign", "CLI Tool", user.as_str(), "0", "1"],
        "{assign}"
    );
    let (_, stderr) = expect(&cache.run("tester", &["audit", "--since", "last week"]), 2);
    assert!(stderr.contains("\"last week\""), "{stderr}");
    cache.check_ok();
}

#[test]
fn users_remove_releases_every_seat_and_users_still_lists() {
    let cache = Cache::new();
    let (id, upn): (i64, String) = cache
        .conn()
        .query_row(
            "SELECT u.id, u.upn FROM users u JOIN assignments a ON a.user_id = u.id AND a.state <> 'error' \
             GROUP BY u.id ORDER BY count(*) DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (stdout, _) = expect(
        &cache.run("tester", &["users", "remove", &upn, "--with-devices"]),
        0,
    );
    assert!(stdout.contains(&format!("{upn} removed: ")), "{stdout}");
    assert_eq!(
        cache.number(&format!("SELECT count(*) FROM assignments WHERE user_id = {id}")),
        0
    );
    assert_eq!(
        cache.number(&format!("SELECT deleted FROM users WHERE id = {id}")),
        1
    );
    let bad = cache.number(
        "SELECT count(*) FROM pools p WHERE consumed <> \
         (SELECT count(*) FROM assignments a WHERE a.pool_id = p.id AND a.state <> 'error')",
    );
    assert_eq!(bad, 0, "consumed follows the released rows");
    let (stdout, _) = expect(
        &cache.run("tester", &["users", "--filter", &upn, "--format", "json"]),
        0,
    );
    assert!(stdout.contains(&upn), "{stdout}");
    let (_, stderr) = expect(
        &cache.run("tester", &["users", "remove", "ghost@nowhere.test"]),
        2,
    );
    assert!(stderr.contains("\"ghost@nowhere.test\""), "{stderr}");
    cache.check_ok();
}

#[test]
fn check_exits_1_and_names_the_pool_whose_count_was_corrupted() {
    let cache = Cache::new();
    cache.check_ok();
    cache.sql("UPDATE pools SET consumed = consumed + 2 WHERE id = 900");
    let (stdout, stderr) = expect(&cache.run("tester", &["check"]), 1);
    assert_eq!(stdout.lines().count(), 1, "one line per violation: {stdout}");
    assert!(
        stdout.contains("consumed_equals_held_seats")
            && stdout.contains("pool 900 CLI Tool: consumed 2, seats held 0")
            && stdout.contains("to fix: "),
        "{stdout}"
    );
    assert!(stderr.contains("1 of "), "{stderr}");
    let (stdout, _) = expect(&cache.run("tester", &["check", "--format", "json"]), 1);
    let findings: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let bad: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["ok"] == false)
        .map(|f| f["invariant"].as_str().unwrap())
        .collect();
    assert_eq!(bad, ["consumed_equals_held_seats"]);
}

#[test]
fn check_exits_1_on_an_orphan_written_with_foreign_keys_off() {
    let cache = Cache::new();
    cache.sql(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO group_assignments (pool_id, group_id, assigned_at, assigned_by) VALUES (900, 987654, 'x', 'y');",
    );
    let (stdout, _) = expect(&cache.run("tester", &["check"]), 1);
    assert!(
        stdout.contains("foreign_keys") && stdout.contains("group_assignments"),
        "{stdout}"
    );
}

#[test]
fn audit_filter_keeps_the_rows_the_console_filter_keeps_and_refuses_a_bad_one() {
    let cache = Cache::new();
    let user = cache.seatless(900, 1).remove(0);
    expect(
        &cache.run("tester", &["assign", "--pool", "900", "--user", &user]),
        0,
    );
    let json = |filter: &str| -> Vec<serde_json::Value> {
        let (stdout, _) = expect(
            &cache.run("tester", &["audit", "--format", "json", "--filter", filter]),
            0,
        );
        serde_json::from_str::<serde_json::Value>(&stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let assigns = json(&format!("action:assign who:{user}"));
    assert_eq!(assigns.len(), 1, "{assigns:?}");
    assert_eq!(assigns[0]["pool"], "CLI Tool");
    let (all, _) = expect(&cache.run("tester", &["audit", "--format", "json"]), 0);
    let all: Vec<serde_json::Value> = serde_json::from_str(&all).unwrap();
    let others = json(&format!("!who:{user}"));
    assert_eq!(others.len(), all.len() - 1, "! keeps every other row");
    let (_, stderr) = expect(&cache.run("tester", &["audit", "--filter", "colour:blue"]), 2);
    assert!(stderr.contains("colour"), "{stderr}");
    cache.check_ok();
}
