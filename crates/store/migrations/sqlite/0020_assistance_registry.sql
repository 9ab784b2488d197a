-- no-transaction
-- The assistance registry (issue 18, ASSISTANCE.md §1): the area tree below a jurisdiction
-- (乡镇/街道 → 管区 → 行政村), households and their people with dated membership (nothing is
-- deleted: who was in a household on a date is answered by joined_on/left_on), yearly income
-- records, and the users of the case work: 村级, 乡镇, 县帮扶办, 行业部门 and 帮扶责任人 with an area
-- scope (a subtree) or a sector. Keep in step with ../postgres/0020_assistance_registry.sql.
--
-- The role CHECK on users cannot be changed by ALTER TABLE in SQLite: the table is rebuilt the
-- documented way (foreign keys off, one transaction), as 0018 did for four others.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE areas (
    code              TEXT NOT NULL PRIMARY KEY CHECK (length(code) BETWEEN 9 AND 15),
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    parent_code       TEXT REFERENCES areas (code),
    level             TEXT NOT NULL CHECK (level IN ('township', 'district', 'village')),
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    path              TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    CHECK ((level = 'township') = (parent_code IS NULL))
);
CREATE INDEX areas_parent ON areas (parent_code);
CREATE INDEX areas_path ON areas (path);
CREATE INDEX areas_jurisdiction ON areas (jurisdiction_code);

CREATE TABLE users_rebuilt (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 1 AND 64),
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    role                 TEXT NOT NULL
        CHECK (role IN ('admin', 'finance', 'agency', 'expert', 'institution', 'viewer',
                        'village', 'township', 'assistance', 'sector', 'helper')),
    jurisdiction_code    TEXT REFERENCES jurisdictions (code),
    agency_id            BIGINT REFERENCES agencies (id),
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           BIGINT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    area_code            TEXT REFERENCES areas (code),
    sector               TEXT CHECK (sector IS NULL OR length(sector) BETWEEN 1 AND 20),
    CHECK ((role = 'agency') = (agency_id IS NOT NULL)),
    CHECK (role = 'admin' OR jurisdiction_code IS NOT NULL),
    CHECK (area_code IS NOT NULL OR (role <> 'village' AND role <> 'township')),
    CHECK ((role = 'sector') = (sector IS NOT NULL))
);
INSERT INTO users_rebuilt (id, username, display_name, password_hash, role, jurisdiction_code,
    agency_id, disabled, created_at, must_change_password)
SELECT id, username, display_name, password_hash, role, jurisdiction_code, agency_id, disabled,
    created_at, must_change_password FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_jurisdiction ON users (jurisdiction_code);

CREATE TABLE households (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    village_code      TEXT NOT NULL REFERENCES areas (code),
    number            TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 40),
    household_type    TEXT NOT NULL CHECK (length(household_type) BETWEEN 1 AND 40),
    address           TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    facts             TEXT NOT NULL DEFAULT '{}',
    helper_user_id    BIGINT REFERENCES users (id),
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (jurisdiction_code, number)
);
CREATE INDEX households_village ON households (village_code);
CREATE INDEX households_helper ON households (helper_user_id);

CREATE TABLE people (
    id           INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    number       TEXT NOT NULL CHECK (length(number) BETWEEN 1 AND 40),
    id_type      TEXT NOT NULL CHECK (id_type IN ('resident_id', 'disability_certificate')),
    id_number    TEXT NOT NULL CHECK (length(id_number) BETWEEN 18 AND 20),
    resident_id  TEXT NOT NULL CHECK (length(resident_id) = 18),
    name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    relation     TEXT NOT NULL CHECK (length(relation) BETWEEN 1 AND 20),
    sex          TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date   TEXT NOT NULL CHECK (length(birth_date) = 10),
    facts        TEXT NOT NULL DEFAULT '{}',
    joined_on    TEXT NOT NULL CHECK (length(joined_on) = 10),
    left_on      TEXT CHECK (left_on IS NULL OR length(left_on) = 10),
    left_reason  TEXT CHECK (left_reason IN ('moved', 'died', 'departed')),
    version      INTEGER NOT NULL DEFAULT 1,
    updated_at   BIGINT NOT NULL,
    CHECK ((left_on IS NULL) = (left_reason IS NULL))
);
CREATE INDEX people_household ON people (household_id);
-- The same person is in one live household at most; the head of a household is one.
CREATE UNIQUE INDEX people_live_resident ON people (resident_id) WHERE left_on IS NULL;
CREATE UNIQUE INDEX people_live_head ON people (household_id) WHERE left_on IS NULL AND relation = 'householder';

CREATE TABLE household_incomes (
    household_id BIGINT NOT NULL REFERENCES households (id),
    year         INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    wage_fen     BIGINT NOT NULL DEFAULT 0,
    business_fen BIGINT NOT NULL DEFAULT 0,
    property_fen BIGINT NOT NULL DEFAULT 0,
    transfer_fen BIGINT NOT NULL DEFAULT 0,
    self_pay_fen BIGINT NOT NULL DEFAULT 0 CHECK (self_pay_fen >= 0),
    per_capita_fen BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (household_id, year)
);

COMMIT;
PRAGMA foreign_keys = ON;
