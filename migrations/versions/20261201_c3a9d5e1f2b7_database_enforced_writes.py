"""database-enforced writes for annotator and lead roles

On PostgreSQL only (SQLite is protected by its file permissions): the database, not the
client, enforces what a mapped login role (`annotator db grant`) may write.

- `annotator_self`: a view of the connected role's own annotator row (id, role); policies
  and triggers ask it who is working.
- `annotators`: row-level security; a role reads its own row, a lead reads all.
- `passage_workload`: a mapped annotator sees only their own work rows in it.
- `annotations_guard` (BEFORE INSERT, runs as the writer, so it sees only what they may
  see): for mapped roles, the writer's own id, an origin their role may write (manual,
  suggestion; leads also adjudication), the active codebook version, a layer and label
  present in it, an annotatable passage (spans inside it), `created_at` within 5 minutes of
  the server clock (then set to it), and a superseded revision that is the writer's own
  current one on the same passage (gold: a gold revision, replaced by gold). Ids come only from the sequence: the column
  grants (`annotator db grant`) leave out `id`.
- `assignments_insert`: annotators may add a work row only for themselves, unassigned and
  unclaimed, on an annotatable passage, and only in open mode; leads as before.
- `assignments_guard`: for mapped roles, a work row's `created_at` and `updated_at` are the
  server's time (nobody keeps a claim alive with a time in the future), and in dynamic mode a
  skipped row or lapsed claim holds a place again only if the passage has one free
  (`passage_places`, SECURITY DEFINER: locks the passage and counts the others).
- `claim_next_passage(annotator_id)`: the dynamic claim (lock, recount, insert), as a
  SECURITY DEFINER function, for roles that have no UPDATE on passages and may not insert
  claims themselves.

Revision ID: c3a9d5e1f2b7
Revises: b664ac418178
Create Date: 2026-12-01 22:40:00.000000
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "c3a9d5e1f2b7"
down_revision: str | None = "b664ac418178"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWN = "annotator_id IN (SELECT id FROM annotators WHERE db_role = current_user AND active)"
LEAD = "EXISTS (SELECT 1 FROM annotators WHERE db_role = current_user AND role = 'lead' AND active)"
OLD_ASSIGNMENTS_INSERT = f"FOR INSERT WITH CHECK ({OWN} OR {LEAD})"
NEW_ASSIGNMENTS_INSERT = (
    f"FOR INSERT WITH CHECK ({LEAD} OR ({OWN} AND assigned_at IS NULL AND claimed_at IS NULL"
    " AND passage_id IN (SELECT id FROM passages WHERE annotatable)"
    " AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'assignment.mode' AND value <> 'open')))"
)
OLD_WORKLOAD = "CREATE VIEW passage_workload AS SELECT passage_id, status, claimed_at, updated_at FROM assignments"
NEW_WORKLOAD = (
    "CREATE VIEW passage_workload WITH (security_barrier) AS SELECT passage_id, status, claimed_at, updated_at "
    "FROM assignments "
    "WHERE NOT EXISTS (SELECT 1 FROM annotators WHERE db_role = current_user AND active AND role <> 'lead') "
    "OR annotator_id IN (SELECT id FROM annotators WHERE db_role = current_user AND active)"
)
# security_barrier: an attacker's own (temporary) function in a WHERE never sees the rows filtered out.
SELF_VIEW = (
    "CREATE VIEW annotator_self WITH (security_barrier) AS "
    "SELECT id, role FROM annotators WHERE db_role = current_user AND active"
)

GUARD = r"""
CREATE FUNCTION annotations_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
DECLARE
    me record;
    book record;
    old record;
    pattern text;
