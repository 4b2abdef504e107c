"""Who labels which passage: static assignment with overlap, and dynamic claims.

The project's assignment mode is kept in the `settings` table:

- `open` (a new project): every annotator's queue is every annotatable passage;
- `static` (`annotator assign --overlap K`): each passage is given to K annotators up front,
  whole articles to the same people where possible, balanced by how much each person holds;
- `dynamic` (`annotator assign --dynamic --overlap K`): annotators claim the next passage that
  still needs people as they finish one (`claim_next`).

In both assigned modes a queue is the annotator's rows with `assigned_at`. A row holds one of
its passage's K places while it is done or flagged, or open (todo, in progress) and not a
lapsed claim: a dynamic claim nobody worked on for the claim time frees its place, and so
does a skip. The places are counted through the `passage_workload` view, which shows every
row's status but not whose it is, so annotators can count them under row-level security.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    DateTime,
    Engine,
    Integer,
    String,
    and_,
    column,
    exists,
    func,
    insert,
    or_,
    select,
    table,
    text,
    update,
)
from sqlalchemy.orm import Session, aliased

from annotator.core.enums import FINISHED_STATUSES, WorkStatus
from annotator.db.engine import write_session
from annotator.db.models import Annotator, Article, Assignment, Passage, Setting, utcnow
from annotator.errors import AnnotatorError

MODE_KEY = "assignment.mode"
OVERLAP_KEY = "assignment.overlap"
CLAIM_MINUTES_KEY = "assignment.claim_minutes"
MODES = ("open", "static", "dynamic")
DEFAULT_CLAIM_MINUTES = 30
OPEN_STATUSES = (WorkStatus.TODO, WorkStatus.IN_PROGRESS)

workload = table(
    "passage_workload",
    column("passage_id", Integer),
    column("status", String),
    column("claimed_at", DateTime(timezone=True)),
    column("updated_at", DateTime(timezone=True)),
)
"""Every work row's passage and state, without its annotator (a view; see the module doc)."""


@dataclass(frozen=True)
class AssignmentMode:
    """How passages reach annotators in this project."""

    kind: str = "open"
    overlap: int = 1
    claim_minutes: int = DEFAULT_CLAIM_MINUTES

    @property
    def assigned(self) -> bool:
        """Whether queues are made of assigned rows (static or dynamic) rather than everything."""
        return self.kind != "open"

    def claim_cutoff(self) -> datetime:
        """Open claims last touched before this moment have lapsed."""
        return utcnow() - timedelta(minutes=self.claim_minutes)


def load_mode(session: Session) -> AssignmentMode:
    """The project's assignment mode (`open` until someone runs `annotator assign`)."""
    keys = (MODE_KEY, OVERLAP_KEY, CLAIM_MINUTES_KEY)
    values = dict(session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys))).all())
    return AssignmentMode(
        kind=values.get(MODE_KEY, "open"),
        overlap=int(values.get(OVERLAP_KEY, 1)),
        claim_minutes=int(values.get(CLAIM_MINUTES_KEY, DEFAULT_CLAIM_MINUTES)),
    )


def _store_mode(session: Session, mode: AssignmentMode) -> None:
    for key, value in ((MODE_KEY, mode.kind), (OVERLAP_KEY, mode.overlap), (CLAIM_MINUTES_KEY, mode.claim_minutes)):
        row = session.get(Setting, key)
        if row is None:
            session.add(Setting(key=key, value=str(value)))
        else:
            row.value = str(value)


# -- the SQL pieces queues and claims are made of ---------------------------------------------


def holds_place(status, claimed_at, updated_at, cutoff: datetime):
    """SQL condition: a work row with these columns is one of its passage's K people."""
    return or_(
        status.in_(FINISHED_STATUSES),
        and_(status.in_(OPEN_STATUSES), or_(claimed_at.is_(None), updated_at >= cutoff)),
    )


