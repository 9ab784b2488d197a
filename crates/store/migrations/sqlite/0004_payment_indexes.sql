-- Payments update allotments.used_fen many times a second; an index carrying used_fen made every
-- payment move an index entry as well. Execution by agency reads the few rows per agency instead.
DROP INDEX allotments_year_agency;
CREATE INDEX allotments_year_agency ON allotments (jurisdiction_code, year, agency_id);

-- A refund names the payment it returns by the treasury's request id.
CREATE INDEX payments_request ON payments (request_id);