BEGIN
    SELECT id, role INTO me FROM annotator_self;
    IF NOT FOUND THEN
        RETURN NEW;  -- the owner or a superuser (imports, codebook migrations); others have no grant
    END IF;
    IF NEW.annotator_id IS DISTINCT FROM me.id THEN
        RAISE EXCEPTION 'you may write labels only under your own annotator id (%)', me.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.origin IS NULL OR NOT (NEW.origin IN ('manual', 'suggestion')
                                  OR (NEW.origin = 'adjudication' AND me.role = 'lead')) THEN
        RAISE EXCEPTION 'origin % is not one your role (%) may write', NEW.origin, me.role
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF abs(extract(epoch FROM (NEW.created_at - now()))) > 300 THEN
        RAISE EXCEPTION 'created_at % is not now: the database keeps the time of writing', NEW.created_at
            USING ERRCODE = 'check_violation';
    END IF;
    NEW.created_at := now();
    SELECT id, content INTO book FROM codebook_versions ORDER BY id DESC LIMIT 1;
    IF NEW.codebook_version_id IS DISTINCT FROM book.id THEN
        RAISE EXCEPTION 'codebook version % is not the active one (%): restart annotator',
            NEW.codebook_version_id, book.id USING ERRCODE = 'check_violation';
    END IF;
    FOREACH pattern IN ARRAY ARRAY[NEW.layer, NEW.label] LOOP
        IF pattern IS NULL OR pattern !~ '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' OR book.content !~ (
            '(^|[\s{{,-])id:\s*["'']?' || replace(pattern, '.', '\.') || '["'']?\s*($|[\s,}}#])') THEN
            RAISE EXCEPTION 'layer % / label % is not in the active codebook (version %)',
                NEW.layer, NEW.label, book.id USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    IF NOT EXISTS (SELECT 1 FROM passages WHERE id = NEW.passage_id AND annotatable) THEN
        RAISE EXCEPTION 'passage % does not exist or is not annotatable', NEW.passage_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.span_start IS NOT NULL AND NOT EXISTS (SELECT 1 FROM passages WHERE id = NEW.passage_id
            AND NEW.span_start >= start AND NEW.span_end <= "end") THEN
        RAISE EXCEPTION 'span %-% is not inside passage %', NEW.span_start, NEW.span_end, NEW.passage_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.supersedes_id IS NULL THEN
        IF NEW.deleted THEN
            RAISE EXCEPTION 'a deletion must replace a label revision' USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END IF;
    -- Row-level security applies here: a revision the writer may not read does not exist.
    SELECT id, passage_id, annotator_id, origin INTO old FROM annotations WHERE id = NEW.supersedes_id;
    IF NOT FOUND OR old.passage_id <> NEW.passage_id
       OR EXISTS (SELECT 1 FROM annotations WHERE supersedes_id = old.id)
       OR (old.origin = 'adjudication') <> (NEW.origin = 'adjudication')
       OR (old.origin <> 'adjudication' AND old.annotator_id <> me.id) THEN
        RAISE EXCEPTION 'you may replace only a current revision of your own labels on the same passage '
            '(gold: only a gold revision, by a lead)' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$
"""

HOLDS = (
    "({row}.status IN ('done', 'flagged') OR ({row}.status IN ('todo', 'in_progress')"
    " AND ({row}.claimed_at IS NULL OR {row}.updated_at >= cutoff)))"
)
WORK_GUARD = r"""
CREATE FUNCTION assignments_guard() RETURNS trigger LANGUAGE plpgsql SET search_path = {path} AS $$
DECLARE
    cutoff timestamptz;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM annotator_self) THEN
        RETURN NEW;  -- the owner, a superuser, or `claim_next_passage`
    END IF;
    -- A mapped role: the database keeps the times (no claim kept alive with a future time).
    IF TG_OP = 'INSERT' THEN
        NEW.created_at := now();
        NEW.updated_at := now();
        RETURN NEW;
    END IF;
    IF NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
        NEW.updated_at := now();
    END IF;
    -- Dynamic mode: a row that gave its place up (skipped, or a lapsed claim) takes one again
    -- only while the passage has a free place.
    IF OLD.assigned_at IS NOT NULL
       AND (SELECT value FROM settings WHERE key = 'assignment.mode') IS NOT DISTINCT FROM 'dynamic' THEN
        cutoff := now() - make_interval(mins => coalesce(
            (SELECT value::integer FROM settings WHERE key = 'assignment.claim_minutes'), 30));
        IF {new_holds} AND NOT {old_holds} AND passage_places(NEW.passage_id) >= coalesce(
            (SELECT value::integer FROM settings WHERE key = 'assignment.overlap'), 1) THEN
            RAISE EXCEPTION 'passage % already has all its annotators: your claim lapsed or you skipped it',
                NEW.passage_id USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END
