//! What a source issued, kept for the run and fetched again before it expires.
//!
//! A value is refreshed when less than five minutes of its life remain (the margin the
//! clouds' SDKs use), or after half its life when it was issued for less than ten minutes,
//! so a short-lived token is not fetched again on every request. A value that cannot be
//! refreshed is still used until it actually expires.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

/// Refresh this long before expiry (at most half the lifetime).
const MARGIN: Duration = Duration::from_secs(300);

/// A value and when it expires.
#[derive(Debug, Clone)]
pub(crate) struct Expiring<T> {
    pub(crate) value: T,
    /// `None`: never (static keys, a token from a variable or a CLI).
    expires: Option<Instant>,
    /// When to fetch a new one.
    refresh_at: Option<Instant>,
}

impl<T> Expiring<T> {
    pub(crate) fn forever(value: T) -> Expiring<T> {
        Expiring {
            value,
            expires: None,
            refresh_at: None,
        }
    }

    /// Valid for `lifetime` from now.
    pub(crate) fn lasting(value: T, lifetime: Duration) -> Expiring<T> {
        let now = Instant::now();
        let margin = MARGIN.min(lifetime / 2);
        Expiring {
            value,
            expires: now.checked_add(lifetime),
            refresh_at: now.checked_add(lifetime.saturating_sub(margin)),
        }
    }

    /// Valid until `at` (a time the issuer gave); already expired when `at` is past.
    pub(crate) fn until(value: T, at: SystemTime) -> Expiring<T> {
        let left = at
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO);
        Expiring::lasting(value, left)
    }

    /// Valid until `at`, when the issuer said; else for the run.
    pub(crate) fn until_or_forever(value: T, at: Option<SystemTime>) -> Expiring<T> {
        match at {
            Some(at) => Expiring::until(value, at),
            None => Expiring::forever(value),
        }
    }

    fn fresh(&self, now: Instant) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }

    fn valid(&self, now: Instant) -> bool {
        self.expires.is_none_or(|at| now < at)
    }
}

/// The value of one source, fetched once and shared by every request of the run.
pub(crate) struct Cache<T> {
    cell: tokio::sync::Mutex<Option<Expiring<T>>>,
}

impl<T> Default for Cache<T> {
    fn default() -> Self {
        Cache {
            cell: tokio::sync::Mutex::new(None),
        }
    }
}

impl<T: Clone> Cache<T> {
    /// The cached value while it is fresh; else a new one from `fetch` (one fetch at a time:
    /// requests that need the value meanwhile wait for it). When the fetch fails, a cached
    /// value that has not expired yet is still used.
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<T, String>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Expiring<T>, String>>,
    {
        let mut cell = self.cell.lock().await;
        if let Some(c) = cell.as_ref() {
            if c.fresh(Instant::now()) {
                return Ok(c.value.clone());
            }
        }
        match fetch().await {
            Ok(new) => {
                let value = new.value.clone();
                *cell = Some(new);
                Ok(value)
            }
            Err(e) => match cell.as_ref() {
                Some(c) if c.valid(Instant::now()) => Ok(c.value.clone()),
                _ => Err(e),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn block<F: Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    #[test]
    fn a_value_is_fetched_once_while_fresh() {
        let cache = Cache::default();
        let fetched = AtomicU32::new(0);
        let fetch = || async {
            let n = fetched.fetch_add(1, Ordering::SeqCst);
            Ok(Expiring::lasting(n, Duration::from_secs(3600)))
        };
        block(async {
            assert_eq!(cache.get(fetch).await, Ok(0));
            assert_eq!(cache.get(fetch).await, Ok(0));
        });
        assert_eq!(fetched.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_short_lived_value_is_refreshed_after_half_its_life() {
        let e = Expiring::lasting((), Duration::from_secs(60));
        let now = Instant::now();
        assert!(e.fresh(now));
        assert!(!e.fresh(now + Duration::from_secs(31)));
        assert!(e.valid(now + Duration::from_secs(31)));
        assert!(!e.valid(now + Duration::from_secs(61)));
        let long = Expiring::lasting((), Duration::from_secs(3600));
        assert!(long.fresh(now + Duration::from_secs(3200)));
        assert!(!long.fresh(now + Duration::from_secs(3301)));
        assert!(Expiring::forever(()).fresh(now + Duration::from_secs(1 << 30)));
    }

    #[test]
    fn a_stale_value_is_replaced_and_kept_when_the_refresh_fails() {
        let cache = Cache::default();
        block(async {
            // Issued for 2 s: stale after 1 s, expired after 2 s.
            let first = cache
                .get(|| async { Ok(Expiring::lasting(1, Duration::from_secs(2))) })
                .await;
            assert_eq!(first, Ok(1));
            tokio::time::sleep(Duration::from_millis(1100)).await;
            let kept = cache
                .get(|| async { Err("endpoint down".to_string()) })
                .await;
            assert_eq!(kept, Ok(1), "not expired yet: still used");
            let second = cache
                .get(|| async { Ok(Expiring::lasting(2, Duration::from_secs(2))) })
                .await;
            assert_eq!(second, Ok(2), "stale: fetched again");
            tokio::time::sleep(Duration::from_millis(2100)).await;
            let gone = cache
                .get(|| async { Err("endpoint down".to_string()) })
                .await;
            assert_eq!(gone, Err("endpoint down".to_string()), "expired: an error");
        });
    }

    #[test]
    fn an_expiry_in_the_past_is_expired() {
        let e = Expiring::until((), SystemTime::now() - Duration::from_secs(5));
        assert!(!e.valid(Instant::now()));
        assert!(!e.fresh(Instant::now()));
    }
}
