//! A small deterministic PRNG (SplitMix64). The demo must come out identical
//! for a given seed on every platform and every build, so it depends on no
//! crate whose stream could change between versions.

/// SplitMix64: tiny, fast, and good enough for fictional data.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// An independent stream for one part of the tenant, so that a change to
    /// one generator does not reshuffle the data of the others.
    pub(crate) fn stream(seed: u64, label: &str) -> Self {
        // FNV-1a of the label, mixed into the seed.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in label.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        let mut rng = Rng {
            state: seed ^ hash.rotate_left(17),
        };
        rng.next_u64();
        rng
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Jumps over the next `draws` values in constant time: SplitMix64's
    /// state only advances by a constant, so a later part of a stream can be
    /// drawn before the part ahead of it (the seats' base plans, a pool's
    /// installs) without holding what comes between.
    pub(crate) fn skip(&mut self, draws: u64) {
        self.state = self.state.wrapping_add(draws.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    }

    /// The two draws of a GUID, formatted later (or never) by [`guid_text`].
    pub(crate) fn guid_bits(&mut self) -> (u64, u64) {
        let a = self.next_u64();
        (a, self.next_u64())
    }

    /// A value in `0..n` (0 when `n` is 0), without modulo bias worth noticing.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A value in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.saturating_sub(lo).max(0) as u64 + 1;
        lo + self.below(span) as i64
    }

    /// An index in `0..len`, for picking from a non-empty slice.
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        // 53 random bits make an exact f64 in [0, 1).
        ((self.next_u64() >> 11) as f64) * (1.0 / (1u64 << 53) as f64) < p
    }

    /// An index chosen with the given relative weights (the last one if all
    /// weights are zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let sum: u64 = weights.iter().map(|w| u64::from(*w)).sum();
        let mut roll = self.below(sum);
        for (index, weight) in weights.iter().enumerate() {
            let weight = u64::from(*weight);
            if roll < weight {
                return index;
            }
            roll -= weight;
        }
        weights.len().saturating_sub(1)
    }

    /// A GUID-shaped identifier, like the ids the real sources hand out.
    pub(crate) fn guid(&mut self) -> String {
        guid_text(self.guid_bits())
    }
}

/// The GUID text of two draws.
pub(crate) fn guid_text((a, b): (u64, u64)) -> String {
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let mut a = Rng::stream(7, "users");
        let mut b = Rng::stream(7, "users");
        let mut c = Rng::stream(7, "devices");
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        let zs: Vec<u64> = (0..5).map(|_| c.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
    }

    #[test]
    fn bounds_hold() {
        let mut rng = Rng::stream(1, "t");
        for _ in 0..10_000 {
            assert!(rng.below(10) < 10);
            let v = rng.range(-3, 3);
            assert!((-3..=3).contains(&v));
        }
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.range(5, 5), 5);
    }

    #[test]
    fn chance_is_roughly_right() {
        let mut rng = Rng::stream(2, "t");
        let hits = (0..100_000).filter(|_| rng.chance(0.3)).count();
        assert!((28_000..32_000).contains(&hits), "{hits}");
        assert!(!rng.chance(0.0));
        assert!(rng.chance(1.0));
    }

    #[test]
    fn weighted_respects_zero_weights() {
        let mut rng = Rng::stream(3, "t");
        for _ in 0..1000 {
            assert_ne!(rng.weighted(&[5, 0, 5]), 1);
        }
    }

    #[test]
    fn skip_lands_where_drawing_would() {
        let mut drawn = Rng::stream(5, "t");
        let mut jumped = drawn.clone();
        for _ in 0..1234 {
            drawn.next_u64();
        }
        jumped.skip(1234);
        assert_eq!(drawn.next_u64(), jumped.next_u64());
    }

    #[test]
    fn guid_shape() {
        let guid = Rng::stream(4, "t").guid();
        assert_eq!(guid.len(), 36);
        assert_eq!(guid.matches('-').count(), 4);
    }
}
