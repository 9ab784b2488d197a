-- Payments by allotment and month (issue 21 item 2): the dashboards' execution by month reads
-- these rows — at most twelve an allotment a year — instead of every payment of the year. Kept in
-- the transaction of the payment by a statement trigger that adds each INSERT's rows grouped
-- (a group commit of many payments touches each allotment-month once); refunds count negative.
-- Payments are never updated in amount nor deleted, so inserts are the only movement.
-- Keep in step with ../sqlite/0037_payment_months.sql.

CREATE TABLE payment_months (
    allotment_id BIGINT NOT NULL REFERENCES allotments (id),
    month        TEXT NOT NULL CHECK (char_length(month) = 7),
    paid_fen     BIGINT NOT NULL,
    entries      BIGINT NOT NULL CHECK (entries >= 0),
    PRIMARY KEY (allotment_id, month)
);

INSERT INTO payment_months (allotment_id, month, paid_fen, entries)
SELECT allotment_id, substr(paid_on, 1, 7),
       SUM(CASE WHEN kind = 'refund' THEN -amount_fen ELSE amount_fen END), COUNT(*)
FROM payments
GROUP BY allotment_id, substr(paid_on, 1, 7);

CREATE FUNCTION payment_months_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO payment_months AS m (allotment_id, month, paid_fen, entries)
    SELECT allotment_id, substr(paid_on, 1, 7),
           SUM(CASE WHEN kind = 'refund' THEN -amount_fen ELSE amount_fen END), COUNT(*)
    FROM new_payments
    GROUP BY allotment_id, substr(paid_on, 1, 7)
    ORDER BY 1, 2
    ON CONFLICT (allotment_id, month) DO UPDATE
        SET paid_fen = m.paid_fen + EXCLUDED.paid_fen, entries = m.entries + EXCLUDED.entries;
    RETURN NULL;
END;
$$;

CREATE TRIGGER payments_into_months AFTER INSERT ON payments
    REFERENCING NEW TABLE AS new_payments
    FOR EACH STATEMENT EXECUTE FUNCTION payment_months_add();
