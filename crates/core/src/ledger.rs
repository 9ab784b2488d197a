//! The arithmetic of budget allotments (预算指标): limit, frozen, used and available, and every
//! movement that changes them. `frozen + used ≤ limit` with every amount ≥ 0 holds after any
//! sequence of accepted movements; a movement that would break it is refused and changes nothing.
//! The store keeps the same rule in CHECK constraints.

use serde::{Deserialize, Serialize};

/// An allotment's balances, in fen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Balances {
    /// Spending authority (指标额度).
    pub limit: i64,
    /// Set aside by reservations (用款计划冻结).
    pub frozen: i64,
    /// Paid out, net of refunds (已支付).
    pub used: i64,
}

/// A change to an allotment's balances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Movement {
    /// 追加: the limit grows.
    Increase(i64),
    /// 调减: the limit shrinks.
    Decrease(i64),
    /// 收回: unspent money is taken back (the limit shrinks).
    Recovery(i64),
    /// 调剂 out of this allotment (the limit shrinks).
    TransferOut(i64),
    /// 调剂 into this allotment (the limit grows).
    TransferIn(i64),
    /// 冻结: a reservation sets money aside.
    Reserve(i64),
    /// A reservation's unpaid rest is released.
    Release(i64),
    /// A payment straight from available money.
    Pay(i64),
    /// A payment against a reservation: frozen money becomes used.
    PayReserved(i64),
    /// 退款: a payment comes back.
    Refund(i64),
}

/// Why a movement was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    /// Amounts are positive.
    #[error("金额必须大于零")]
    NotPositive,
    /// More than is available.
    #[error("可用指标不足：可用{available}分")]
    InsufficientFunds {
        /// What is available.
        available: i64,
    },
    /// The limit would fall below what is frozen and used.
    #[error("调减后的指标额度不得低于已冻结与已支付之和（{committed}分）")]
    BelowCommitted {
        /// Frozen + used.
        committed: i64,
    },
    /// Releasing or paying more than is frozen.
    #[error("超出已冻结金额（{frozen}分）")]
    ExceedsFrozen {
        /// What is frozen.
        frozen: i64,
    },
    /// Refunding more than was paid.
    #[error("退款超出已支付金额（{used}分）")]
    ExceedsUsed {
        /// What is used.
        used: i64,
    },
    /// Beyond any budget.
    #[error("金额过大")]
    Overflow,
}

impl Balances {
    /// New balances with `limit` and nothing frozen or used.
    pub fn open(limit: i64) -> Balances {
        Balances {
            limit,
            frozen: 0,
            used: 0,
        }
    }

    /// limit − frozen − used.
    pub fn available(&self) -> i64 {
        self.limit - self.frozen - self.used
    }

    /// Whether the invariant holds.
    pub fn is_sound(&self) -> bool {
        self.limit >= 0
            && self.frozen >= 0
            && self.used >= 0
            && self
                .frozen
                .checked_add(self.used)
                .is_some_and(|committed| committed <= self.limit)
    }

    /// The balances after `movement`, or why it is refused.
    pub fn apply(self, movement: Movement) -> Result<Balances, LedgerError> {
        use Movement::*;
        let amount = match movement {
            Increase(a) | Decrease(a) | Recovery(a) | TransferOut(a) | TransferIn(a)
            | Reserve(a) | Release(a) | Pay(a) | PayReserved(a) | Refund(a) => a,
        };
        if amount <= 0 {
            return Err(LedgerError::NotPositive);
        }
        let committed = self.frozen + self.used;
        let mut next = self;
        match movement {
            Increase(a) | TransferIn(a) => {
                next.limit = self.limit.checked_add(a).ok_or(LedgerError::Overflow)?;
            }
            Decrease(a) | Recovery(a) | TransferOut(a) => {
                if self.limit - a < committed {
                    return Err(LedgerError::BelowCommitted { committed });
                }
                next.limit -= a;
            }
            Reserve(a) => {
                if a > self.available() {
                    return Err(LedgerError::InsufficientFunds {
                        available: self.available(),
                    });
                }
                next.frozen += a;
            }
            Pay(a) => {
                if a > self.available() {
                    return Err(LedgerError::InsufficientFunds {
                        available: self.available(),
                    });
                }
                next.used += a;
            }
            Release(a) | PayReserved(a) if a > self.frozen => {
                return Err(LedgerError::ExceedsFrozen {
                    frozen: self.frozen,
                });
            }
            Release(a) => next.frozen -= a,
            PayReserved(a) => {
                next.frozen -= a;
                next.used += a;
            }
            Refund(a) => {
                if a > self.used {
                    return Err(LedgerError::ExceedsUsed { used: self.used });
                }
                next.used -= a;
            }
        }
        Ok(next)
    }
}

