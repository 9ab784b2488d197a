-- Marker of ../postgres/0039_project_search_grams.sql (an index of the characters and character
-- pairs of project names and codes for a province's name search): a SQLite database serves a
-- county, whose few thousand names a year are scanned in a few milliseconds. Keeps both backends
-- at the same migration number.
SELECT 1;
