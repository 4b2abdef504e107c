"""The HTML report: sections, self-contained (no links out, no scripts), escaped, written atomically,
and rendered by a real browser (headless Chromium) into a non-blank picture."""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
import zlib
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from annotator.agreement.html_report import render_html, write_html_report
from annotator.agreement.pairs import Resampling
from annotator.agreement.passage_layers import LayerData, label_set_agreement, ordinal_agreement
from annotator.agreement.results import GOLD, AgreementReport
from annotator.agreement.span_layers import span_agreement
from annotator.codebook import load_default_codebook
from annotator.errors import AnnotatorError

CHROMIUM = "/usr/bin/chromium"
SNEAKY = '<b>eve</b> & "co"'
EXCERPT = "<script>alert('x')</script> the army <i>said</i>"


def frame_report(seed: int = 0) -> AgreementReport:
    """A report computed from hand-made label frames (no database): 40 passages, three
    annotators (one with markup in her name) and gold, labels spread over ten weeks."""
    rng = random.Random(seed)
    codebook = load_default_codebook()
    coders = ["ann", "ben", SNEAKY]
    rows = {"stance": [], "event_type": [], "actors": []}
    extents = []
    for passage in range(1, 41):
        extents.append((passage, passage * 1000, passage * 1000 + 300))
        truth_stance = rng.choice(["against", "favour", "neutral", "strongly_against", "no_stance"])
        truth_event = rng.choice(["battles", "protests", "riots"])
        truth_actor = rng.randrange(0, 250)
        for coder in coders + ([GOLD] if passage % 4 == 0 else []):
            day = (date(2025, 3, 3) + timedelta(days=rng.randrange(70))).isoformat()
            agree = rng.random() < 0.75
            common = {
                "id": len(rows["stance"]) + len(rows["event_type"]) + len(rows["actors"]) + 1,
                "passage_id": passage,
                "coder": coder,
                "day": day,
            }
            rows["stance"].append(
                {
                    **common,
                    "label": truth_stance if agree else rng.choice(["favour", "against"]),
                    "target": "government",
                }
            )
            rows["event_type"].append(
                {
                    **common,
                    "label": truth_event if agree else "battles",
                    "attribute:realis": "actual",
                    "attribute:subtype": None,
                }
            )
            start = passage * 1000 + truth_actor + (0 if agree else rng.randint(-4, 4))
            rows["actors"].append(
                {
                    **common,
                    "label": "civilians" if agree else "state_forces",
                    "span_start": start,
                    "span_end": start + 12,
                }
            )
    frames = {layer: pd.DataFrame(data) for layer, data in rows.items()}
    covered = pd.DataFrame(columns=["passage_id", "coder"])
    extents = pd.DataFrame(extents, columns=["passage_id", "start", "end"])
    resampling = Resampling(n_boot=100, seed=seed)
    everyone = [*coders, GOLD]
    layers = [
        span_agreement(LayerData(codebook.layer("actors"), frames["actors"], covered, everyone), extents, resampling),
        label_set_agreement(
            LayerData(codebook.layer("event_type"), frames["event_type"], covered, everyone), resampling
        ),
        ordinal_agreement(
            LayerData(codebook.layer("stance"), frames["stance"], covered, everyone), codebook, resampling
        ),
    ]
    for layer in layers:
        layer.disagreements = [replace(passage, excerpt=EXCERPT) for passage in layer.disagreements]
    return AgreementReport(1234, codebook.name, everyone, 100, seed, 0.95, layers)


@pytest.fixture(scope="module")
def report() -> AgreementReport:
    return frame_report()


def test_every_layer_has_its_sections_and_charts(report):
    page = render_html(report)
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    for layer in ("actors", "event_type", "stance"):
        assert f'<section class="layer" id="layer-{layer}">' in page
        assert f'href="#layer-{layer}"' in page
    for heading in (
        "Overall",
        "Pairwise f1_overlap",
        "Pairwise alpha_masi",
        "Pairwise alpha_ordinal",
        "alpha_ordinal per target",
        "alpha_binary per label",
        "alpha_unitizing per label",
        "against the others, per week",
        "Confusion matrices",
        "Passages with most disagreement",
        "All measures",
    ):
        assert heading in page, heading
    assert page.count("<svg") >= 3 * 3  # per layer: per-label chart, heatmap, over time
    assert page.count("<polyline") >= 3  # a line per annotator
    assert "reliable" in page or "tentative" in page or "unreliable" in page


