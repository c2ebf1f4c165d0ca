-- seats cache schema, version 17: a trigram index over what the Users
-- filter searches (issue 11). At a million users a plain word was a LIKE
-- over every row, 2-4 s a keystroke; the index finds the few rows holding
-- every trigram of the word in milliseconds and the filter's own LIKE then
-- checks them exactly, so results are the same as without it.
--
-- Contentless (content='') and without positions (detail='none'): it holds
-- only trigram -> user id lists, about 60 MB per million users.
-- contentless_delete lets the triggers remove a user's old entry.
CREATE VIRTUAL TABLE users_search USING fts5(
    haystack,
    tokenize = 'trigram',
    content = '',
    contentless_delete = 1,
    detail = 'none'
);

-- The same text as the Users list's haystack (store::users::SPEC).
INSERT INTO users_search(rowid, haystack)
SELECT id, upn || ' ' || display_name || ' ' || coalesce(department, '') FROM users;

CREATE TRIGGER users_search_insert AFTER INSERT ON users
BEGIN
    INSERT INTO users_search(rowid, haystack)
    VALUES (NEW.id, NEW.upn || ' ' || NEW.display_name || ' ' || coalesce(NEW.department, ''));
END;

CREATE TRIGGER users_search_update AFTER UPDATE OF id, upn, display_name, department ON users
BEGIN
    DELETE FROM users_search WHERE rowid = OLD.id;
    INSERT INTO users_search(rowid, haystack)
    VALUES (NEW.id, NEW.upn || ' ' || NEW.display_name || ' ' || coalesce(NEW.department, ''));
END;

CREATE TRIGGER users_search_delete AFTER DELETE ON users
BEGIN
    DELETE FROM users_search WHERE rowid = OLD.id;
END;
