//! Faults injected into Graph requests: `--faults` specs, and the seeded
//! draw that picks at most one fault per request.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use super::rng::SplitMix;

/// HTTP statuses a fault can answer with (each with Graph's error body;
/// 429 and 503 with `Retry-After`).
pub const FAULT_STATUSES: [u16; 6] = [401, 429, 500, 502, 503, 504];

/// The terms `--faults` accepts, for messages.
pub const VALID_TERMS: &str = "401=P, 429=P, 500=P, 502=P, 503=P, 504=P, truncate=P, reset=P, \
    hang=P, malformed=P, badjson=P, empty=P (P a probability from 0 to 1), slow=DURATION \
    (such as 200ms or 1s), retry-after=SECONDS (such as 2.128), seed=N, expire-delta, apple-http200, apple-expired, \
    apple-revoked, apple-claimed";

/// Faults and their probabilities per Graph request (the token endpoint is
/// never faulted). At most one fault is drawn per request, so the
/// probabilities may add up to 1 at most.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Error statuses: 401 (token rejected as expired), 429, 500, 502, 503, 504.
    pub statuses: Vec<(u16, f64)>,
    /// The connection closes mid-body (Content-Length promised more).
    pub truncate: f64,
    /// The connection closes before any response.
    pub reset: f64,
    /// No response ever (the client's timeout must fire).
    pub hang: f64,
    /// A 200 of the wrong shape (`value` not an array, an array for an object).
    pub malformed: f64,
    /// A complete 200 whose JSON is cut in the middle.
    pub badjson: f64,
    /// An empty page with a nextLink to the same place (collections only).
    pub empty: f64,
    /// Added to every Graph request.
    pub slow: Duration,
    /// Every delta token presented is expired (`syncStateNotFound`).
    pub expire_delta: bool,
    /// `Retry-After` of 429/503 (default: "1" or "0.128", drawn).
    pub retry_after: Option<String>,
    /// Seed of the draw (default: the simulator's seed).
    pub seed: Option<u64>,
    /// Apple's errors come with HTTP 200 (the error number in the body),
    /// except 9646 and 5xx, which keep their status.
    pub apple_http200: bool,
    /// Apple answers every call with 9621 (the token expired).
    pub apple_expired: bool,
    /// Apple answers every call with 9625 (the token was revoked).
    pub apple_revoked: bool,
    /// Apple's `/client/config` names another device-management product.
    pub apple_claimed: bool,
}

/// One drawn fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    Status(u16),
    Truncate,
    Reset,
    Hang,
    Malformed,
    BadJson,
    Empty,
}

/// A `--faults` spec that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FaultSpecError(String);

impl Faults {
    /// No fault at all.
    pub fn none() -> Faults {
        Faults::default()
    }

    /// The probabilities, in the fixed order the draw walks them.
    fn chances(&self) -> Vec<(Fault, f64)> {
        let mut out: Vec<(Fault, f64)> = self
            .statuses
            .iter()
            .map(|(s, p)| (Fault::Status(*s), *p))
            .collect();
        out.extend([
            (Fault::Truncate, self.truncate),
            (Fault::Reset, self.reset),
            (Fault::Hang, self.hang),
            (Fault::Malformed, self.malformed),
            (Fault::BadJson, self.badjson),
            (Fault::Empty, self.empty),
        ]);
        out
    }

    /// Draws at most one fault for a request.
    pub(crate) fn draw(&self, rng: &mut SplitMix) -> Option<Fault> {
        let chances = self.chances();
        if chances.iter().all(|(_, p)| *p <= 0.0) {
            return None;
        }
        let mut roll = rng.unit();
        for (fault, p) in chances {
            if roll < p {
                return Some(fault);
            }
            roll -= p;
        }
        None
    }

