"""One simulated annotator for the concurrency test, run in a spawned process.

It works as the UI does, only through `Workbench` methods: `resume_passage`, `add`, `edit`,
`delete`, `undo`, `redo`, `set_status` and `neighbour` (which claims in dynamic mode), and
keeps its own account of what its labels should be, replaying undo and redo on that account
the way the Workbench does, so the test can compare it with the database.

It undoes only right after a label action and redoes only right after an undo: a second undo
in a row fails today when the label was changed after it was made (add, edit, undo, undo
raises StaleRevisionError; reported to the owner of the Workbench label methods).
"""

from __future__ import annotations

import random
import re
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update

from annotator.assignment import ClaimLostError
from annotator.db.engine import write_session
from annotator.db.models import Assignment, utcnow
from annotator.labels import LabelContent
from annotator.project import open_project
from annotator.workbench import Workbench

Key = tuple
"""A label's content as a hashable tuple: (passage, layer, label, start, end, target)."""

EVENT_TYPES = ("battles", "riots", "protests", "violence_against_civilians", "strategic_developments")
ACTORS = ("state_forces", "rebel_group", "political_militia", "civilians", "protesters")


def key(passage_id: int, content: LabelContent) -> Key:
    return (passage_id, content.layer, content.label, content.span_start, content.span_end, content.target)


@dataclass
class Account:
    """What this annotator's current labels must be, and the undo/redo stacks that change it."""

    labels: Counter = field(default_factory=Counter)
    undo: list[tuple] = field(default_factory=list)
    redo: list[tuple] = field(default_factory=list)

    def did(self, passage_id: int, before: LabelContent | None, after: LabelContent | None) -> None:
        self._apply(passage_id, before, after)
        self.undo.append((passage_id, before, after))
        self.redo.clear()

    def replay(self, source: list, target: list) -> None:
        passage_id, before, after = source.pop()
        self._apply(passage_id, after, before)
        target.append((passage_id, after, before))

    def _apply(self, passage_id: int, remove: LabelContent | None, add: LabelContent | None) -> None:
        if remove is not None:
            self.labels[key(passage_id, remove)] -= 1
            if not self.labels[key(passage_id, remove)]:
                del self.labels[key(passage_id, remove)]
        if add is not None:
            self.labels[key(passage_id, add)] += 1


def annotate(url: str, annotator_id: int, seed: int, actions: int, barrier, results, lapses: bool = False) -> None:
    """Label until `actions` label actions are done or the pool runs dry; report on `results`.

    With `lapses`, the annotator now and then walks away from a passage (their claim's last
    activity is set an hour back) and then carries on writing there, as if back from a break.
    """
    try:
        project = open_project(url)
        bench = Workbench(project.engine, annotator_id, project.active)
        barrier.wait(timeout=120)
        results.put(("ok", _work(bench, random.Random(seed), actions, lapses)))
        project.engine.dispose()
    except BaseException:
        results.put(("error", annotator_id, traceback.format_exc()))


def _work(bench: Workbench, rng: random.Random, actions: int, lapses: bool = False) -> dict:
    account = Account()
    done = refused = 0
    finished: list[int] = []
    started = time.monotonic()
    passage_id = bench.resume_passage()
    on_passage = 0
    last = None
    while passage_id is not None and done < actions:
        if lapses and rng.random() < 0.04:
            _walk_away(bench, passage_id)
        try:
            step = _step(bench, rng, account, passage_id, on_passage, last, finished)
        except ClaimLostError:  # someone took the passage while we were away: nothing was written
            refused += 1
            step = ("status", bench.neighbour(passage_id, 1))
        if step is None:
            continue
        kind, following = step
        if kind == "full":
            on_passage = 6
            continue
        last = kind
        if kind == "status":
            passage_id, on_passage = following, 0
            continue
        done += 1
        on_passage += 1
    return {
        "annotator_id": bench.annotator_id,
        "actions": done,
        "refused": refused,
        "labels": dict(account.labels),
        "finished": finished,
        "seconds": time.monotonic() - started,
    }


def _walk_away(bench: Workbench, passage_id: int) -> None:
    """Make this annotator's work on the passage look untouched for an hour (its claim lapses)."""
    with write_session(bench.engine) as session:
        session.execute(
            update(Assignment)
            .where(Assignment.annotator_id == bench.annotator_id, Assignment.passage_id == passage_id)
            .values(updated_at=utcnow() - timedelta(hours=1))
        )
    time.sleep(0.3)  # a break long enough for the others to finish passages and claim the free place


def _step(bench: Workbench, rng: random.Random, account: Account, passage_id: int, on_passage: int, last, finished):
    """One random step on the passage: ("status", next passage), ("full", None) when no new
    label is left, (kind of action, None) after a label action, or None for nothing done."""
    data = bench.load_passage(passage_id)
    mine = list(data.labels)
    roll = rng.random()
    if on_passage >= 6 or roll < 0.06:
        bench.set_status(passage_id, "skipped" if roll < 0.01 and not mine else "done")
        finished.append(passage_id)
        return "status", bench.neighbour(passage_id, 1)
    if roll < 0.5 or not mine:
        content = _new_label(rng, data, {key(passage_id, LabelContent.of(row)) for row in mine})
        if content is None:
            return "full", None
        bench.add(passage_id, content)
        account.did(passage_id, None, content)
        return "action", None
    if roll < 0.7:
        row = rng.choice(mine)
        old = LabelContent.of(row)
        choices = EVENT_TYPES if old.layer == "event_type" else ACTORS
        taken = {key(passage_id, LabelContent.of(r)) for r in mine}
        free = [label for label in choices if key(passage_id, old.with_changes(label=label)) not in taken]
        if not free:
            return None
        new = old.with_changes(label=rng.choice(free))
        bench.edit(row, new)
        account.did(passage_id, old, new)
        return "action", None
    if roll < 0.82:
        row = rng.choice(mine)
        bench.delete(row)
        account.did(passage_id, LabelContent.of(row), None)
        return "action", None
    if roll < 0.94 and last == "action" and bench.can_undo:
        bench.undo()
        account.replay(account.undo, account.redo)
        return "undo", None
    if last == "undo" and bench.can_redo:
        bench.redo()
        account.replay(account.redo, account.undo)
        return "redo", None
    return None


def _new_label(rng: random.Random, data, taken: set[Key]) -> LabelContent | None:
    """A label this annotator does not have on the passage yet: an event type or an actor span."""
    candidates = [LabelContent("event_type", label) for label in EVENT_TYPES]
    words = [(i, i + len(word)) for i, word in _words(data.text)]
    for _ in range(3):
        start, end = rng.choice(words)
        candidates.append(LabelContent("actors", rng.choice(ACTORS), data.start + start, data.start + end))
    spans = [
        (start, end) for (passage, layer, _, start, end, _) in taken if passage == data.passage_id and layer == "actors"
    ]
    free = [
        content
        for content in candidates
        if key(data.passage_id, content) not in taken
        and not any(
            content.span_start is not None and start < content.span_end and content.span_start < end
            for start, end in spans
        )
    ]
    return rng.choice(free) if free else None


def _words(text: str) -> list[tuple[int, str]]:
    """Word tokens (letters and digits) with their offsets: clean span edges, as the rules want."""
    return [(match.start(), match.group()) for match in re.finditer(r"\w+", text)]
