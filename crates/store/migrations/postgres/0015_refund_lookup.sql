-- A refund finds the payment it returns through the request record (treasury_requests is keyed
-- by request id already) instead of an index on payments.request_id: one index entry less to
-- write, at a random place, for every payment. Keep in step with the other backend's 0015.
ALTER TABLE treasury_requests ADD COLUMN payment_id BIGINT;
UPDATE treasury_requests SET payment_id = (
    SELECT p.id FROM payments p JOIN allotments a ON a.id = p.allotment_id
    WHERE a.jurisdiction_code = treasury_requests.jurisdiction_code
      AND p.request_id = treasury_requests.request_id AND p.kind = 'payment')
WHERE kind = 'payment';
DROP INDEX payments_request;
