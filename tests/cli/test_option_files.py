"""`--keymap` and `--gazetteer` are checked like the codebook: every problem as `file:line: what`,
exit 1, before the UI starts."""

from __future__ import annotations

import pytest

from annotator.cli.main import main
from annotator.codebook import load_default_codebook
from annotator.codebook.keymap import BINDING_IDS, normalise_key, read_keymap

CODEBOOK = load_default_codebook()


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'annotator.db'}"
    assert main(["init", "--db", url]) == 0
    assert main(["annotators", "add", "alice", "--db", url]) == 0
    return url


@pytest.fixture
def ui_started(monkeypatch):
    """Stop where `annotate` would start Textual; record what it was given."""
    import annotator.tui.app

    calls: list[dict] = []

    def run_app(project, annotator_id, **options):
        calls.append(options)
        return 0

    monkeypatch.setattr(annotator.tui.app, "run_app", run_app)
    return calls


def annotate(capsys, db, option: str, path) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["annotate", "--annotator", "alice", option, str(path), "--db", db])
    return code, capsys.readouterr().err.splitlines()


def keymap_errors(tmp_path, text: str, codebook=CODEBOOK) -> list[str]:
    path = tmp_path / "keys.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as raised:
        read_keymap(path, codebook)
    return [message.removeprefix(f"{path}:") for message in raised.value.messages]


def test_a_good_keymap_starts_the_ui_with_keys_as_textual_names_them(db, tmp_path, capsys, ui_started):
    path = tmp_path / "keys.yaml"
    path.write_text("passage.done: ctrl+d\nlabel.undo: ctrl+u\npassage.skip: '~'\nhelp.keys: F5, ctrl+shift+h\n")
    assert annotate(capsys, db, "--keymap", path) == (0, [])
    assert len(ui_started) == 1
    assert read_keymap(path, CODEBOOK) == {
        "passage.done": "ctrl+d",
        "label.undo": "ctrl+u",
        "passage.skip": "tilde",
        "help.keys": "f5,ctrl+shift+h",
    }
    # Swapping two bindings' keys is fine: each loses its old key.
    path.write_text("passage.done: tab\nlayer.next: enter\n")
    assert read_keymap(path, CODEBOOK) == {"passage.done": "tab", "layer.next": "enter"}


def test_a_label_key_of_any_layer_is_refused(db, tmp_path, capsys, ui_started):
    path = tmp_path / "keys.yaml"
    path.write_text("passage.done: s\n")
    code, err = annotate(capsys, db, "--keymap", path)
    assert code == 1 and not ui_started
    assert err == [
        f"annotator: error: {path}:1: passage.done: 's' is the key of label 'State forces' in layer 'Actors'"
    ]
    errors = keymap_errors(tmp_path, "passage.flag: q\nlabel.edit: '2'\npassage.back: a\n")
    assert errors[0].startswith("1: passage.flag: 'q' is the key of ")  # stance's `quoted` / rhetoric
    assert errors[1].startswith("2: label.edit: '2' is the key of ")  # actors' role value / stance
    assert errors[2].startswith("3: passage.back: 'a' is the key of ")  # realis `actual` / a rhetoric label
    assert len(errors) == 3
    # Without a codebook (or with a letter nobody uses) a letter is a fine key.
    path.write_text("passage.back: z\n")
    assert read_keymap(path, CODEBOOK) == {"passage.back": "z"}


def test_an_invalid_key_name_is_refused(db, tmp_path, capsys, ui_started):
    path = tmp_path / "keys.yaml"
    path.write_text("passage.done: ctlr+d\n")
    code, err = annotate(capsys, db, "--keymap", path)
    assert code == 1 and not ui_started and len(err) == 1
    assert err[0].startswith(f"annotator: error: {path}:1: passage.done: 'ctlr+d' is not a key name (")
    errors = keymap_errors(tmp_path, "passage.done: Return\nlabel.undo: f25\nlabel.redo: 'ctrl+'\nqueue.open: ''\n")
    assert [error.split(":")[0] for error in errors] == ["1", "2", "3", "4"]
    assert "'Return' is not a key name" in errors[0] and "'f25' is not a key name" in errors[1]
    assert (
        "'ctrl+' is not a key name" in errors[2]
        and errors[3] == "4: queue.open: keys must be text, e.g. `queue.open: ctrl+d`"
    )
    assert keymap_errors(tmp_path, "passage.done: 3\n") == [
        "1: passage.done: keys must be text, e.g. `passage.done: ctrl+d`"
    ]


def test_a_misspelt_or_repeated_binding_id_is_refused(db, tmp_path, capsys, ui_started):
    path = tmp_path / "keys.yaml"
    path.write_text("# my keys\npassage.dnoe: ctrl+d\n")
    code, err = annotate(capsys, db, "--keymap", path)
    assert code == 1 and not ui_started
    assert err == [f"annotator: error: {path}:2: unknown binding id 'passage.dnoe' (did you mean passage.done?)"]
    errors = keymap_errors(tmp_path, "passage.done: ctrl+d\npassage.done: ctrl+e\nxyzzy: ctrl+f\n")
    assert errors[0] == "2: passage.done: given twice (first on line 1)"
    assert errors[1].startswith("3: unknown binding id 'xyzzy' (known: layer.next, ")


