-- Payments by allotment and month (issue 21 item 2): the dashboards' execution by month reads
-- these rows — at most twelve an allotment a year — instead of every payment of the year. Kept in
-- the transaction of the payment by a trigger (SQLite's are per row; PostgreSQL's adds each
-- statement's rows grouped); refunds count negative. Payments are never updated in amount nor
-- deleted, so inserts are the only movement.
-- Keep in step with ../postgres/0037_payment_months.sql.

CREATE TABLE payment_months (
    allotment_id BIGINT NOT NULL REFERENCES allotments (id),
    month        TEXT NOT NULL CHECK (length(month) = 7),
    paid_fen     BIGINT NOT NULL,
    entries      BIGINT NOT NULL CHECK (entries >= 0),
    PRIMARY KEY (allotment_id, month)
);

INSERT INTO payment_months (allotment_id, month, paid_fen, entries)
SELECT allotment_id, substr(paid_on, 1, 7),
       SUM(CASE WHEN kind = 'refund' THEN -amount_fen ELSE amount_fen END), COUNT(*)
FROM payments
GROUP BY allotment_id, substr(paid_on, 1, 7);

CREATE TRIGGER payments_into_months AFTER INSERT ON payments
BEGIN
    INSERT INTO payment_months (allotment_id, month, paid_fen, entries)
    VALUES (NEW.allotment_id, substr(NEW.paid_on, 1, 7),
            CASE WHEN NEW.kind = 'refund' THEN -NEW.amount_fen ELSE NEW.amount_fen END, 1)
    ON CONFLICT (allotment_id, month) DO UPDATE
        SET paid_fen = paid_fen + excluded.paid_fen, entries = entries + excluded.entries;
END;