    /// The `Retry-After` value of one throttled answer.
    pub(crate) fn retry_after(&self, rng: &mut SplitMix) -> String {
        match &self.retry_after {
            Some(value) => value.clone(),
            // Graph sends whole and fractional seconds ("10", "2.128").
            None if rng.unit() < 0.5 => "1".to_owned(),
            None => "0.128".to_owned(),
        }
    }
}

impl FromStr for Faults {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Faults, FaultSpecError> {
        let mut faults = Faults::default();
        for term in spec.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (name, value) = match term.split_once('=') {
                Some((name, value)) => (name.trim(), Some(value.trim())),
                None => (term, None),
            };
            apply(&mut faults, term, name, value)?;
        }
        let total: f64 = faults.chances().iter().map(|(_, p)| p).sum();
        if total > 1.0 + 1e-9 {
            return Err(FaultSpecError(format!(
                "the fault probabilities in {spec:?} add up to {total}; at most one fault is drawn \
                 per request, so they may add up to 1 at most"
            )));
        }
        Ok(faults)
    }
}

fn apply(faults: &mut Faults, term: &str, name: &str, value: Option<&str>) -> Result<(), FaultSpecError> {
    let unknown = || FaultSpecError(format!("unknown fault {term:?}; valid terms: {VALID_TERMS}"));
    let needs =
        |what: &str| FaultSpecError(format!("fault {term:?} needs {what}; valid terms: {VALID_TERMS}"));
    let chance = || -> Result<f64, FaultSpecError> {
        let text = value.ok_or_else(|| needs("a probability, such as 0.1"))?;
        match text.parse::<f64>() {
            Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
            _ => Err(FaultSpecError(format!(
                "fault {term:?}: {text:?} is not a probability from 0 to 1"
            ))),
        }
    };
    match name {
        "truncate" => faults.truncate = chance()?,
        "reset" => faults.reset = chance()?,
        "hang" => faults.hang = chance()?,
        "malformed" => faults.malformed = chance()?,
        "badjson" => faults.badjson = chance()?,
        "empty" => faults.empty = chance()?,
        "slow" => {
            let text = value.ok_or_else(|| needs("a duration, such as 200ms"))?;
            faults.slow = duration(text).ok_or_else(|| {
                FaultSpecError(format!(
                    "fault {term:?}: {text:?} is not a duration such as 200ms or 1s"
                ))
            })?;
        }
        "retry-after" => {
            let text = value.ok_or_else(|| needs("seconds, such as 2.128"))?;
            match text.parse::<f64>() {
                Ok(s) if s >= 0.0 => faults.retry_after = Some(text.to_owned()),
                _ => {
                    return Err(FaultSpecError(format!(
                        "fault {term:?}: {text:?} is not a number of seconds"
                    )));
                }
            }
        }
        "seed" => {
            let text = value.ok_or_else(|| needs("a number"))?;
            let seed = text
                .parse()
                .map_err(|_| FaultSpecError(format!("fault {term:?}: {text:?} is not a whole number")))?;
            faults.seed = Some(seed);
        }
        "expire-delta" if value.is_none() => faults.expire_delta = true,
        "apple-http200" if value.is_none() => faults.apple_http200 = true,
        "apple-expired" if value.is_none() => faults.apple_expired = true,
        "apple-revoked" if value.is_none() => faults.apple_revoked = true,
        "apple-claimed" if value.is_none() => faults.apple_claimed = true,
        _ => match name.parse::<u16>() {
            Ok(status) if FAULT_STATUSES.contains(&status) => {
                let p = chance()?;
                faults.statuses.retain(|(s, _)| *s != status);
                faults.statuses.push((status, p));
            }
            _ => return Err(unknown()),
        },
    }
    Ok(())
}

