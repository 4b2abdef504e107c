"""Read what corpus agreement needs from the database into pandas, with a few Core selects.

The labels of each layer come in one query (the current labels as of a watermark,
`current_labels_query` as a Core select, only the columns the layer's kind needs): one row
per label with the coder's name, where labels a lead adjudicated (origin "adjudication")
belong to the pseudo-coder `GOLD`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Connection, Select, String, cast, func, or_, select

from annotator.agreement.results import GOLD
from annotator.codebook import Layer
from annotator.core.enums import FINISHED_STATUSES, Origin
from annotator.core.kinds import rules_of
from annotator.db.models import Adjudication, Annotation, Annotator, Article, Assignment, Passage
from annotator.errors import AnnotatorError
from annotator.labels import current_labels_query

ADJUDICATION = Origin.ADJUDICATION


@dataclass(frozen=True)
class Selection:
    """Whose labels to compare, as of which label revision."""

    as_of: int
    """The highest label revision id taken into account."""
    as_of_time: datetime | None
    """When revision `as_of` was written, when the watermark was given (done assignments
    updated later are left out); None for the current state."""
    coders: dict[int, str]
    """Annotator id -> name, for the annotators whose labels count."""


def select_labels(
    connection: Connection,
    *,
    as_of: int | None,
    names: Sequence[str] | None,
    display_names: Mapping[int, str] | None = None,
) -> Selection:
    """Resolve the watermark (default: the newest revision) and the annotators (default: all).

    Annotators are called by their names, or by `display_names` (annotator id -> name, e.g.
    the export's pseudonyms) when given. Unknown annotator names and a negative watermark
    are one-line `AnnotatorError`s.
    """
    latest = connection.execute(select(func.coalesce(func.max(Annotation.id), 0))).scalar_one()
    as_of_time = None
    if as_of is not None:
        if as_of < 0:
            raise AnnotatorError(f"the label revision watermark must be >= 0; got {as_of}")
        last = select(func.max(Annotation.id)).where(Annotation.id <= as_of).scalar_subquery()
        as_of_time = connection.scalar(select(Annotation.created_at).where(Annotation.id == last))
    people = dict(connection.execute(select(Annotator.name, Annotator.id).order_by(Annotator.name)).all())
    if names is not None:
        unknown = [name for name in names if name not in people]
        if unknown:
            raise AnnotatorError(f"unknown annotator {unknown[0]!r} (see `annotator annotators list`)")
        people = {name: people[name] for name in names}
    coders = {annotator_id: (display_names or {}).get(annotator_id, name) for name, annotator_id in people.items()}
    return Selection(latest if as_of is None else min(as_of, latest), as_of_time, coders)


def label_frames(connection: Connection, layers: Iterable[Layer], selection: Selection) -> dict[str, pd.DataFrame]:
    """The current labels of each layer (one query per layer): one row per label, oldest first.

    Columns: id, passage_id, coder (a name or `GOLD`), label, day ("YYYY-MM-DD" of the
    revision); span layers add span_start and span_end, target_ordinal layers target, and
    passage-level layers one column ``attribute:<id>`` per attribute (choice values as text,
    flags as booleans).
    """
    return {layer.id: _layer_frame(connection, layer, selection) for layer in layers}


def _layer_frame(connection: Connection, layer: Layer, selection: Selection) -> pd.DataFrame:
    columns = [
        Annotation.id,
        Annotation.passage_id,
        Annotation.annotator_id,
        (Annotation.origin == ADJUDICATION).label("gold"),
        Annotation.label,
        func.substr(cast(Annotation.created_at, String), 1, 10).label("day"),
    ]
    if rules_of(layer).spans:
        columns += [Annotation.span_start, Annotation.span_end]
    elif rules_of(layer).needs_target:
        columns.append(Annotation.target)
    else:
        columns += [
            (
                Annotation.attributes[attribute.id].as_boolean()
                if attribute.kind == "flag"
                else Annotation.attributes[attribute.id].as_string()
            ).label(f"attribute:{attribute.id}")
            for attribute in layer.attributes
        ]
    query = (
        current_labels_query(as_of=selection.as_of, layer=layer.id)
        .order_by(None)
        .with_only_columns(*columns)
        .where(or_(Annotation.annotator_id.in_(list(selection.coders)), Annotation.origin == ADJUDICATION))
    )
    frame = _read(connection, query).sort_values("id", kind="stable", ignore_index=True)
    for attribute in layer.attributes:
        if attribute.kind == "flag" and f"attribute:{attribute.id}" in frame:  # SQLite answers 1/0
            frame[f"attribute:{attribute.id}"] = frame[f"attribute:{attribute.id}"].astype("boolean")
    gold = frame.pop("gold").astype(bool).to_numpy()
    names = frame.pop("annotator_id").map(selection.coders)
    frame.insert(2, "coder", names.where(~gold, GOLD).astype(object))
    return frame


def done_frame(connection: Connection, selection: Selection) -> pd.DataFrame:
    """(passage_id, coder, layer) of the passages each annotator finished (done or flagged, as
    in review and export), for every layer
    (`layer` None), and of the layers a lead decided, for gold.

    With a watermark time, only assignments last updated by then (and decisions made by then)
    count (status is work state, updated in place, so this is as close as the database gets to
    "done back then"). A decision that a layer has no labels covers that layer for gold: its
    empty answer is compared like anybody's.
    """
    query = select(Assignment.passage_id, Assignment.annotator_id).where(
        Assignment.status.in_(FINISHED_STATUSES), Assignment.annotator_id.in_(list(selection.coders))
    )
    if selection.as_of_time is not None:
        query = query.where(Assignment.updated_at <= selection.as_of_time)
    done = _read(connection, query)
    done["coder"] = done.pop("annotator_id").map(selection.coders).astype(object)
    done["layer"] = None
    decisions = select(Adjudication.passage_id, Adjudication.layer).distinct()
    if selection.as_of_time is not None:
        decisions = decisions.where(Adjudication.decided_at <= selection.as_of_time)
    gold = _read(connection, decisions)
    gold["coder"] = GOLD
    return pd.concat(
        [done.astype({"layer": object}), gold.astype({"coder": object, "layer": object})], ignore_index=True
    )[["passage_id", "coder", "layer"]]


def covered_in(covered: pd.DataFrame, layer_id: str) -> pd.DataFrame:
    """The rows of `done_frame` that cover one layer: (passage_id, coder)."""
    mask = covered["layer"].isna() | (covered["layer"] == layer_id)
    return covered.loc[mask, ["passage_id", "coder"]].drop_duplicates(ignore_index=True)


def passage_articles(connection: Connection) -> pd.Series:
    """The article id of every passage, indexed by passage id."""
    frame = _read(connection, select(Passage.id.label("passage_id"), Passage.article_id))
    return frame.set_index("passage_id")["article_id"]


def article_titles(connection: Connection, article_ids: Iterable[int]) -> dict[int, str]:
    """The title of each article ("" when it has none)."""
    ids = sorted(set(article_ids))
    titles: dict[int, str] = {}
    for chunk in range(0, len(ids), 5000):  # bounded IN lists
        rows = connection.execute(select(Article.id, Article.title).where(Article.id.in_(ids[chunk : chunk + 5000])))
        titles |= {article_id: title or "" for article_id, title in rows}
    return titles


def passage_extents(connection: Connection) -> pd.DataFrame:
    """Every passage's offsets into its article: passage_id, start, end."""
    return _read(connection, select(Passage.id.label("passage_id"), Passage.start, Passage.end))


@dataclass(frozen=True)
class PassageContext:
    """Where a passage is and what it says."""

    title: str
    """Its article's title ("" when the article has none)."""
    number: int
    """Its § number in the article, as the annotate and review screens show it."""
    text: str


def passage_contexts(connection: Connection, passage_ids: Iterable[int]) -> dict[int, PassageContext]:
    """The article title, § number and text of each passage."""
    ids = sorted(set(passage_ids))
    contexts: dict[int, PassageContext] = {}
    for chunk in range(0, len(ids), 5000):  # bounded IN lists
        rows = connection.execute(
            select(
                Passage.id,
                Article.title,
                Passage.index,
                func.substr(Article.text, Passage.start + 1, Passage.end - Passage.start),
            )
            .join(Article, Article.id == Passage.article_id)
            .where(Passage.id.in_(ids[chunk : chunk + 5000]))
        ).all()
        contexts |= {row[0]: PassageContext(row[1] or "", row[2], row[3]) for row in rows}
    return contexts


def _read(connection: Connection, query: Select) -> pd.DataFrame:
    """The rows of `query` as a DataFrame.

    The rows come straight from the DBAPI cursor as plain tuples (no SQLAlchemy result
    processing: the queries here select numbers, text and SQL booleans only), which is
    several times faster than building `Row` objects for a million labels.
    """
    result = connection.execute(query)
    try:
        return pd.DataFrame.from_records(result.cursor.fetchall(), columns=list(result.keys()))
    finally:
        result.close()


def require_layers(layers: Sequence[Layer], wanted: Sequence[str] | None) -> list[Layer]:
    """The layers named in `wanted` (default: all), or a one-line error for an unknown one."""
    if wanted is None:
        return list(layers)
    known = {layer.id: layer for layer in layers}
    for layer_id in wanted:
        if layer_id not in known:
            raise AnnotatorError(f"unknown layer {layer_id!r}; the codebook has {', '.join(known)}")
    return [known[layer_id] for layer_id in dict.fromkeys(wanted)]