/// Execution rate in hundredths of a percent (`9000` = 90.00%), rounded half up; 0 for no limit.
pub fn execution_rate_bp(used: i64, limit: i64) -> i64 {
    if limit <= 0 {
        return 0;
    }
    let scaled = i128::from(used) * 10_000;
    let limit = i128::from(limit);
    i64::try_from((scaled * 2 + limit) / (limit * 2)).unwrap_or(0)
}

/// Formats hundredths of a percent: `9000` → `90.00%`.
pub fn format_rate(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn payments_never_exceed_what_is_available() {
        let b = Balances::open(100);
        let b = b.apply(Movement::Reserve(30)).unwrap_or_default();
        assert_eq!(b.available(), 70);
        assert_eq!(
            b.apply(Movement::Pay(71)),
            Err(LedgerError::InsufficientFunds { available: 70 })
        );
        let b = b.apply(Movement::Pay(70)).unwrap_or_default();
        assert_eq!(b.available(), 0);
        let b = b.apply(Movement::PayReserved(20)).unwrap_or_default();
        assert_eq!((b.frozen, b.used), (10, 90));
        assert_eq!(
            b.apply(Movement::Decrease(1)),
            Err(LedgerError::BelowCommitted { committed: 100 })
        );
        let b = b.apply(Movement::Release(10)).unwrap_or_default();
        let b = b.apply(Movement::Recovery(10)).unwrap_or_default();
        assert_eq!(
            b,
            Balances {
                limit: 90,
                frozen: 0,
                used: 90
            }
        );
        assert_eq!(
            b.apply(Movement::Refund(91)),
            Err(LedgerError::ExceedsUsed { used: 90 })
        );
        assert_eq!(b.apply(Movement::Pay(0)), Err(LedgerError::NotPositive));
        assert_eq!(b.apply(Movement::Pay(-5)), Err(LedgerError::NotPositive));
    }

    #[test]
    fn rates_round_half_up() {
        assert_eq!(execution_rate_bp(180, 200), 9000);
        assert_eq!(execution_rate_bp(1, 3), 3333);
        assert_eq!(execution_rate_bp(2, 3), 6667);
        assert_eq!(execution_rate_bp(5, 0), 0);
        assert_eq!(format_rate(9000), "90.00%");
        assert_eq!(format_rate(6667), "66.67%");
    }

    fn movement() -> impl Strategy<Value = Movement> {
        let amount = 1i64..2_000;
        prop_oneof![
            amount.clone().prop_map(Movement::Increase),
            amount.clone().prop_map(Movement::Decrease),
            amount.clone().prop_map(Movement::Recovery),
            amount.clone().prop_map(Movement::TransferOut),
            amount.clone().prop_map(Movement::TransferIn),
            amount.clone().prop_map(Movement::Reserve),
            amount.clone().prop_map(Movement::Release),
            amount.clone().prop_map(Movement::Pay),
            amount.clone().prop_map(Movement::PayReserved),
            amount.prop_map(Movement::Refund),
        ]
    }

    proptest! {
        #[test]
        fn no_sequence_of_movements_breaks_the_invariant(
            limit in 0i64..10_000,
            movements in proptest::collection::vec(movement(), 0..200),
        ) {
            let mut balances = Balances::open(limit);
            let (mut paid, mut refunded) = (0i64, 0i64);
            for movement in movements {
                match balances.apply(movement) {
                    Ok(next) => {
                        prop_assert!(next.is_sound(), "{next:?} after {movement:?}");
                        match movement {
                            Movement::Pay(a) | Movement::PayReserved(a) => paid += a,
                            Movement::Refund(a) => refunded += a,
                            _ => {}
                        }
                        balances = next;
                    }
                    Err(_) => prop_assert!(balances.is_sound()),
                }
            }
            prop_assert_eq!(balances.used, paid - refunded);
        }
    }
}
