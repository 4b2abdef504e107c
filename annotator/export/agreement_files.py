"""The agreement report beside an export: `agreement.json`, `agreement.csv` and `agreement.html`.

It is the report of `annotator agreement` (`annotator.agreement.corpus.corpus_agreement`) on the
labels current at the snapshot's watermark, read with the snapshot's codebook, with annotators
called by the pseudonyms of the `raw` config. The bootstrap is seeded, so the same database
state gives the same files.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine

from annotator.agreement.corpus import corpus_agreement
from annotator.agreement.html_report import write_html_report
from annotator.agreement.results import CSV_COLUMNS, AgreementReport
from annotator.export.source import Snapshot


def export_agreement(engine: Engine, snapshot: Snapshot, names: Mapping[int, str], directory: Path) -> AgreementReport:
    """Measure agreement at `snapshot`, annotators named by `names`, and write the report files."""
    report = corpus_agreement(engine, as_of=snapshot.watermark, codebook=snapshot.codebook, display_names=names)
    text = json.dumps(report.to_json_dict(), indent=2, ensure_ascii=False)
    (directory / "agreement.json").write_text(text + "\n", encoding="utf-8")
    with (directory / "agreement.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(report.to_csv_rows())
    write_html_report(report, directory / "agreement.html")
    return report