/// "200ms", "1s", "1.5s" or a bare number of milliseconds.
fn duration(text: &str) -> Option<Duration> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 0.001)
    };
    let value: f64 = number.trim().parse().ok()?;
    (value >= 0.0 && value.is_finite()).then(|| Duration::from_secs_f64(value * scale))
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut terms: Vec<String> = self.statuses.iter().map(|(s, p)| format!("{s}={p}")).collect();
        let named = [
            ("truncate", self.truncate),
            ("reset", self.reset),
            ("hang", self.hang),
            ("malformed", self.malformed),
            ("badjson", self.badjson),
            ("empty", self.empty),
        ];
        terms.extend(
            named
                .iter()
                .filter(|(_, p)| *p > 0.0)
                .map(|(n, p)| format!("{n}={p}")),
        );
        if !self.slow.is_zero() {
            terms.push(format!("slow={}ms", self.slow.as_millis()));
        }
        if let Some(value) = &self.retry_after {
            terms.push(format!("retry-after={value}"));
        }
        if let Some(seed) = self.seed {
            terms.push(format!("seed={seed}"));
        }
        let flags = [
            ("expire-delta", self.expire_delta),
            ("apple-http200", self.apple_http200),
            ("apple-expired", self.apple_expired),
            ("apple-revoked", self.apple_revoked),
            ("apple-claimed", self.apple_claimed),
        ];
        terms.extend(flags.iter().filter(|(_, on)| *on).map(|(n, _)| (*n).to_owned()));
        if terms.is_empty() {
            return f.write_str("none");
        }
        f.write_str(&terms.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_spec_parses() {
        let faults: Faults = "429=0.1,500=0.02,503=0.01,slow=200ms,truncate=0.01,reset=0.01,hang=0.001,malformed=0.01,expire-delta"
            .parse()
            .unwrap();
        assert_eq!(faults.statuses, vec![(429, 0.1), (500, 0.02), (503, 0.01)]);
        assert_eq!(faults.slow, Duration::from_millis(200));
        assert_eq!((faults.truncate, faults.reset, faults.hang), (0.01, 0.01, 0.001));
        assert!(faults.expire_delta);
        let apple: Faults = "apple-http200,apple-revoked,429=0.5".parse().unwrap();
        assert!(apple.apple_http200 && apple.apple_revoked && !apple.apple_expired);
        assert_eq!(apple.to_string().parse::<Faults>().unwrap(), apple);
        let again: Faults = faults.to_string().parse().unwrap();
        assert_eq!(again, faults);
    }

    #[test]
    fn bad_terms_name_the_term_and_the_valid_ones() {
        let err = "429=0.1,teapot=0.5".parse::<Faults>().unwrap_err().to_string();
        assert!(
            err.contains("\"teapot=0.5\"") && err.contains("truncate=P"),
            "{err}"
        );
        let err = "429=2".parse::<Faults>().unwrap_err().to_string();
        assert!(err.contains("\"429=2\"") && err.contains("probability"), "{err}");
        let err = "418=0.1".parse::<Faults>().unwrap_err().to_string();
        assert!(err.contains("unknown fault \"418=0.1\""), "{err}");
        let err = "slow=fast".parse::<Faults>().unwrap_err().to_string();
        assert!(err.contains("duration"), "{err}");
        let err = "429".parse::<Faults>().unwrap_err().to_string();
        assert!(err.contains("needs a probability"), "{err}");
        let err = "429=0.7,500=0.7".parse::<Faults>().unwrap_err().to_string();
        assert!(err.contains("add up to"), "{err}");
    }

    #[test]
    fn the_draw_repeats_with_the_seed_and_honours_certainty() {
        let faults: Faults = "429=0.3,500=0.3".parse().unwrap();
        let draws = |seed| {
            let mut rng = SplitMix::new(seed, "faults");
            (0..50).map(|_| faults.draw(&mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(draws(1), draws(1));
        assert_ne!(draws(1), draws(2));
        let always: Faults = "reset=1".parse().unwrap();
        let mut rng = SplitMix::new(1, "faults");
        assert!((0..100).all(|_| always.draw(&mut rng) == Some(Fault::Reset)));
        assert_eq!(Faults::none().draw(&mut rng), None);
    }
}
