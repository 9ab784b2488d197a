-- The programmes of the seed (issue 19 item 5, decision 0045): 扶贫专岗/公益性岗位 posts charged
-- to a project of the project library, their holders (registry members, 16–70 on the first day
-- by the rulebook) and each holder's monthly attendance and pay; left-behind children's files
-- and the "12345" activities recorded for them; clean-courtyard inspection rounds and the score
-- of each household's courtyard; health screening campaigns with an appointment and a result per
-- person (a serious one raises a clue); work records, the ground of employment introduction
-- letters. Nothing is deleted. Keep in step with
-- ../postgres/0034_programmes.sql.

CREATE TABLE posts (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    area_code         TEXT NOT NULL REFERENCES areas (code),
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    monthly_pay_fen   BIGINT NOT NULL CHECK (monthly_pay_fen >= 0),
    project_id        BIGINT NOT NULL REFERENCES projects (id),
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX posts_jurisdiction ON posts (jurisdiction_code, year);
CREATE INDEX posts_project ON posts (project_id);

CREATE TABLE post_holders (
    id         INTEGER PRIMARY KEY,
    post_id    BIGINT NOT NULL REFERENCES posts (id),
    person_id  BIGINT NOT NULL REFERENCES people (id),
    from_on    TEXT NOT NULL CHECK (length(from_on) = 10),
    to_on      TEXT NOT NULL CHECK (length(to_on) = 10),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (to_on >= from_on)
);
CREATE INDEX post_holders_post ON post_holders (post_id);
CREATE INDEX post_holders_person ON post_holders (person_id);

CREATE TABLE post_months (
    id          INTEGER PRIMARY KEY,
    holder_id   BIGINT NOT NULL REFERENCES post_holders (id),
    month       TEXT NOT NULL CHECK (length(month) = 7),
    days_worked INTEGER NOT NULL CHECK (days_worked BETWEEN 0 AND 31),
    pay_fen     BIGINT NOT NULL CHECK (pay_fen >= 0),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL,
    UNIQUE (holder_id, month)
);

CREATE TABLE children (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    village_code      TEXT NOT NULL REFERENCES areas (code),
    person_id         BIGINT REFERENCES people (id),
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    birth_date        TEXT NOT NULL CHECK (length(birth_date) = 10),
    school            TEXT NOT NULL CHECK (length(school) BETWEEN 1 AND 100),
    guardian_name     TEXT NOT NULL CHECK (length(guardian_name) BETWEEN 1 AND 50),
    guardian_relation TEXT NOT NULL DEFAULT '' CHECK (length(guardian_relation) <= 100),
    guardian_age      INTEGER CHECK (guardian_age IS NULL OR guardian_age BETWEEN 10 AND 120),
    guardian_health   TEXT NOT NULL DEFAULT '' CHECK (length(guardian_health) <= 100),
    parents_workplace TEXT NOT NULL DEFAULT '' CHECK (length(parents_workplace) <= 100),
    parents_phone     TEXT NOT NULL DEFAULT '' CHECK (length(parents_phone) <= 100),
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX children_jurisdiction ON children (jurisdiction_code, school);
-- One file per registry member.
CREATE UNIQUE INDEX children_person ON children (person_id) WHERE person_id IS NOT NULL;

CREATE TABLE child_activities (
    id          INTEGER PRIMARY KEY,
    child_id    BIGINT NOT NULL REFERENCES children (id),
    kind        TEXT NOT NULL CHECK (kind IN ('contact', 'special_class', 'feedback',
                                               'home_visit', 'festival_activity')),
    on_day      TEXT NOT NULL CHECK (length(on_day) = 10),
    note        TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    recorded_by TEXT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX child_activities_child ON child_activities (child_id, on_day);

CREATE TABLE courtyard_rounds (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    area_code         TEXT NOT NULL REFERENCES areas (code),
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    held_on           TEXT NOT NULL CHECK (length(held_on) = 10),
    year              INTEGER NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL
);
CREATE INDEX courtyard_rounds_jurisdiction ON courtyard_rounds (jurisdiction_code, year);

CREATE TABLE courtyard_scores (
    id           INTEGER PRIMARY KEY,
    round_id     BIGINT NOT NULL REFERENCES courtyard_rounds (id),
    household_id BIGINT NOT NULL REFERENCES households (id),
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    help         TEXT NOT NULL DEFAULT '' CHECK (length(help) <= 200),
    note         TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    scored_by    TEXT NOT NULL,
    scored_at    BIGINT NOT NULL,
    UNIQUE (round_id, household_id)
);
CREATE INDEX courtyard_scores_household ON courtyard_scores (household_id);

CREATE TABLE screening_campaigns (
    id                INTEGER PRIMARY KEY,
    jurisdiction_code TEXT NOT NULL REFERENCES jurisdictions (code),
    area_code         TEXT NOT NULL REFERENCES areas (code),
    name              TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    from_on           TEXT NOT NULL CHECK (length(from_on) = 10),
    to_on             TEXT NOT NULL CHECK (length(to_on) = 10),
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    CHECK (to_on >= from_on)
);
CREATE INDEX screening_campaigns_jurisdiction ON screening_campaigns (jurisdiction_code);

CREATE TABLE screening_people (
    id             INTEGER PRIMARY KEY,
    campaign_id    BIGINT NOT NULL REFERENCES screening_campaigns (id),
    person_id      BIGINT NOT NULL REFERENCES people (id),
    appointment_on TEXT NOT NULL CHECK (length(appointment_on) = 10),
    result         TEXT CHECK (result IN ('normal', 'follow_up', 'serious')),
    finding        TEXT NOT NULL DEFAULT '' CHECK (length(finding) <= 500),
    clue_id        BIGINT REFERENCES clues (id),
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    UNIQUE (campaign_id, person_id)
);
CREATE INDEX screening_people_person ON screening_people (person_id);

CREATE TABLE work_records (
    id                    INTEGER PRIMARY KEY,
    jurisdiction_code     TEXT NOT NULL REFERENCES jurisdictions (code),
    person_id             BIGINT NOT NULL REFERENCES people (id),
    employer              TEXT NOT NULL CHECK (length(employer) BETWEEN 1 AND 100),
    position              TEXT NOT NULL DEFAULT '' CHECK (length(position) <= 100),
    start_on              TEXT NOT NULL CHECK (length(start_on) = 10),
    monthly_income_fen    BIGINT NOT NULL CHECK (monthly_income_fen >= 0),
    transport_subsidy_fen BIGINT NOT NULL CHECK (transport_subsidy_fen >= 0),
    issued_on             TEXT NOT NULL CHECK (length(issued_on) = 10),
    created_by            TEXT NOT NULL,
    created_at            BIGINT NOT NULL
);
CREATE INDEX work_records_person ON work_records (person_id);
