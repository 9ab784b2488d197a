//! Throttling of logins, so that guessing is slow and no stranger can lock anyone out. Failures
//! are counted three ways within a window: for one user name from one client address, for one
//! address across all names, and for one user name from everywhere. The first two earn
//! exponential back-off after a few free failures; the third locks the account only after a
//! count far above what a person mistyping reaches. The real user on another address is
//! therefore never stopped by a stranger's failures until the account lock's high count. Pure
//! rules: the caller counts failures and passes the time.

use crate::time::{Micros, minutes, seconds};

/// Back-off for one key: `free` failures cost nothing; after that each failure makes the next
/// attempt wait, `first_delay` and doubling with every further failure, up to `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Failures allowed before any wait.
    pub free: u32,
    /// The wait after the first failure past `free`.
    pub first_delay: Micros,
    /// The longest wait.
    pub max_delay: Micros,
}

impl Backoff {
    /// The wait imposed, from the last failure, after `failures` failures in the window.
    pub fn delay(&self, failures: u32) -> Micros {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(40);
        self.first_delay
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay)
    }
}

/// How failed logins are throttled: one policy, every number in one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures older than this are forgotten (default one hour).
    pub window: Micros,
    /// One user name from one client address (default: 5 free, then 1 s doubling to 15 min).
    pub per_pair: Backoff,
    /// One client address, all user names (default: 30 free, then 1 s doubling to 15 min).
    pub per_address: Backoff,
    /// Failures for one user name from all addresses within the window that lock the account
    /// (default 100).
    pub account_lock_failures: u32,
    /// How long the account stays locked after the failure that reached the count (default 15
    /// minutes).
    pub account_lock: Micros,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            window: minutes(60),
            per_pair: Backoff {
                free: 5,
                first_delay: seconds(1),
                max_delay: minutes(15),
            },
            per_address: Backoff {
                free: 30,
                first_delay: seconds(1),
                max_delay: minutes(15),
            },
            account_lock_failures: 100,
            account_lock: minutes(15),
        }
    }
}

/// Failures counted for one key within the window, and when the last one was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Failures in the window.
    pub failures: u32,
    /// Time of the most recent (0 when none).
    pub last: Micros,
}

impl Tally {
    /// The tally with one more failure at `now`.
    pub fn plus_one(self, now: Micros) -> Tally {
        Tally {
            failures: self.failures.saturating_add(1),
            last: now,
        }
    }
}

/// The three tallies of one attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tallies {
    /// This user name from this address.
    pub pair: Tally,
    /// This address, all names.
    pub address: Tally,
    /// This user name, all addresses.
    pub account: Tally,
}

impl Tallies {
    /// The tallies with one more failure at `now`.
    pub fn plus_one(self, now: Micros) -> Tallies {
        Tallies {
            pair: self.pair.plus_one(now),
            address: self.address.plus_one(now),
            account: self.account.plus_one(now),
        }
    }
}

/// Which key a throttle is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// This user name from this address.
    Pair,
    /// This address.
    Address,
    /// The account, from everywhere.
    Account,
}

impl Scope {
    /// The code written in the audit log.
    pub fn code(self) -> &'static str {
        match self {
            Scope::Pair => "address_and_user",
            Scope::Address => "address",
            Scope::Account => "account",
        }
    }
}

/// An attempt refused for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttle {
    /// The key that refused.
    pub scope: Scope,
    /// How long until an attempt is allowed again.
    pub retry_after: Micros,
}

impl Throttle {
    /// Whole seconds until the next attempt (at least 1), for `Retry-After`.
    pub fn retry_after_seconds(&self) -> i64 {
        ((self.retry_after + seconds(1) - 1) / seconds(1)).max(1)
    }

    /// The refusal users read. It does not say which key refused, nor whether the user exists.
    pub fn message(&self) -> String {
        format!("登录失败次数过多，请{}后再试", self.wait_text())
    }

    /// How long to wait, as users read it: `N秒` under a minute, else whole minutes (`N分钟`).
    pub fn wait_text(&self) -> String {
        let secs = self.retry_after_seconds();
        if secs < 60 {
            format!("{secs}秒")
        } else {
            format!("{}分钟", (secs + 59) / 60)
        }
    }
}

