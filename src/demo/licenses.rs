//! Apps and license pools: every pool kind, with totals derived from the
//! drawn seats so the edge cases (nearly exhausted, over-allocated,
//! unlimited) hold exactly.

use rusqlite::{Connection, params};

use super::agreements::PoolLink;
use super::apps::{APPS, AppSpec, ENCRYPTED_REASON, SAAS};
use super::catalog::{Audience, DRIFTING_SKU, EXPIRED_SKU, SKUS, Sizing};
use super::clock::Clock;
use super::org::{GRAPH, STORE, VPP};

/// Commercial terms of a subscription (R-SUB-1, R-SUB-2).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terms {
    pub pricing: &'static str,
    pub channel: &'static str,
    pub billing: &'static str,
    pub price_cents: i64,
}

/// One planned pool; its id is its index + 1.
pub(crate) struct Pool {
    pub name: String,
    pub kind: &'static str,
    pub source: &'static str,
    pub connector: Option<i64>,
    /// Part number and sku id.
    pub sku: Option<(&'static str, &'static str)>,
    pub status: &'static str,
    pub disabled_reason: Option<&'static str>,
    pub terms: Option<Terms>,
    pub vendor_managed: bool,
    pub assignable_to: &'static str,
    /// Index into `APPS`.
    pub app: Option<usize>,
    pub agreement: Option<u32>,
    /// Start and end, in days from today.
    pub term: Option<(i64, i64)>,
    pub publisher: Option<&'static str>,
    pub audience: Audience,
    pub sizing: Sizing,
    /// How far the source's own consumed figure is off (to show drift).
    pub drift: i64,
    /// Group members left waiting for a seat (CountViolation), besides
    /// those `Audience::Groups { errors: true, .. }` asks for.
    pub waiting: usize,
}

impl Pool {
    fn new(name: &str, kind: &'static str, source: &'static str, audience: Audience) -> Self {
        Pool {
            name: name.to_owned(),
            kind,
            source,
            connector: None,
            sku: None,
            status: "active",
            disabled_reason: None,
            terms: None,
            vendor_managed: false,
            assignable_to: "user",
            app: None,
            agreement: None,
            term: None,
            publisher: None,
            audience,
            sizing: Sizing::Headroom,
            drift: 0,
            waiting: 0,
        }
    }

    /// The purchased total for `consumed` seats; `None` is unlimited.
    pub(crate) fn total(&self, id: u32, consumed: i64, users: usize) -> Option<i64> {
        match self.sizing {
            Sizing::Headroom => {
                // 5–20 % spare, varying by pool, rounded up to a multiple of 5.
                let spare = consumed * (5 + i64::from(id % 4) * 5) / 100 + 3;
                Some((consumed + spare + 4) / 5 * 5)
            }
            Sizing::NearlyFull(left) => Some(consumed + left),
            Sizing::Over => Some((consumed - (consumed / 20).max(2)).max(0)),
            Sizing::Unlimited => None,
            Sizing::PerUser(share) => Some(((users as f64 * share).ceil() as i64).max(5)),
            Sizing::Fixed(total) => Some(total),
        }
    }
}

/// Every pool of the tenant.
pub(crate) struct Licenses {
    pub pools: Vec<Pool>,
}

impl Licenses {
    pub(crate) fn plan(links: &[PoolLink]) -> Self {
        let mut pools: Vec<Pool> = SKUS.iter().map(m365).collect();
        let apps = APPS.iter().enumerate().filter(|(_, a)| !a.encrypted);
        pools.extend(apps.map(|(index, spec)| app_pool(index, spec)));
        pools.extend(SAAS.iter().map(|s| Pool {
            status: s.status,
            disabled_reason: s.disabled_reason,
            terms: Some(Terms {
                pricing: s.pricing,
                channel: s.channel,
                billing: s.billing,
                price_cents: s.price_cents,
            }),
            term: Some((s.expires_in - 365, s.expires_in)),
            publisher: Some(s.publisher),
            sizing: s.sizing,
            ..Pool::new(s.name, "saas", "marketplace", s.audience)
        }));
        pools.extend(links.iter().map(|link| Pool {
            agreement: Some(link.agreement),
            term: Some(link.term),
            sizing: Sizing::Fixed(link.licenses),
            ..Pool::new(link.name, "agreement", "local", Audience::Detected(link.product))
        }));
        Licenses { pools }
    }

