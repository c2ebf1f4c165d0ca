//! `seats unassign` and `assign --dry-run` as an admin meets them (review
//! of issue 6): a release that frees nothing says why and changes nothing,
//! `--dry-run` and the prompt say what stays and who moves up, and a dry
//! run of an assignment that would be refused prints only the refusal.

use super::cache::{Cache, expect};

/// "Group Tool" (3 seats): `a` and `b` through group "Dept - Tiny", `x`
/// directly, `a` directly too; `w` waits in the group for a seat.
struct Scene {
    cache: Cache,
    a: String,
    b: String,
    x: String,
    w: String,
}

fn scene() -> Scene {
    let cache = Cache::new();
    let people = cache.seatless(901, 4);
    let id = |upn: &str| cache.number(&format!("SELECT id FROM users WHERE upn = '{upn}'"));
    cache.sql(&format!(
        "INSERT INTO pools (id, name, kind, source, total) VALUES (901, 'Group Tool', 'saas', 'local', 3);
         INSERT INTO groups (id, name, kind) VALUES (9001, 'Dept - Tiny', 'user');
         INSERT INTO group_user_members (group_id, user_id) VALUES (9001, {}), (9001, {});",
        id(&people[0]),
        id(&people[1])
    ));
    let (a, b, x, w) = (
        people[0].clone(),
        people[1].clone(),
        people[2].clone(),
        people[3].clone(),
    );
    for args in [
        &["assign", "--pool", "Group Tool", "--group", "Dept - Tiny"][..],
        &["assign", "--pool", "Group Tool", "--user", &x],
        &["assign", "--pool", "Group Tool", "--user", &a],
    ] {
        expect(&cache.run("tester", args), 0);
    }
    cache.sql(&format!(
        "INSERT INTO group_user_members (group_id, user_id) VALUES (9001, {w});
         INSERT INTO assignments (pool_id, user_id, direct, via_group_id, state_code, error, assigned_unix, assigned_by_code)
           VALUES (901, {w}, 0, 9001, 2, 'CountViolation', '2026-01-01T00:00:00Z', 'sync');",
        w = id(&w)
    ));
    assert_eq!(cache.number("SELECT consumed FROM pools WHERE id = 901"), 3);
    Scene { cache, a, b, x, w }
}

impl Scene {
    fn audit_rows(&self) -> i64 {
        self.cache.number("SELECT count(*) FROM audit")
    }

    fn waiting(&self) -> i64 {
        self.cache
            .number("SELECT count(*) FROM assignments WHERE pool_id = 901 AND state = 'error'")
    }
}

#[test]
fn unassigning_what_frees_nothing_says_why_asks_nothing_and_audits_nothing() {
    let s = scene();
    let audited = s.audit_rows();
    let nobody = s.cache.seatless(901, 1).remove(0);
    for yes in [&[][..], &["--yes"]] {
        let args = [
            &[
                "unassign",
                "--pool",
                "Group Tool",
                "--user",
                &s.b,
                "--user",
                &nobody,
            ][..],
            yes,
        ]
        .concat();
        let (stdout, stderr) = expect(&s.cache.run("tester", &args), 0);
        assert_eq!(
            stdout,
            format!(
                "Group Tool: nothing to release: {b}: still reached through group Dept - Tiny; \
                 {nobody} holds no seat of Group Tool\nnothing was changed\n",
                b = s.b
            )
        );
        assert!(!stderr.contains("[y/N]") && !stderr.contains("--yes"), "{stderr}");
    }
    assert_eq!(s.audit_rows(), audited, "no change, no audit row");
    assert_eq!(s.waiting(), 1, "nobody moved up into a seat nothing freed");
    s.cache.check_ok();
}

