-- seats cache schema: the Users filter's trigram index answers words of one
-- and two characters too (issue 11). At a million users such a word was a
-- walk of every user when few hold it ("q": 1 % of users, most of them
-- together at one place of the UPN order, 4 s a key).
--
-- The index holds the same text as before with two spaces after it, so that
-- every character of the text, and every pair, starts a trigram: the users
-- holding a word of one or two characters are those holding a trigram that
-- starts with it, a range of the index's vocabulary (fts5vocab). The spaces
-- only add candidates; the filter's LIKE over the text itself decides, as
-- for longer words. No new table: the index grows by two trigrams a user.
DROP TRIGGER users_search_insert;
DROP TRIGGER users_search_update;
DROP TRIGGER users_search_delete;
DROP TABLE users_search;

CREATE VIRTUAL TABLE users_search USING fts5(
    haystack,
    tokenize = 'trigram',
    content = '',
    contentless_delete = 1,
    detail = 'none'
);

-- The Users list's haystack (store::users::SPEC) and two spaces.
INSERT INTO users_search(rowid, haystack)
SELECT id, upn || ' ' || display_name || ' ' || coalesce(department, '') || '  ' FROM users;

CREATE TRIGGER users_search_insert AFTER INSERT ON users
BEGIN
    INSERT INTO users_search(rowid, haystack)
    VALUES (NEW.id, NEW.upn || ' ' || NEW.display_name || ' ' || coalesce(NEW.department, '') || '  ');
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF id, upn, display_name, department ON users
BEGIN
    DELETE FROM users_search WHERE rowid = OLD.id;
    INSERT INTO users_search(rowid, haystack)
    VALUES (NEW.id, NEW.upn || ' ' || NEW.display_name || ' ' || coalesce(NEW.department, '') || '  ');
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users
BEGIN
    DELETE FROM users_search WHERE rowid = OLD.id;
END;
