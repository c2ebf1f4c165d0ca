//! Who holds which pool, directly or through groups, and which installs
//! follow, drawn one pool at a time and written as drawn.
//!
//! The seats stream is drawn in three runs per pool, as the first planner
//! drew it: the seats (`draw`), then each seat's intent and invitation,
//! then its install. A pool whose later runs draw anything is therefore
//! drawn twice: a probe that counts its seats (which fixes where the later
//! runs start, since each seat draws the same number of intents) and which
//! of them are the last group seats (the ones left without a free seat),
//! then the pass that writes. Nothing of a pool is held but counters.

use super::catalog::{Audience, GroupRole};
use super::census::{Census, Need, Person, Shape};
use super::clock::DAY;
use super::groups::{self, APPLE_MOBILE, ENG_PRODUCT, PHOENIX, WINDOWS};
use super::licenses::Pool;
use super::names;
use super::people::Os;
use super::progress::Tracker;
use super::rng::Rng;
use super::seats::{Intent, Seat};

/// What a pool's draws need besides the stream.
pub(crate) struct Ctx<'a> {
    pub shape: Shape,
    /// Per product, the owner of its only (fallback) detection.
    pub fallback: &'a [Option<u32>],
}

/// Whether drawing `pool`'s seats visits the users (all but nobody's).
pub(crate) fn visits(pool: &Pool) -> bool {
    !matches!(pool.audience, Audience::Nobody)
}

/// Draws the seats of pool `id` from `rng` in order, each complete (a group
/// seat no older than its grant) when handed to `emit`; each group grant
/// is handed to `grant` before the seats. Counts one step per user.
pub(crate) fn draw(
    ctx: &Ctx,
    rng: &mut Rng,
    (id, pool): (u32, &Pool),
    t: &mut Tracker,
    grant: &mut dyn FnMut(u32, i64) -> rusqlite::Result<()>,
    emit: &mut dyn FnMut(Seat) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let users = ctx.shape.users;
    let push = |rng: &mut Rng, p: &Person, device: u32, via: u32, direct: bool| Seat {
        pool: id,
        user: p.id,
        device,
        via,
        direct,
        intent: Intent::Required,
        fault: None,
        invite: None,
        ago: rng.range(DAY, 720 * DAY),
        office: p.office,
    };
    let shape = ctx.shape;
    match pool.audience {
        Audience::Nobody => Ok(()),
        Audience::Base(plan) => visit(
            shape,
            Need {
                base: true,
                ..Need::default()
            },
            (rng, t),
            &mut |rng, p| {
                if p.base as usize == plan {
                    emit(push(rng, p, 0, 0, true))
                } else {
                    Ok(())
                }
            },
        ),
        Audience::Random(chance) if pool.kind != "saas" => {
            // Nothing of the user is needed: no census.
            for user in 1..=users {
                if rng.chance(chance) {
                    let p = Person {
                        id: user,
                        ..Person::default()
                    };
                    emit(push(rng, &p, 0, 0, true))?;
                }
                t.step();
            }
            Ok(())
        }
        Audience::Random(chance) => visit(shape, Need::default(), (rng, t), &mut |rng, p| {
            if rng.chance(chance) {
                emit(push(rng, p, 0, 0, true))
            } else {
                Ok(())
            }
        }),
        Audience::Depts(depts, chance) => {
            let wanted: Vec<usize> = depts.iter().map(|d| names::department(d)).collect();
            visit(shape, Need::default(), (rng, t), &mut |rng, p| {
                if wanted.contains(&p.dept) && rng.chance(chance) {
                    emit(push(rng, p, 0, 0, true))
                } else {
                    Ok(())
                }
            })
        }
        Audience::Groups { groups, direct, .. } => {
            let mut given = Vec::with_capacity(groups.len());
            for role in groups {
                let group = group_id(*role);
                let ago = rng.range(400 * DAY, 800 * DAY);
                grant(group, ago)?;
                given.push((*role, group, ago));
            }
            let need = Need {
                devices: true,
                groups: true,
                ..Need::default()
            };
            // R-LIC-7: one seat however many groups reach a user, recorded
            // against the first; a few also hold it directly.
            visit(
                shape,
                need,
                (rng, t),
                &mut |rng, p| match given.iter().find(|(role, ..)| reaches(*role, p)) {
                    Some((_, group, granted)) => {
                        let also_direct = rng.chance(0.03);
                        let seat = push(rng, p, 0, *group, also_direct);
                        emit(Seat {
                            ago: seat.ago.min(*granted),
                            ..seat
                        })
                    }
                    None if rng.chance(direct) => emit(push(rng, p, 0, 0, true)),
                    None => Ok(()),
                },
            )
        }
        Audience::Devices(role) => {
            let group = group_id(role);
            let granted = rng.range(400 * DAY, 800 * DAY);
            grant(group, granted)?;
            let os = (group == WINDOWS).then_some(Os::Windows);
            let mut census = Census::new(
                ctx.shape,
                Need {
                    devices: true,
                    ..Need::default()
                },
            );
            let mut result = Ok(());
            let mut device = |rng: &mut Rng, d: &super::people::DeviceDraw| {
                if result.is_ok() && Some(d.os) == os {
                    let nobody = Person::default();
                    let seat = push(rng, &nobody, d.id, group, false);
                    result = emit(Seat {
                        ago: seat.ago.min(granted),
                        ..seat
                    });
                }
            };
            while census.next_with(|d, _, _| device(rng, d)).is_some() {
                t.step();
            }
            census.kiosks(|d, _, _| device(rng, d));
            result
        }
        Audience::OsOwners(oses, chance) => {
            let mask = oses.iter().fold(0u8, |m, os| m | os.bit());
            visit(
                shape,
                Need {
                    devices: true,
                    ..Need::default()
                },
                (rng, t),
                &mut |rng, p| {
                    if p.owned & mask != 0 && rng.chance(chance) {
                        emit(push(rng, p, 0, 0, true))
                    } else {
                        Ok(())
                    }
                },
            )
        }
        Audience::Detected(product) => {
            let total = pool.total(id, 0, users as usize).unwrap_or(0).max(0);
            let mut taken = 0;
            let fallback = ctx.fallback.get(product).copied().flatten();
            // Owners of computers where the product was detected, in id
            // order, up to the pool's total; the fallback detection is the
            // only one when the draws found none.
            let mut found = 0u32;
            let mut census = Census::new(
                ctx.shape,
                Need {
                    inventory: true,
                    ..Need::default()
                },
            );
            while let Some(p) = census.next_with(|_, _, detected| found |= detected) {
                let owner = match fallback {
                    Some(owner) => owner == p.id,
                    None => found & (1 << product) != 0,
                };
                if owner && taken < total {
                    taken += 1;
                    emit(push(rng, &p, 0, 0, true))?;
                }
                found = 0;
                t.step();
            }
            Ok(())
        }
    }
}