$$
"""

PLACES = r"""
CREATE FUNCTION passage_places(p_passage integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $$
DECLARE
    caller text := CASE WHEN current_setting('role') IN ('none', '') THEN session_user
                        ELSE current_setting('role') END;
    cutoff timestamptz := now() - make_interval(mins => coalesce(
        (SELECT value::integer FROM settings WHERE key = 'assignment.claim_minutes'), 30));
BEGIN
    -- How many other people hold the passage, counted after locking it against claims; only
    -- for a passage the caller has a work row on (nobody locks passages that are not theirs).
    IF NOT EXISTS (SELECT 1 FROM assignments WHERE passage_id = p_passage
                   AND annotator_id IN (SELECT id FROM annotators WHERE db_role = caller AND active)) THEN
        RAISE EXCEPTION 'you have no work row on passage %', p_passage USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM 1 FROM passages WHERE id = p_passage FOR NO KEY UPDATE;
    RETURN (SELECT count(*) FROM assignments w WHERE w.passage_id = p_passage
             AND w.annotator_id NOT IN (SELECT id FROM annotators WHERE db_role = caller) AND {holds});
END
$$
"""

CLAIM = r"""
CREATE FUNCTION claim_next_passage(p_annotator integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {path} AS $$
DECLARE
    caller text := CASE WHEN current_setting('role') IN ('none', '') THEN session_user
                        ELSE current_setting('role') END;
    me integer;
    settings_mode text;
    overlap integer;
    cutoff timestamptz;
    found_id integer;
    last_article integer;
    tried integer[] := '{{}}';
    scope integer;
    stamp timestamptz := now();
BEGIN
    SELECT id INTO me FROM annotators WHERE db_role = caller AND active;
    IF me IS NULL OR me <> p_annotator THEN
        RAISE EXCEPTION 'database role % may claim passages only for its own annotator', caller
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT value INTO settings_mode FROM settings WHERE key = 'assignment.mode';
    IF settings_mode IS DISTINCT FROM 'dynamic' THEN
        RETURN NULL;
    END IF;
    overlap := coalesce((SELECT value::integer FROM settings WHERE key = 'assignment.overlap'), 1);
    cutoff := stamp - make_interval(mins => coalesce(
        (SELECT value::integer FROM settings WHERE key = 'assignment.claim_minutes'), 30));
    SELECT passage_id INTO found_id FROM assignments
     WHERE annotator_id = me AND assigned_at IS NOT NULL AND status IN ('todo', 'in_progress')
       AND (claimed_at IS NULL OR updated_at >= cutoff)
     ORDER BY updated_at, passage_id LIMIT 1;
    IF found_id IS NOT NULL THEN
        RETURN found_id;
    END IF;
    SELECT p.article_id INTO last_article FROM passages p JOIN assignments a ON a.passage_id = p.id
     WHERE a.annotator_id = me AND a.claimed_at IS NOT NULL ORDER BY a.claimed_at DESC LIMIT 1;
    LOOP
        found_id := NULL;
        FOREACH scope IN ARRAY CASE WHEN last_article IS NULL THEN ARRAY[NULL::integer]
                                    ELSE ARRAY[last_article, NULL] END LOOP
            SELECT p.id INTO found_id FROM passages p
             WHERE p.annotatable AND (scope IS NULL OR p.article_id = scope) AND p.id <> ALL (tried)
               AND NOT EXISTS (SELECT 1 FROM assignments own WHERE own.passage_id = p.id AND own.annotator_id = me
                    AND NOT (own.claimed_at IS NOT NULL AND own.status IN ('todo', 'in_progress')
                             AND own.updated_at < cutoff))
               AND (SELECT count(*) FROM assignments w WHERE w.passage_id = p.id AND (w.status IN ('done', 'flagged')
                    OR (w.status IN ('todo', 'in_progress') AND (w.claimed_at IS NULL OR w.updated_at >= cutoff))))
                   < overlap
             ORDER BY p.id LIMIT 1 FOR NO KEY UPDATE OF p SKIP LOCKED;
            EXIT WHEN found_id IS NOT NULL;
        END LOOP;
        IF found_id IS NULL THEN
            RETURN NULL;
        END IF;
        -- Locked; count the places again in this statement's fresh snapshot.
        IF (SELECT count(*) FROM assignments w WHERE w.passage_id = found_id AND (w.status IN ('done', 'flagged')
            OR (w.status IN ('todo', 'in_progress') AND (w.claimed_at IS NULL OR w.updated_at >= cutoff))))
           < overlap THEN
            UPDATE assignments SET claimed_at = stamp, updated_at = stamp
             WHERE passage_id = found_id AND annotator_id = me;
            IF NOT FOUND THEN
                INSERT INTO assignments (passage_id, annotator_id, status, active_seconds, rejected_suggestions,
                                         assigned_at, claimed_at, created_at, updated_at)
                VALUES (found_id, me, 'todo', 0.0, '[]', stamp, stamp, stamp, stamp);
            END IF;
            RETURN found_id;
        END IF;
        tried := tried || found_id;
    END LOOP;
END
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.scalar(text("SELECT quote_ident(current_schema())"))
    path = f"{schema}, pg_temp"
    op.execute(SELF_VIEW)
    op.execute(
        "CREATE POLICY annotators_read ON annotators FOR SELECT USING "
        "(db_role = current_user OR EXISTS (SELECT 1 FROM annotator_self WHERE role = 'lead'))"
    )
    op.execute("ALTER TABLE annotators ENABLE ROW LEVEL SECURITY")
    op.execute("DROP VIEW passage_workload")
    op.execute(NEW_WORKLOAD)
    op.execute("DROP POLICY assignments_insert ON assignments")
    op.execute(f"CREATE POLICY assignments_insert ON assignments {NEW_ASSIGNMENTS_INSERT}")
    op.execute(GUARD.format(path=path))
    op.execute("REVOKE ALL ON FUNCTION annotations_guard() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER annotations_guard BEFORE INSERT ON annotations FOR EACH ROW EXECUTE FUNCTION annotations_guard()"
    )
    op.execute(PLACES.format(path=path, holds=HOLDS.format(row="w")))
    op.execute("REVOKE ALL ON FUNCTION passage_places(integer) FROM PUBLIC")
    op.execute(WORK_GUARD.format(path=path, new_holds=HOLDS.format(row="NEW"), old_holds=HOLDS.format(row="OLD")))
    op.execute("REVOKE ALL ON FUNCTION assignments_guard() FROM PUBLIC")
    op.execute(
        "CREATE TRIGGER assignments_guard BEFORE INSERT OR UPDATE ON assignments "
        "FOR EACH ROW EXECUTE FUNCTION assignments_guard()"
    )
    op.execute(CLAIM.format(path=path))
    op.execute("REVOKE ALL ON FUNCTION claim_next_passage(integer) FROM PUBLIC")
    # Roles granted before this revision keep nothing they could abuse; `annotator db grant`
    # gives them the new, narrower privileges.
    granted = bind.scalars(
        text("SELECT quote_ident(rolname) FROM pg_roles WHERE rolname IN (SELECT db_role FROM annotators)")
    ).all()
    for role in granted:
        op.execute(
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON passages, annotations, assignments, settings FROM {role}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION claim_next_passage(integer)")
    op.execute("DROP TRIGGER assignments_guard ON assignments")
    op.execute("DROP FUNCTION assignments_guard()")
    op.execute("DROP FUNCTION passage_places(integer)")
    op.execute("DROP TRIGGER annotations_guard ON annotations")
    op.execute("DROP FUNCTION annotations_guard()")
    op.execute("DROP POLICY assignments_insert ON assignments")
    op.execute(f"CREATE POLICY assignments_insert ON assignments {OLD_ASSIGNMENTS_INSERT}")
    op.execute("DROP VIEW passage_workload")
    op.execute(OLD_WORKLOAD)
    op.execute("ALTER TABLE annotators DISABLE ROW LEVEL SECURITY")
    op.execute("DROP POLICY annotators_read ON annotators")
    op.execute("DROP VIEW annotator_self")