def test_a_key_another_binding_has_is_refused(db, tmp_path, capsys, ui_started):
    path = tmp_path / "keys.yaml"
    path.write_text("passage.done: ctrl+q\n")
    code, err = annotate(capsys, db, "--keymap", path)
    assert code == 1 and not ui_started
    assert err == [f"annotator: error: {path}:1: passage.done: 'ctrl+q' is already the key of app.quit"]
    errors = keymap_errors(
        tmp_path, "passage.flag: ctrl+f\npassage.comment: ctrl+f\nlabel.edit: '?'\nlabel.undo: ctrl+i\n"
    )
    assert errors == [
        "2: passage.comment: 'ctrl+f' is already the key of passage.flag (line 1)",
        "3: label.edit: 'question_mark' is already the key of help.keys",
        "4: label.undo: 'tab' is already the key of layer.next",  # ctrl+i is tab to a terminal
    ]


def test_keys_the_passage_view_keeps_are_refused(tmp_path):
    errors = keymap_errors(tmp_path, "passage.done: left\npassage.flag: ctrl+c\nlabel.undo: ctrl+a\n")
    assert errors == [
        "1: passage.done: 'left' moves the cursor in the passage",
        "2: passage.flag: 'ctrl+c' is taken by the passage view and would never reach the binding",
    ]  # label.undo has priority over the passage view: ctrl+a is fine for it
    assert keymap_errors(tmp_path, "app.quit: z, ctrl+x\n") == [
        "1: app.quit: 'z' would quit while typing a note or comment"
    ]


def test_every_problem_is_listed_one_a_line(db, tmp_path, capsys, ui_started):
    path = tmp_path / "keys.yaml"
    path.write_text("passage.done: s\nnope: ctrl+d\nlabel.undo: ctrl+q\n")
    code, err = annotate(capsys, db, "--keymap", path)
    assert code == 1 and len(err) == 3 and err[0].startswith(f"annotator: error: {path}:1: ")
    assert err[1].startswith(f"{path}:2: unknown binding id") and err[2].startswith(f"{path}:3: label.undo:")


def test_key_names():
    assert [normalise_key(key) for key in ("!", "shift+a", "CTRL+D", "shift+ctrl+x", "ctrl+m", "Enter")] == [
        "exclamation_mark",
        "A",
        "ctrl+d",
        "ctrl+shift+x",
        "enter",
        "enter",
    ]
    assert [normalise_key(key) for key in ("meta+x", "ctrl+ö", "§", "", "f0", "ctrl+ctrl+x", "space bar")] == [None] * 7
    assert set(BINDING_IDS) >= {"passage.done", "app.quit"}


def gazetteer_run(capsys, db, path, text):
    path.write_text(text, encoding="utf-8")
    return annotate(capsys, db, "--gazetteer", path)


def test_gazetteer_rows_are_checked_one_line_each(db, tmp_path, capsys, ui_started):
    path = tmp_path / "names.csv"
    code, err = gazetteer_run(
        capsys,
        db,
        path,
        "text,layer,label\n"
        "Kesh Marra,actors,civilians\n"
        "   ,actors,civilians\n"
        "Ostrel Front,actorz,rebel_group\n"
        "Ostrel Front,actors,rebels\n"
        "Ostrel Front,stance,against\n"
        "x,actors,civilians\n"
        "--,actors,civilians\n",
    )
    assert code == 1 and not ui_started
    assert err == [
        f"annotator: error: {path}:3: need non-empty text, layer and label (text is empty)",
        f"{path}:4: unknown layer 'actorz'",
        f"{path}:5: unknown label 'rebels' in layer 'actors'",
        f"{path}:6: layer 'stance' is not a span layer",
        f"{path}:7: name 'x' is too short to suggest (2 characters at least)",
        f"{path}:8: name '--' must start with a letter or digit",
    ]
    jsonl = tmp_path / "names.jsonl"
    code, err = gazetteer_run(
        capsys, db, jsonl, '{"text": "Kesh Marra", "layer": "actors", "label": "civilians"}\n[1]\n'
    )
    assert code == 1 and err == [f"annotator: error: {jsonl}:2: need an object with text, layer and label"]
    code, err = gazetteer_run(capsys, db, jsonl, '{"text": "Kesh Marra", "layer": "actors", "label": "civilians"}\n')
    assert code == 0 and err == [] and len(ui_started) == 1


def test_keep_layer_reaches_the_ui_and_is_off_by_default(db, ui_started):
    assert main(["annotate", "--annotator", "alice", "--db", db]) == 0
    assert main(["annotate", "--annotator", "alice", "--keep-layer", "--db", db]) == 0
    assert [call["keep_layer"] for call in ui_started] == [False, True]
