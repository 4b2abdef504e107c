"""`annotator agreement`: tables, JSON and CSV on stdout, the HTML file, releases, one-line errors."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

from annotator.agreement.results import CSV_COLUMNS
from annotator.cli.main import main
from annotator.labels import LabelContent
from annotator.releases import create_release
from tests.agreement.test_corpus import build_krippendorff_stance


def run(*argv: str) -> subprocess.CompletedProcess:
    """Run the real command in a fresh process."""
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "annotator", *argv], capture_output=True, text=True, env=env)


def test_table_output_shows_coefficients_intervals_and_readings(db_url, project, capsys):
    build_krippendorff_stance(project)
    assert main(["agreement", "--db", db_url, "--boot", "100"]) == 0
    out = capsys.readouterr().out
    assert "coders: c1, c2, c3, c4" in out
    for heading in (
        "== Actors (actors, span)",
        "== Event type (event_type, passage_multi)",
        "== Stance (stance, target_ordinal)",
        "== Rhetoric (rhetoric, span)",
    ):
        assert heading in out
    line = next(line for line in out.splitlines() if line.startswith("alpha_ordinal") and " overall " in line)
    assert "0.815" in line and "reliable" in line and " - " in line  # value, interval, reading
    assert " 11 " in line and " 40" in line  # n units, n pairable
    assert "most disagreement: passage" in out
    assert "(no labels)" in out  # the layers nobody labelled


def test_json_and_csv_for_scripts(db_url, project, capsys):
    build_krippendorff_stance(project)
    assert main(["agreement", "--db", db_url, "--format", "json", "--layer", "stance", "--boot", "50"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [layer["layer"] for layer in data["layers"]] == ["stance"]
    overall = next(
        m for m in data["layers"][0]["measures"] if (m["measure"], m["scope"]) == ("alpha_ordinal", "overall")
    )
    assert round(overall["coefficient"], 3) == 0.815 and overall["interpretation"] == "reliable"
    assert main(["agreement", "--db", db_url, "--format", "csv", "--annotators", "c1,c2", "--boot", "50"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert {row["layer"] for row in rows} == {"stance"}  # nobody labelled the other layers
    pairs = {row["item"] for row in rows if row["scope"] == "pair"}
    assert pairs == {"c1|c2"}


def test_seed_and_boot_make_the_intervals_reproducible(db_url, project, capsys):
    build_krippendorff_stance(project)
    outputs = []
    for seed in ("1", "1", "2"):
        assert main(["agreement", "--db", db_url, "--format", "json", "--seed", seed, "--boot", "80"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    assert outputs[0]["bootstrap"] == {"n_boot": 80, "seed": 1, "ci": 0.95}
    assert outputs[0] != outputs[2]


def test_release_reads_the_labels_as_of_its_watermark_and_html_is_written(db_url, project, capsys, tmp_path):
    corpus = build_krippendorff_stance(project)
    release = create_release(corpus.engine, "v1")
    corpus.label(
        [
            ("c1", 20, LabelContent("stance", "favour", target="peace_talks")),
            ("c2", 20, LabelContent("stance", "against", target="peace_talks")),
        ]
    )
    page = tmp_path / "agreement.html"
    assert (
        main(
            [
                "agreement",
                "--db",
                db_url,
                "--release",
                "v1",
                "--format",
                "json",
                "--html",
                str(page),
                "--boot",
                "50",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["as_of_revision"] == release.last_annotation_id
    targets = {m["item"] for layer in data["layers"] for m in layer["measures"] if m["scope"] == "target"}
    assert targets == {"government"}
    assert f"wrote {page}" in captured.err
    text = page.read_text(encoding="utf-8")
    assert 'id="layer-stance"' in text and "0.815" in text
    assert main(["agreement", "--db", db_url, "--format", "json", "--boot", "50"]) == 0
    data = json.loads(capsys.readouterr().out)
    targets = {m["item"] for layer in data["layers"] for m in layer["measures"] if m["scope"] == "target"}
    assert targets == {"government", "peace_talks"}


def test_bad_input_is_one_line_with_nonzero_exit(tmp_path):
    db = str(tmp_path / "a.db")
    assert run("init", "--db", db).returncode == 0
    assert run("annotators", "add", "ann", "--db", db).returncode == 0
    cases = {
        ("--layer", "nope"): "unknown layer 'nope'",
        ("--annotators", "ann,zed"): "unknown annotator 'zed'",
        ("--release", "v9"): "unknown release 'v9'",
        ("--boot", "0"): "at least 1",
        ("--html", str(tmp_path / "missing" / "r.html")): "no such directory",
    }
    for argv, expected in cases.items():
        result = run("agreement", "--db", db, *argv)
        assert result.returncode == 1, argv
        assert "Traceback" not in result.stderr, (argv, result.stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and expected in lines[0], (argv, result.stderr)