def places_taken(passage_id, cutoff: datetime):
    """SQL scalar: how many people hold the passage `passage_id` (a column or a value)."""
    return (
        select(func.count())
        .select_from(workload)
        .where(
            workload.c.passage_id == passage_id,
            holds_place(workload.c.status, workload.c.claimed_at, workload.c.updated_at, cutoff),
        )
        .scalar_subquery()
    )


def in_queue(row, mode: AssignmentMode):
    """SQL condition on an `Assignment` (or alias): the row is in its annotator's queue.

    Only for assigned modes. In dynamic mode skipped rows and lapsed claims leave the queue:
    their places went back to the pool, and someone else may hold them now.
    """
    condition = row.assigned_at.is_not(None)
    if mode.kind == "dynamic":
        condition = and_(
            condition,
            row.status != WorkStatus.SKIPPED,
            or_(row.claimed_at.is_(None), row.status.in_(FINISHED_STATUSES), row.updated_at >= mode.claim_cutoff()),
        )
    return condition


# -- dynamic claims ------------------------------------------------------------------------------


class ClaimLostError(AnnotatorError):
    """A write on a passage whose dynamic claim lapsed and was taken over by someone else."""


def check_claim(session: Session, annotator_id: int, passage_id: int) -> None:
    """Before a write on a passage: refuse it (`ClaimLostError`) if, in dynamic mode, this
    annotator's claim on it lapsed (or they skipped it) and the passage's places are all taken
    by others now; otherwise the write goes on and renews the claim.

    The passage is locked against claimers first (PostgreSQL: `FOR NO KEY UPDATE`, or the
    database function `passage_places` for a mapped login role, which may not lock passages;
    SQLite: the writer's `BEGIN IMMEDIATE`), so a claim cannot slip in between the count and
    the write.
    """
    mode = load_mode(session)
    if mode.kind != "dynamic":
        return
    cutoff = mode.claim_cutoff()
    given_up = session.scalar(  # the status of a claim of theirs that no longer holds its place
        select(Assignment.status).where(
            Assignment.passage_id == passage_id,
            Assignment.annotator_id == annotator_id,
            Assignment.claimed_at.is_not(None),
            ~holds_place(Assignment.status, Assignment.claimed_at, Assignment.updated_at, cutoff),
        )
    )
    if given_up is None:
        return
    if session.get_bind().dialect.name == "postgresql" and session.scalar(text("SELECT id FROM annotator_self")):
        others = session.scalar(text("SELECT passage_places(:p)"), {"p": passage_id})
    else:
        session.execute(select(Passage.id).where(Passage.id == passage_id).with_for_update(key_share=True))
        others = session.execute(select(places_taken(passage_id, cutoff))).scalar_one()
    if others >= mode.overlap:
        lapsed = f"your claim lapsed after {mode.claim_minutes} idle minutes"
        why = "you skipped it" if given_up == WorkStatus.SKIPPED else lapsed
        raise ClaimLostError(
            f"passage {passage_id}: {why} and another annotator has taken it since; this change was not saved"
        )


