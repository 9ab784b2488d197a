//! Throttling of logins: after too many failures for one username within a window, further
//! attempts are refused until the oldest failure leaves the window.

use crate::time::{Micros, minutes};

/// How many failures are allowed in how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures allowed within the window (default 5).
    pub max_failures: u32,
    /// Length of the window in microseconds (default 15 minutes).
    pub window: Micros,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            max_failures: 5,
            window: minutes(15),
        }
    }
}

impl ThrottlePolicy {
    /// The start of the window that ends at `now`: failures after it count.
    pub fn window_start(&self, now: Micros) -> Micros {
        now - self.window
    }

    /// Whether an attempt is refused, given the failures already counted in the window.
    pub fn refuses(&self, failures_in_window: u32) -> bool {
        failures_in_window >= self.max_failures
    }

    /// The refusal users read.
    pub fn message(&self) -> String {
        format!("登录失败次数过多，请{}分钟后再试", self.window / minutes(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_after_five_failures_is_refused() {
        let policy = ThrottlePolicy::default();
        for failures in 0..5 {
            assert!(!policy.refuses(failures));
        }
        assert!(policy.refuses(5));
        assert_eq!(policy.window_start(minutes(20)), minutes(5));
        assert_eq!(policy.message(), "登录失败次数过多，请15分钟后再试");
    }
}
