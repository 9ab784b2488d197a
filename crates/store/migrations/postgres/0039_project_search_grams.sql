-- Name search over a province (issue 21 item 2, decision 0050): `%体检%` over 500,000 projects
-- read every name of the year. pg_trgm cannot serve it — a LIKE pattern yields no trigram from a
-- two-character word, and most Chinese search words have two — so the project's name and code
-- are indexed by their characters and character pairs: a search for a word of two or more
-- characters asks for rows holding each of its pairs (a single character, for that character),
-- and LIKE then checks the candidates. No extension is needed.
-- Keep in step with ../sqlite/0039_project_search_grams.sql (a marker: SQLite serves a county,
-- whose scan is fast).

CREATE FUNCTION search_grams(name TEXT, code TEXT) RETURNS TEXT[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT ARRAY(
        SELECT DISTINCT substr(t.s, i, n)
        FROM (VALUES (name), (code)) AS t (s),
             generate_series(1, char_length(t.s)) AS i,
             (VALUES (1), (2)) AS w (n)
        WHERE i + n - 1 <= char_length(t.s)
    )
$$;

CREATE INDEX projects_search_grams ON projects USING gin (search_grams(name, code));