def claim_next(engine: Engine, annotator_id: int) -> int | None:
    """Claim the next passage that still needs people for this annotator; None when none is left.

    An open passage the annotator already holds comes first (one claim at a time). Otherwise
    the first passage, preferring the article of their last claim, that fewer than K people
    hold and that they never had (a lapsed claim of theirs may be renewed). On PostgreSQL the
    candidate row is locked with `FOR NO KEY UPDATE SKIP LOCKED` (claimers skip each other's
    passages; label writes, which only key-share the row, are not held up), and its places are
    counted again after the lock, in a fresh snapshot; on SQLite the whole claim is one
    `BEGIN IMMEDIATE` transaction. A login role mapped to an annotator (`annotator db grant`)
    claims through the database function `claim_next_passage`, which does the same as the owner.
    """
    with write_session(engine) as session:
        if session.get_bind().dialect.name == "postgresql" and session.scalar(text("SELECT id FROM annotator_self")):
            # A mapped login role may not lock passages or insert claims: the database does it.
            return session.scalar(text("SELECT claim_next_passage(:a)"), {"a": annotator_id})
        mode = load_mode(session)
        if mode.kind != "dynamic":
            return None
        cutoff = mode.claim_cutoff()
        mine = and_(Assignment.annotator_id == annotator_id, Assignment.assigned_at.is_not(None))
        holding = session.scalar(
            select(Assignment.passage_id)
            .where(mine, Assignment.status.in_(OPEN_STATUSES))
            .where(or_(Assignment.claimed_at.is_(None), Assignment.updated_at >= cutoff))
            .order_by(Assignment.updated_at, Assignment.passage_id)
            .limit(1)
        )
        if holding is not None:
            return holding
        last_article = session.scalar(
            select(Passage.article_id)
            .join(Assignment, Assignment.passage_id == Passage.id)
            .where(Assignment.annotator_id == annotator_id, Assignment.claimed_at.is_not(None))
            .order_by(Assignment.claimed_at.desc())
            .limit(1)
        )
        tried: list[int] = []
        while True:
            passage_id = _candidate(session, annotator_id, mode, cutoff, last_article, tried)
            if passage_id is None:
                return None
            if session.execute(select(places_taken(passage_id, cutoff))).scalar_one() < mode.overlap:
                _take(session, annotator_id, passage_id)
                return passage_id
            tried.append(passage_id)


def _candidate(
    session: Session,
    annotator_id: int,
    mode: AssignmentMode,
    cutoff: datetime,
    article_id: int | None,
    tried: list[int],
) -> int | None:
    """Lock and return the first passage worth claiming, in the given article first."""
    own = aliased(Assignment)
    had = exists(
        select(own.id).where(
            own.passage_id == Passage.id,
            own.annotator_id == annotator_id,
            ~and_(own.claimed_at.is_not(None), own.status.in_(OPEN_STATUSES), own.updated_at < cutoff),
        )
    )
    query = select(Passage.id).where(
        Passage.annotatable.is_(True), ~had, places_taken(Passage.id, cutoff) < mode.overlap
    )
    if tried:
        query = query.where(Passage.id.not_in(tried))
    scopes = ([Passage.article_id == article_id] if article_id is not None else []) + [None]
    for scope in scopes:
        scoped = query.where(scope) if scope is not None else query
        found = session.scalar(
            scoped.order_by(Passage.id).limit(1).with_for_update(skip_locked=True, key_share=True, of=Passage)
        )
        if found is not None:
            return found
    return None


def _take(session: Session, annotator_id: int, passage_id: int) -> None:
    """Give the annotator the passage: a new claim, or their lapsed one renewed."""
    now = utcnow()
    row = session.scalar(
        select(Assignment).where(Assignment.passage_id == passage_id, Assignment.annotator_id == annotator_id)
    )
    if row is None:
        session.add(
            Assignment(
                passage_id=passage_id,
                annotator_id=annotator_id,
                status=WorkStatus.TODO,
                active_seconds=0.0,
                rejected_suggestions=[],
                assigned_at=now,
                claimed_at=now,
                updated_at=now,
            )
        )
    else:
        row.claimed_at = row.updated_at = now
    session.flush()


def start_dynamic(engine: Engine, *, overlap: int, claim_minutes: int = DEFAULT_CLAIM_MINUTES) -> int:
    """Switch the project to dynamic claims with `overlap` people per passage.

    Work rows that exist already join their annotators' queues. Returns how many passages
    still need people.
    """
    if overlap < 1:
        raise AnnotatorError("--overlap must be at least 1")
    if claim_minutes < 1:
        raise AnnotatorError("--claim-minutes must be at least 1")
    mode = AssignmentMode("dynamic", overlap, claim_minutes)
    with write_session(engine) as session:
        _store_mode(session, mode)
        _stamp_existing(session, utcnow())
        return passages_needing_people(session, mode)


