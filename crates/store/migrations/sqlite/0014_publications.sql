-- Publication (绩效信息公开): the projects whose targets and results finance has chosen to show
-- the public (sqlite). Keep in step with ../postgres/0014_publications.sql.

CREATE TABLE publications (
    project_id   BIGINT PRIMARY KEY REFERENCES projects (id),
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
