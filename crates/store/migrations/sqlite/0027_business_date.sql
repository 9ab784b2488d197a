-- The business date (业务日期) of a jurisdiction: the day its pages and use cases take as "today"
-- (time progress, defaults of as-of dates and deadlines, ages, the budget year lists open on).
-- NULL means the calendar day in Beijing. A bureau working over a past year (the demo is 2020)
-- sets it. Keep the sqlite and postgres files in step.
ALTER TABLE jurisdictions ADD COLUMN business_date TEXT
    CHECK (business_date IS NULL OR length(business_date) = 10);