#[test]
fn dry_run_and_the_prompt_say_what_stays_and_why_and_who_moves_up() {
    let s = scene();
    let audited = s.audit_rows();
    let base = ["unassign", "--pool", "Group Tool", "--user", &s.x, "--user", &s.a];
    let plan = format!(
        "  releases 1 seat: {x}\n  consumed 3 → 3 of 3 (0 available after)\n  \
         kept {a}: still reached through group Dept - Tiny (its direct assignment goes)\n  \
         {w} moves up from waiting\n",
        x = s.x,
        a = s.a,
        w = s.w
    );
    let (stdout, _) = expect(&s.cache.run("tester", &[&base[..], &["--dry-run"]].concat()), 0);
    assert_eq!(stdout, format!("Group Tool: dry run, nothing changed\n{plan}"));
    let read_only = [&["--read-only"][..], &base, &["--dry-run"]].concat();
    let (again, _) = expect(&s.cache.run("tester", &read_only), 0);
    assert_eq!(again, stdout, "a dry run only reads: --read-only takes it");
    assert_eq!(s.audit_rows(), audited, "a dry run changes nothing");
    assert_eq!(s.waiting(), 1);
    // Without a terminal, the question's text is the refusal's.
    let (_, stderr) = expect(&s.cache.run("tester", &base), 2);
    assert!(
        stderr.contains(&format!(
            "unassigning from Group Tool:\n{plan}pass --yes to confirm"
        )),
        "{stderr}"
    );
    let (stdout, _) = expect(&s.cache.run("tester", &[&base[..], &["--yes"]].concat()), 0);
    assert_eq!(
        stdout,
        format!(
            "Group Tool: -1 seat (consumed 3 → 3, 0 available); 1 waiting member moved up: {w}\n  \
             kept {a}: still reached through group Dept - Tiny (its direct assignment goes)\n",
            w = s.w,
            a = s.a
        )
    );
    assert_eq!(s.waiting(), 0);
    let (json, _) = expect(&s.cache.run("tester", &["audit", "--format", "json"]), 0);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    let last = rows.as_array().unwrap().last().unwrap();
    assert_eq!(
        last["changed"],
        serde_json::json!([
            { "who": s.x, "change": "seat_released" },
            { "who": s.w, "change": "promoted" },
        ]),
        "{last}"
    );
    let (csv, _) = expect(&s.cache.run("tester", &["audit", "--format", "csv"]), 0);
    assert!(
        csv.lines()
            .last()
            .unwrap()
            .ends_with(&format!(",{}:seat_released {}:promoted", s.x, s.w)),
        "{csv}"
    );
    s.cache.check_ok();
}

#[test]
fn a_dry_run_that_would_be_refused_prints_only_the_refusal() {
    let cache = Cache::new();
    cache.sql(
        "INSERT INTO pools (id, name, kind, source, total, status, disabled_reason) VALUES
           (902, 'Gone Tool', 'saas', 'marketplace', 50, 'disabled', 'cancelled'),
           (903, 'Soon Tool', 'saas', 'marketplace', 50, 'pending_activation', NULL),
           (904, 'Held Tool', 'saas', 'marketplace', 50, 'suspended', NULL),
           (905, 'Visio deal', 'agreement', 'local', 50, 'active', NULL);",
    );
    let user = cache.seatless(900, 1).remove(0);
    let cases = [
        (&["--user", user.as_str()][..], "Gone Tool", "is disabled"),
        (&["--user", &user], "Soon Tool", "not activated yet"),
        (&["--user", &user], "Held Tool", "suspended"),
        (
            &["--user", &user],
            "Visio deal",
            "counted from detected inventory",
        ),
        (&["--group", "All Staff"], "CLI Tool", "short by"),
    ];
    for (who, pool, why) in cases {
        let args = [&["assign", "--pool", pool, "--dry-run"][..], who].concat();
        let (stdout, stderr) = expect(&cache.run("tester", &args), 3);
        assert_eq!(stdout, "", "{pool}: no delta that cannot happen");
        assert!(stderr.contains(pool) && stderr.contains(why), "{pool}: {stderr}");
    }
    cache.check_ok();
}