/// Hands every user, as `need` draws them, to `f`, one step each.
fn visit(
    shape: Shape,
    need: Need,
    (rng, t): (&mut Rng, &mut Tracker),
    f: &mut dyn FnMut(&mut Rng, &Person) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let mut census = Census::new(shape, need);
    while let Some(person) = census.next_person() {
        f(rng, &person)?;
        t.step();
    }
    Ok(())
}

/// Whether the group of `role` reaches user `p` (nested groups flattened).
fn reaches(role: GroupRole, p: &Person) -> bool {
    match role {
        GroupRole::AllStaff => true,
        GroupRole::Dept(name) => p.dept == names::department(name),
        GroupRole::EngProduct => {
            p.outsider || p.dept == names::department("Engineering") || p.dept == names::department("Product")
        }
        GroupRole::Phoenix => p.phoenix,
        GroupRole::AppleMobile => p.owned & Os::Ios.bit() != 0,
        GroupRole::WindowsDevices => false,
    }
}

fn group_id(role: GroupRole) -> u32 {
    match role {
        GroupRole::AllStaff => groups::ALL_STAFF,
        GroupRole::Dept(name) => groups::dept_group(names::department(name)),
        GroupRole::EngProduct => ENG_PRODUCT,
        GroupRole::Phoenix => PHOENIX,
        GroupRole::AppleMobile => APPLE_MOBILE,
        GroupRole::WindowsDevices => WINDOWS,
    }
}
