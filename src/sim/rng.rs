//! Randomness of the simulator: a seeded SplitMix64 where runs must repeat
//! (ids derived from the seed, fault draws), and unpredictable strings where
//! they must not (secrets, tokens, request ids).

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// SplitMix64, seeded per purpose.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix {
    state: u64,
}

impl SplitMix {
    /// A stream for one purpose (`label`) of one seed.
    pub(crate) fn new(seed: u64, label: &str) -> SplitMix {
        // FNV-1a of the label, mixed into the seed.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in label.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut rng = SplitMix {
            state: seed ^ hash.rotate_left(29),
        };
        rng.next_u64();
        rng
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64)
    }

    /// A GUID in Graph's lower-case form.
    pub(crate) fn guid(&mut self) -> String {
        guid_from(self.next_u64(), self.next_u64())
    }
}

/// The GUID of object `id` of `kind` in the tenant of `seed`: the same on
/// every run.
pub(crate) fn derived_guid(seed: u64, kind: &str, id: i64) -> String {
    SplitMix::new(seed ^ (id as u64).wrapping_mul(0x2545_f491_4f6c_dd1d), kind).guid()
}

fn guid_from(a: u64, b: u64) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

/// 64 bits nobody can predict: the process's random hasher keys over a
/// counter and the clock.
fn unpredictable() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    hasher.write_u64(nanos);
    hasher.finish()
}

/// A random GUID (request ids, trace ids).
pub(crate) fn random_guid() -> String {
    guid_from(unpredictable(), unpredictable())
}

/// A random string of `len` URL-safe characters (secrets, access tokens).
pub(crate) fn random_text(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_~.";
    let mut out = String::with_capacity(len);
    let mut bits = 0u64;
    for index in 0..len {
        if index % 8 == 0 {
            bits = unpredictable();
        }
        out.push(char::from(ALPHABET[(bits & 0xff) as usize % ALPHABET.len()]));
        bits >>= 8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_repeat_and_differ() {
        assert_eq!(derived_guid(7, "user", 1), derived_guid(7, "user", 1));
        assert_ne!(derived_guid(7, "user", 1), derived_guid(7, "user", 2));
        assert_ne!(derived_guid(7, "user", 1), derived_guid(8, "user", 1));
        assert_ne!(derived_guid(7, "user", 1), derived_guid(7, "group", 1));
        assert_eq!(derived_guid(7, "user", 1).len(), 36);
    }

    #[test]
    fn random_text_is_random() {
        let a = random_text(40);
        assert_eq!(a.len(), 40);
        assert_ne!(a, random_text(40));
        assert_ne!(random_guid(), random_guid());
    }

    #[test]
    fn unit_stays_in_range() {
        let mut rng = SplitMix::new(3, "t");
        assert!((0..10_000).map(|_| rng.unit()).all(|u| (0.0..1.0).contains(&u)));
    }
}