def passages_needing_people(session: Session, mode: AssignmentMode) -> int:
    """How many annotatable passages fewer than `mode.overlap` people hold."""
    return session.execute(
        select(func.count(Passage.id)).where(
            Passage.annotatable.is_(True), places_taken(Passage.id, mode.claim_cutoff()) < mode.overlap
        )
    ).scalar_one()


def _stamp_existing(session: Session, now: datetime) -> None:
    """Put work rows made before assignment (people opened passages freely) into their queues."""
    session.execute(
        update(Assignment)
        .where(Assignment.assigned_at.is_(None), Assignment.status != WorkStatus.SKIPPED)
        .values(assigned_at=now)
    )


# -- static assignment ------------------------------------------------------------------------------


@dataclass
class AssignReport:
    """What one `annotator assign` run did."""

    new: dict[str, int] = field(default_factory=dict)
    """Annotator name -> passages given to them in this run."""
    totals: dict[str, int] = field(default_factory=dict)
    """Annotator name -> passages assigned to them in all (this run included)."""
    passages: int = 0
    """Passages that got at least one more annotator."""
    doubled_articles: int = 0
    """Articles given one extra annotator by `overlap_share`."""
    short: int = 0
    """Passages still below their overlap (not enough annotators who never had them)."""


def assign_static(
    engine: Engine,
    *,
    overlap: int,
    annotator_names: Sequence[str] | None = None,
    article_ids: Sequence[int] | None = None,
    limit: int | None = None,
    overlap_share: float = 0.0,
    seed: int = 0,
) -> AssignReport:
    """Give every annotatable passage `overlap` annotators (more for a share of articles).

    Passages some people already hold count those people. Each article goes, whole, to the
    people who already have some of it, then to those who hold least so far (ties by name);
    biggest articles first, which keeps the loads close. With `overlap_share` S, a share S of
    the articles (chosen at random from `seed`, so reproducibly) get one annotator more, for
    measuring agreement. `limit` caps the passages given out in this run (articles taken in id
    order).
    """
    if overlap < 1:
        raise AnnotatorError("--overlap must be at least 1")
    if not 0.0 <= overlap_share <= 1.0:
        raise AnnotatorError("--overlap-share must be between 0 and 1")
    if limit is not None and limit < 1:
        raise AnnotatorError("--limit must be at least 1")
    now = utcnow()
    with write_session(engine) as session:
        mode = AssignmentMode("static", overlap)
        people = _people(session, annotator_names)
        needed = overlap + (1 if overlap_share > 0 else 0)
        if len(people) < needed:
            raise AnnotatorError(f"an overlap of {needed} needs at least {needed} annotators; there are {len(people)}")
        articles = _articles(session, article_ids)
        _store_mode(session, mode)
        _stamp_existing(session, now)
        had, holding = _current_holders(session, mode.claim_cutoff())
        loads = dict(
            session.execute(
                select(Assignment.annotator_id, func.count(Assignment.id))
                .where(Assignment.assigned_at.is_not(None))
                .group_by(Assignment.annotator_id)
            ).all()
        )
        loads = {person.id: loads.get(person.id, 0) for person in people}
        ordered_ids = sorted(articles)
        doubled = set(random.Random(seed).sample(ordered_ids, round(overlap_share * len(ordered_ids))))
        report = AssignReport(doubled_articles=len(doubled))
        work = _wanting(articles, doubled, overlap, holding, limit)
        rows: list[dict] = []
        given: dict[int, int] = defaultdict(int)
        for want, article_passages, wanting in sorted(work, key=lambda job: -len(job[2])):  # biggest first
            in_article = Counter(annotator_id for passage_id in article_passages for annotator_id in had[passage_id])
            ranking = sorted(people, key=lambda person: (-in_article[person.id], loads[person.id], person.name))
            for passage_id in wanting:
                free = [person for person in ranking if person.id not in had[passage_id]]
                chosen = free[: want - holding[passage_id]]
                for person in chosen:
                    rows.append(_new_row(passage_id, person.id, now))
                    loads[person.id] += 1
                    given[person.id] += 1
                report.passages += bool(chosen)
                report.short += holding[passage_id] + len(chosen) < want
        if rows:
            session.execute(insert(Assignment), rows)
        report.new = {person.name: given[person.id] for person in people}
        report.totals = {person.name: loads[person.id] for person in people}
    return report