def test_the_page_is_self_contained(report):
    page = render_html(report).lower()
    for forbidden in ("http://", "https://", "<script", "src=", "@import", "url(", "<link", "//cdn"):
        assert forbidden not in page, forbidden


def test_all_text_is_escaped(report):
    page = render_html(report)
    assert "<b>eve</b>" not in page and "&lt;b&gt;eve&lt;/b&gt; &amp; &quot;co&quot;" in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "<i>said</i>" not in page


def test_written_atomically(report, tmp_path):
    target = tmp_path / "agreement.html"
    target.write_text("old", encoding="utf-8")
    write_html_report(report, target)
    assert target.read_text(encoding="utf-8") == render_html(report)
    assert [path.name for path in tmp_path.iterdir()] == ["agreement.html"]  # no temporary file left
    with pytest.raises(AnnotatorError, match="no such directory"):
        write_html_report(report, tmp_path / "missing" / "r.html")


def png_colours(path: Path, max_rows: int = 700) -> int:
    """Distinct colours in the top `max_rows` rows of an 8-bit, non-interlaced RGB(A) PNG,
    decoded with zlib and the PNG row filters (no imaging library needed)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    position, compressed = 8, bytearray()
    while position < len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        kind, body = data[position + 4 : position + 8], data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, (depth, colour_type, interlace)
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = zlib.decompress(bytes(compressed))
    previous = np.zeros(stride, dtype=np.int64)
    colours: set[bytes] = set()
    for row in range(min(height, max_rows)):
        start = row * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1).astype(np.int64)
        if kind == 0:
            current = line
        elif kind == 1:  # Sub: add the byte one pixel to the left
            current = np.cumsum(line.reshape(width, channels), axis=0).ravel() % 256
        elif kind == 2:  # Up: add the byte above
            current = (line + previous) % 256
        else:  # Average and Paeth depend on the byte just decoded: one byte at a time
            current = _unfilter_sequential(kind, line.tolist(), previous.tolist(), channels)
        previous = np.asarray(current, dtype=np.int64)
        pixels = previous.astype(np.uint8).reshape(width, channels)[:, :3]
        colours.update(np.unique(pixels.view(np.dtype((np.void, 3))).ravel()).tolist())
    return len(colours)


def _unfilter_sequential(kind: int, line: list[int], above: list[int], channels: int) -> np.ndarray:
    out = [0] * len(line)
    for index, value in enumerate(line):
        left = out[index - channels] if index >= channels else 0
        up = above[index]
        if kind == 3:
            out[index] = (value + (left + up) // 2) % 256
            continue
        upper_left = above[index - channels] if index >= channels else 0
        estimate = left + up - upper_left
        distances = (abs(estimate - left), abs(estimate - up), abs(estimate - upper_left))
        predictor = (
            left
            if distances[0] <= distances[1] and distances[0] <= distances[2]
            else (up if distances[1] <= distances[2] else upper_left)
        )
        out[index] = (value + predictor) % 256
    return np.array(out)


def test_headless_chromium_renders_a_non_blank_page(report, tmp_path):
    if not Path(CHROMIUM).exists():
        reason = f"{CHROMIUM} not installed (apt-get install chromium)"
        if os.environ.get("ANNOTATOR_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    page = tmp_path / "agreement.html"
    write_html_report(report, page)
    picture = tmp_path / "agreement.png"
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={picture}",
        "--window-size=1200,1600",
        page.as_uri(),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert picture.exists(), result.stderr[-2000:]
    assert picture.stat().st_size > 10_000
    assert png_colours(picture) > 50  # text, coloured cells and dots: far from a blank page
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)


def test_the_file_gets_ordinary_permissions(report, tmp_path):
    target = tmp_path / "agreement.html"
    umask = os.umask(0o022)
    try:
        write_html_report(report, target)
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644
