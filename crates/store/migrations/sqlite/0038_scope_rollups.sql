-- Figures by agency and year for the dashboards of cities and the province (issue 21 item 2,
-- decision 0049). A city's or the province's dashboard reads these few thousand rows instead of
-- scanning the year's projects, allotments and payment months of every county below it. They
-- are derived data, rebuilt as a whole in one transaction by one server at a time (every minute,
-- and after a bulk load); `rollup_refreshes` holds when, and the page shows it. A county's own
-- dashboard keeps reading its rows directly.
-- Keep in step with ../postgres/0038_scope_rollups.sql.

-- Projects by state: counts, requested and approved money.
CREATE TABLE rollup_projects (
    year              INTEGER NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    agency_id         BIGINT NOT NULL,
    state             TEXT NOT NULL,
    projects          BIGINT NOT NULL,
    requested_fen     BIGINT NOT NULL,
    approved_fen      BIGINT NOT NULL,
    PRIMARY KEY (year, jurisdiction_code, agency_id, state)
);

-- Allotments' limits and what was paid from them, by agency.
CREATE TABLE rollup_allotments (
    year              INTEGER NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    agency_id         BIGINT NOT NULL,
    limit_fen         BIGINT NOT NULL,
    used_fen          BIGINT NOT NULL,
    PRIMARY KEY (year, jurisdiction_code, agency_id)
);

-- Net payments by month ('01'–'12') of the budget year.
CREATE TABLE rollup_payment_months (
    year              INTEGER NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    agency_id         BIGINT NOT NULL,
    month             TEXT NOT NULL,
    paid_fen          BIGINT NOT NULL,
    PRIMARY KEY (year, jurisdiction_code, agency_id, month)
);

-- Counted things of the year: alerts (level:status), self-evaluation grades (state:grade),
-- rectification items (state) and money cut through results (key '', amount).
CREATE TABLE rollup_counts (
    year              INTEGER NOT NULL,
    jurisdiction_code TEXT NOT NULL,
    agency_id         BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    item              TEXT NOT NULL,
    entries           BIGINT NOT NULL,
    amount_fen        BIGINT NOT NULL,
    PRIMARY KEY (year, jurisdiction_code, agency_id, kind, item)
);

-- When each rollup was last rebuilt, and how long it took.
CREATE TABLE rollup_refreshes (
    name         TEXT NOT NULL PRIMARY KEY,
    refreshed_at BIGINT NOT NULL,
    took_ms      BIGINT NOT NULL
);
