//! An Apple Apps and Books pull written into the cache (issue 8): apps and
//! `vpp` pools per asset, seats of seats' own users with their invitation
//! state, other products' assignments counted and left alone (R-CON-7), a
//! location other than the bound one refused with nothing written
//! (R-CON-2, R-CON-3, R-CON-8), pending local changes winning.

use rusqlite::Connection;
use seats::domain::apple::*;
use seats::store::sync_apple::{self, ApplePull, AppleSummary};

use super::{check_clean, count};
use crate::common::{demo_db, fixed_now};

/// The demo's Apple connector.
pub(super) const VPP: i64 = 2;

/// The source as the cache holds it now: one asset per demo VPP app and
/// one assignment per user seat, users named in seats' namespace.
pub(super) struct Source {
    pub location: AppleLocation,
    pub assets: Vec<AppleAsset>,
    pub users: Vec<AppleUser>,
    pub assignments: Vec<AppleAssignment>,
}

impl Source {
    pub fn from_cache(conn: &Connection) -> Source {
        let mut stmt = conn
            .prepare(
                "SELECT a.external_id, p.total, p.consumed FROM apps a JOIN pools p ON p.app_id = a.id \
                 WHERE a.connector_id = ?1 ORDER BY a.id",
            )
            .unwrap();
        let assets = stmt
            .query_map([VPP], |r| {
                let (total, consumed): (Option<i64>, i64) = (r.get(1)?, r.get(2)?);
                Ok(AppleAsset {
                    adam_id: r.get(0)?,
                    pricing: "STDQ".into(),
                    kind: AssetKind::App,
                    total,
                    assigned: consumed,
                    available: total.map_or(0, |t| t - consumed),
                    retired: 0,
                    device_assignable: false,
                    revocable: true,
                    platforms: vec!["iOS".into()],
                })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut stmt = conn
            .prepare(
                "SELECT a.external_id, u.upn, s.invitation FROM assignments s JOIN pools p ON p.id = s.pool_id \
                 JOIN apps a ON a.id = p.app_id JOIN users u ON u.id = s.user_id WHERE a.connector_id = ?1",
            )
            .unwrap();
        let rows: Vec<(String, String, Option<String>)> = stmt
            .query_map([VPP], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut users: Vec<AppleUser> = Vec::new();
        let mut assignments = Vec::new();
        for (adam, upn, invitation) in rows {
            let client = format!("{SEATS_CLIENT_USER_PREFIX}{upn}");
            if !users.iter().any(|u| u.client_user_id == client) {
                let accepted = invitation.as_deref() == Some("accepted");
                users.push(AppleUser {
                    client_user_id: client.clone(),
                    email: Some(upn),
                    status: if accepted {
                        AppleUserStatus::Associated
                    } else {
                        AppleUserStatus::Registered
                    },
                    invite_code: (!accepted).then(|| "abc".into()),
                });
            }
            assignments.push(AppleAssignment {
                adam_id: adam,
                pricing: "STDQ".into(),
                holder: AppleHolder::User(client),
            });
        }
        Source {
            location: AppleLocation {
                uid: "2049025000431439".into(),
                name: "Contoso Demo".into(),
                country: Some("US".into()),
                token_expires: Some("2027-11-08T22:33:22Z".into()),
                manager: Some(AppleManager {
                    id: SEATS_MDM_ID.into(),
                    name: "seats".into(),
                }),
            },
            assets,
            users,
            assignments,
        }
    }

    fn apply(&self, conn: &Connection) -> Result<AppleSummary, seats::store::sync::PullError> {
        let pull = ApplePull {
            location: &self.location,
            assets: &self.assets,
            metadata: &[],
            users: &self.users,
            assignments: &self.assignments,
            invite_urls: &Default::default(),
            outbox_mark: sync_apple::outbox_mark(conn).unwrap(),
            started_at: fixed_now(),
        };
        sync_apple::apply(conn, VPP, &pull, fixed_now())
    }
}

pub(super) fn seats_of(conn: &Connection) -> Vec<(i64, i64, Option<String>)> {
    let mut stmt = conn
        .prepare(
            "SELECT s.pool_id, s.user_id, s.invitation FROM assignments s JOIN pools p ON p.id = s.pool_id \
             WHERE p.connector_id = 2 AND s.user_id IS NOT NULL ORDER BY 1, 2",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_pull_of_what_the_cache_holds_changes_no_seat_and_binds_the_location() {
    let (_dir, _path, conn) = demo_db(super::USERS);
    let before = seats_of(&conn);
    assert!(!before.is_empty(), "the demo has VPP seats");
    let source = Source::from_cache(&conn);
    let summary = source.apply(&conn).unwrap();
    assert_eq!(
        (summary.seats_added, summary.seats_removed, summary.apps_added),
        (0, 0, 0),
        "{summary:?}"
    );
    let pairs = |seats: Vec<(i64, i64, Option<String>)>| {
        seats.into_iter().map(|(p, u, _)| (p, u)).collect::<Vec<_>>()
    };
    assert_eq!(pairs(seats_of(&conn)), pairs(before));
    // An invitation is the user's at Apple: the demo's per-seat states
    // follow their user's status, once.
    assert_eq!(source.apply(&conn).unwrap().invitations_changed, 0);
    let (tenant, account, claimed): (String, String, Option<String>) = conn
        .query_row(
            "SELECT tenant_id, account, claimed_by FROM connectors WHERE id = 2",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (tenant.as_str(), account.as_str(), claimed),
        ("2049025000431439", "Contoso Demo", None)
    );
    check_clean(&conn);
}

#[test]
fn new_and_dropped_assets_lost_and_new_seats_and_invitations_follow_the_source() {
    let (_dir, _path, conn) = demo_db(super::USERS);
    let mut source = Source::from_cache(&conn);
    // A new asset, bought for 5 users; one app dropped by the location; one
    // user's seat released at the source; one invitation accepted.
    source.assets.push(AppleAsset {
        adam_id: "1091189122".into(),
        total: Some(5),
        ..source.assets[0].clone()
    });
    let dropped = source.assets.remove(1).adam_id;
    let dropped_seats = source.assignments.iter().filter(|a| a.adam_id == dropped).count();
    source.assignments.retain(|a| a.adam_id != dropped);
    let released = source.assignments.remove(0);
    let invited = source
        .users
        .iter()
        .position(|u| u.status == AppleUserStatus::Registered);
    if let Some(i) = invited {
        source.users[i].status = AppleUserStatus::Associated;
    }
    let newcomer = count(&conn, "SELECT min(id) FROM users");
    let upn: String = conn
        .query_row("SELECT upn FROM users WHERE id = ?1", [newcomer], |r| r.get(0))
        .unwrap();
    source.assignments.push(AppleAssignment {
        adam_id: "1091189122".into(),
        pricing: "STDQ".into(),
        holder: AppleHolder::User(format!("{SEATS_CLIENT_USER_PREFIX}{upn}")),
    });
    if !source
        .users
        .iter()
        .any(|u| u.email.as_deref() == Some(upn.as_str()))
    {
        source.users.push(AppleUser {
            client_user_id: format!("{SEATS_CLIENT_USER_PREFIX}{upn}"),
            email: Some(upn.clone()),
            status: AppleUserStatus::Associated,
            invite_code: None,
        });
    }
    // Another product's user and assignment: counted, never a seat.
    source.assignments.push(AppleAssignment {
        adam_id: "1091189122".into(),
        pricing: "STDQ".into(),
        holder: AppleHolder::User("jamf-7f3a".into()),
    });
    let summary = source.apply(&conn).unwrap();
    assert_eq!(summary.apps_added, 1, "{summary:?}");
    assert_eq!(summary.apps_removed, 1, "{summary:?}");
    assert_eq!(summary.seats_added, 1, "{summary:?}");
    assert_eq!(summary.seats_removed, 1, "the released one: {summary:?}");
    assert_eq!(summary.foreign_assignments, 1, "{summary:?}");
    if let Some(i) = invited {
        let upn = source.users[i].email.clone().unwrap();
        let still_invited = count(
            &conn,
            &format!(
                "SELECT count(*) FROM assignments s JOIN users u ON u.id = s.user_id \
                 WHERE u.upn = '{upn}' AND s.invitation IS NOT 'accepted' \
                 AND s.pool_id IN (SELECT id FROM pools WHERE connector_id = 2)"
            ),
        );
        assert_eq!(still_invited, 0, "{upn} accepted the invitation: {summary:?}");
    }
    assert!(dropped_seats > 0);
    assert_eq!(
        count(
            &conn,
            &format!("SELECT count(*) FROM apps WHERE external_id = '{dropped}'")
        ),
        0
    );
    let new_pool: (i64, i64) = conn
        .query_row(
            "SELECT p.total, p.consumed FROM pools p JOIN apps a ON a.id = p.app_id WHERE a.external_id = '1091189122'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // One seat of seats' own user and one of the other product's (R-CON-7).
    assert_eq!(new_pool, (5, 2));
    let AppleHolder::User(client) = &released.holder else {
        panic!()
    };
    let upn = client.strip_prefix(SEATS_CLIENT_USER_PREFIX).unwrap();
    let still: i64 = count(
        &conn,
        &format!(
            "SELECT count(*) FROM assignments s JOIN users u ON u.id = s.user_id JOIN pools p ON p.id = s.pool_id \
             JOIN apps a ON a.id = p.app_id WHERE u.upn = '{upn}' AND a.external_id = '{}'",
            released.adam_id
        ),
    );
    assert_eq!(still, 0, "the seat released at the source is gone");
    check_clean(&conn);
    // The same pull again changes nothing.
    let again = source.apply(&conn).unwrap();
    assert_eq!(
        (
            again.apps_added,
            again.apps_removed,
            again.seats_added,
            again.seats_removed
        ),
        (0, 0, 0, 0)
    );
}

#[test]
fn another_location_is_refused_and_nothing_is_written() {
    let (_dir, path, conn) = demo_db(super::USERS);
    let source = Source::from_cache(&conn);
    source.apply(&conn).unwrap();
    let before = std::fs::read(&path).map(|b| b.len()).unwrap();
    let seats_before = seats_of(&conn);
    let mut other = Source::from_cache(&conn);
    other.location.uid = "9999999999".into();
    other.location.name = "Fabrikam Schools".into();
    other.assignments.clear();
    let err = other.apply(&conn).unwrap_err().to_string();
    assert!(
        err.contains("Fabrikam Schools") && err.contains("never moves to another organization's account"),
        "{err}"
    );
    assert_eq!(seats_of(&conn), seats_before, "nothing written");
    let account: String = conn
        .query_row("SELECT account FROM connectors WHERE id = 2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(account, "Contoso Demo");
    assert!(before > 0);
}

#[test]
fn a_token_held_by_another_product_is_recorded_and_a_graph_connector_is_not_apple() {
    let (_dir, _path, conn) = demo_db(super::USERS);
    let mut source = Source::from_cache(&conn);
    source.location.manager = Some(AppleManager {
        id: "com.jamf".into(),
        name: "Jamf Pro".into(),
    });
    source.apply(&conn).unwrap();
    let claimed: Option<String> = conn
        .query_row("SELECT claimed_by FROM connectors WHERE id = 2", [], |r| r.get(0))
        .unwrap();
    assert_eq!(claimed.as_deref(), Some("Jamf Pro"));
    let pull = ApplePull {
        location: &source.location,
        assets: &[],
        metadata: &[],
        users: &[],
        assignments: &[],
        invite_urls: &Default::default(),
        outbox_mark: 0,
        started_at: fixed_now(),
    };
    let err = sync_apple::apply(&conn, 1, &pull, fixed_now())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an Apple one"), "{err}");
    assert!(
        count(&conn, "SELECT count(*) FROM apps WHERE connector_id = 2") > 0,
        "nothing removed"
    );
}