    pub(crate) fn write_apps(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO apps (id, name, publisher, platform, source, license_type, price_cents, encrypted, \
             sync_status, skip_reason, install_scope, install_url, connector_id, external_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        for (id, a) in (1..).zip(APPS) {
            let connector = match a.source {
                "store_business" => Some(STORE),
                "apple_vpp" => Some(VPP),
                _ => None,
            };
            let status = if a.encrypted { "skipped" } else { "synced" };
            stmt.execute(params![
                id,
                a.name,
                a.publisher,
                a.platform,
                a.source,
                a.license_type,
                a.price_cents,
                a.encrypted,
                status,
                a.encrypted.then_some(ENCRYPTED_REASON),
                a.install_scope,
                a.install_url,
                connector,
                a.external_id
            ])?;
        }
        Ok(())
    }

    /// Writes the pools with their totals and consumed counts. `consumed`
    /// counts the drawn seats that are not in state 'error', exactly the
    /// rows just written (the tests hold the two equal).
    pub(crate) fn write_pools(
        &self,
        conn: &Connection,
        clock: &Clock,
        consumed: &[i64],
        users: usize,
    ) -> rusqlite::Result<()> {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO pools (id, name, kind, source, connector_id, sku_part_number, sku_id, total, \
             consumed, source_consumed, status, disabled_reason, pricing, channel, billing_period, price_cents, \
             vendor_managed, assignable_to, app_id, agreement_id, starts_on, expires_on, publisher) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, \
             ?19, ?20, ?21, ?22, ?23)",
        )?;
        for ((id, p), used) in (1u32..).zip(&self.pools).zip(consumed) {
            let terms = p.terms;
            stmt.execute(params![
                id,
                p.name,
                p.kind,
                p.source,
                p.connector,
                p.sku.map(|s| s.0),
                p.sku.map(|s| s.1),
                p.total(id, *used, users),
                used,
                p.connector.map(|_| used + p.drift),
                p.status,
                p.disabled_reason,
                terms.map(|t| t.pricing),
                terms.map(|t| t.channel),
                terms.map(|t| t.billing),
                terms.map(|t| t.price_cents),
                p.vendor_managed,
                p.assignable_to,
                p.app.map(|index| index as i64 + 1),
                p.agreement,
                p.term.map(|(start, _)| clock.date(start)),
                p.term.map(|(_, end)| clock.date(end)),
                p.publisher
            ])?;
        }
        Ok(())
    }
}

fn m365(s: &super::catalog::Sku) -> Pool {
    let expired = s.part == EXPIRED_SKU;
    Pool {
        connector: Some(GRAPH),
        sku: Some((s.part, s.guid)),
        // Graph keeps an expired subscription in "warning" for its grace period.
        status: if expired { "warning" } else { "active" },
        term: Some((s.expires_in - 365, s.expires_in)),
        publisher: Some("Microsoft"),
        sizing: s.sizing,
        drift: if s.part == DRIFTING_SKU { 3 } else { 0 },
        ..Pool::new(s.name, "m365", "graph", s.audience)
    }
}

fn app_pool(index: usize, a: &AppSpec) -> Pool {
    let (kind, source, connector) = match a.license_type {
        "online" => ("store_online", "store_business", Some(STORE)),
        "offline" => ("store_offline", "store_business", Some(STORE)),
        "vpp" => ("vpp", "apple_vpp", Some(VPP)),
        _ => ("isv", "vendor", None),
    };
    let vendor_managed = kind == "isv";
    Pool {
        connector,
        // Offline apps can target users or devices (R-APP-4).
        assignable_to: if kind == "store_offline" {
            "user_or_device"
        } else {
            "user"
        },
        vendor_managed,
        app: Some(index),
        publisher: Some(a.publisher),
        term: vendor_managed.then_some((-200, 165)),
        waiting: a.waiting,
        sizing: if a.waiting > 0 {
            Sizing::NearlyFull(0)
        } else {
            Sizing::Headroom
        },
        ..Pool::new(a.name, kind, source, a.audience)
    }
}