def _wanting(
    articles: dict[int, list[int]], doubled: set[int], overlap: int, holding: dict[int, int], limit: int | None
) -> list[tuple[int, list[int], list[int]]]:
    """Per article in id order: its overlap, its passages and those below the overlap
    (`limit` of those in all)."""
    work = []
    budget = limit
    for article_id in sorted(articles):
        want = overlap + (1 if article_id in doubled else 0)
        wanting = [passage_id for passage_id in articles[article_id] if holding[passage_id] < want]
        if budget is not None:
            wanting = wanting[:budget]
            budget -= len(wanting)
        if wanting:
            work.append((want, articles[article_id], wanting))
        if budget == 0:
            break
    return work


def _people(session: Session, names: Sequence[str] | None) -> list[Annotator]:
    """The named active people, or every active annotator (role `annotator`)."""
    if not names:
        query = select(Annotator).where(Annotator.active.is_(True), Annotator.role == "annotator")
        return list(session.scalars(query.order_by(Annotator.name)))
    found = {
        person.name: person
        for person in session.scalars(select(Annotator).where(Annotator.name.in_(names), Annotator.active.is_(True)))
    }
    missing = [name for name in names if name not in found]
    if missing:
        raise AnnotatorError(f"unknown annotator(s): {', '.join(missing)}")
    return [found[name] for name in dict.fromkeys(names)]


def _articles(session: Session, article_ids: Sequence[int] | None) -> dict[int, list[int]]:
    """Annotatable passage ids by article id, in reading order."""
    query = (
        select(Passage.article_id, Passage.id)
        .where(Passage.annotatable.is_(True))
        .order_by(Passage.article_id, Passage.index)
    )
    if article_ids:
        known = set(session.scalars(select(Article.id).where(Article.id.in_(article_ids))))
        missing = [str(a) for a in article_ids if a not in known]
        if missing:
            raise AnnotatorError(f"unknown article id(s): {', '.join(missing)}")
        query = query.where(Passage.article_id.in_(article_ids))
    articles: dict[int, list[int]] = defaultdict(list)
    for article_id, passage_id in session.execute(query):
        articles[article_id].append(passage_id)
    return articles


def _current_holders(session: Session, cutoff: datetime) -> tuple[dict[int, set[int]], dict[int, int]]:
    """Who ever had each passage (they never get it again), and how many hold it now."""
    had: dict[int, set[int]] = defaultdict(set)
    holding: dict[int, int] = defaultdict(int)
    rows = session.execute(
        select(
            Assignment.passage_id,
            Assignment.annotator_id,
            holds_place(Assignment.status, Assignment.claimed_at, Assignment.updated_at, cutoff),
        )
    )
    for passage_id, annotator_id, holds in rows:
        had[passage_id].add(annotator_id)
        holding[passage_id] += bool(holds)
    return had, holding


def _new_row(passage_id: int, annotator_id: int, now: datetime) -> dict:
    return {
        "passage_id": passage_id,
        "annotator_id": annotator_id,
        "status": WorkStatus.TODO,
        "active_seconds": 0.0,
        "rejected_suggestions": [],
        "assigned_at": now,
        "created_at": now,
        "updated_at": now,
    }