impl ThrottlePolicy {
    /// The start of the window that ends at `now`: failures after it count.
    pub fn window_start(&self, now: Micros) -> Micros {
        now - self.window
    }

    /// Whether an attempt at `now` is refused, given the tallies: the longest wait of any key.
    pub fn check(&self, tallies: &Tallies, now: Micros) -> Option<Throttle> {
        // No delay, no wait: a failure stamped a moment after `now` (another attempt that took
        // the lock first) must not count as a wait.
        let wait = |tally: &Tally, delay: Micros| {
            if delay == 0 {
                0
            } else {
                (tally.last + delay - now).max(0)
            }
        };
        let account = if tallies.account.failures >= self.account_lock_failures {
            self.account_lock
        } else {
            0
        };
        [
            (
                Scope::Pair,
                wait(&tallies.pair, self.per_pair.delay(tallies.pair.failures)),
            ),
            (
                Scope::Address,
                wait(
                    &tallies.address,
                    self.per_address.delay(tallies.address.failures),
                ),
            ),
            (Scope::Account, wait(&tallies.account, account)),
        ]
        .into_iter()
        .filter(|(_, wait)| *wait > 0)
        .max_by_key(|(_, wait)| *wait)
        .map(|(scope, retry_after)| Throttle { scope, retry_after })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tally(failures: u32, last: Micros) -> Tally {
        Tally { failures, last }
    }

    #[test]
    fn five_free_failures_then_waits_doubling_up_to_the_cap() {
        let policy = ThrottlePolicy::default();
        let b = policy.per_pair;
        let waits: Vec<Micros> = (0..8).map(|n| b.delay(n)).collect();
        assert_eq!(
            waits,
            vec![0, 0, 0, 0, 0, seconds(1), seconds(2), seconds(4)]
        );
        assert_eq!(b.delay(15), minutes(15), "capped");
        assert_eq!(b.delay(u32::MAX), minutes(15));
        let now = minutes(100);
        let pair = Tallies {
            pair: tally(6, now - seconds(1)),
            ..Tallies::default()
        };
        let throttle = policy.check(&pair, now).expect("throttled");
        assert_eq!(throttle.scope, Scope::Pair);
        assert_eq!(throttle.retry_after, seconds(1));
        assert_eq!(throttle.message(), "登录失败次数过多，请1秒后再试");
        assert_eq!(policy.check(&pair, now + seconds(1)), None, "waited enough");
        let free = Tallies {
            pair: tally(4, now + seconds(1)),
            ..Tallies::default()
        };
        assert_eq!(policy.check(&free, now), None, "a later stamp is no wait");
    }

    #[test]
    fn the_account_locks_only_at_the_high_count() {
        let policy = ThrottlePolicy::default();
        let now = minutes(100);
        let spread = |failures| Tallies {
            account: tally(failures, now - seconds(1)),
            ..Tallies::default()
        };
        assert_eq!(
            policy.check(&spread(99), now),
            None,
            "a new address gets in"
        );
        let locked = policy.check(&spread(100), now).expect("locked");
        assert_eq!(locked.scope, Scope::Account);
        assert_eq!(locked.retry_after, minutes(15) - seconds(1));
        assert_eq!(locked.message(), "登录失败次数过多，请15分钟后再试");
    }

    proptest! {
        #[test]
        fn a_strangers_failures_elsewhere_never_stop_the_user_before_the_lock(
            stranger in 0u32..100, mine in 0u32..5, elapsed in 0i64..3_600_000_000
        ) {
            // The stranger's failures count for the account only; the user's own pair and
            // address are under their free counts.
            let policy = ThrottlePolicy::default();
            let now = minutes(200);
            let tallies = Tallies {
                pair: tally(mine, now - elapsed),
                address: tally(mine, now - elapsed),
                account: tally(stranger + mine, now - elapsed),
            };
            let refused = policy.check(&tallies, now);
            prop_assert_eq!(refused.is_some(), stranger + mine >= 100 && elapsed < minutes(15));
        }

        #[test]
        fn waits_never_shrink_with_more_failures_and_never_exceed_the_cap(n in 0u32..200) {
            let b = ThrottlePolicy::default().per_pair;
            prop_assert!(b.delay(n + 1) >= b.delay(n));
            prop_assert!(b.delay(n) <= b.max_delay);
        }
    }
}
