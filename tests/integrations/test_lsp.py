"""`kerascheck lsp` driven over stdio by a real LSP client (pygls's), as an editor drives it."""

import asyncio
import sys
import textwrap

from lsprotocol import types
from pygls.lsp.client import BaseLanguageClient

from tests.conftest import REPO

BAD = textwrap.dedent("""\
    # kerascheck: keras-version=2.3.1
    from keras.models import Sequential
    from keras.layers import Dense
    model = Sequential([Dense(10, activation='softmax')])
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
""")
FIXED = BAD.replace("binary_crossentropy", "categorical_crossentropy")


class Editor:
    """A pygls client with a queue of the diagnostics the server publishes, and the messages it shows."""

    def __init__(self):
        self.client = BaseLanguageClient("test-editor", "1")
        self.published = asyncio.Queue()
        self.shown = []  # window/showMessage

        def on_diagnostics(params):
            self.published.put_nowait(params)

        def on_show_message(params):
            self.shown.append(params)

        self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(on_diagnostics)
        self.client.feature(types.WINDOW_SHOW_MESSAGE)(on_show_message)

    async def start(self, root, **initialization_options):
        await self.client.start_io(sys.executable, "-m", "kerascheck", "lsp", cwd=str(REPO))
        await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root.as_uri(),
            initialization_options=initialization_options or None,
        )), 60)
        self.client.initialized(types.InitializedParams())

    async def diagnostics(self, uri, timeout=60):
        while True:
            params = await asyncio.wait_for(self.published.get(), timeout)
            if params.uri == uri:
                return params.diagnostics

    async def stop(self):
        await asyncio.wait_for(self.client.shutdown_async(None), 30)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), 30)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 240))


def test_diagnostics_on_open_and_change_and_a_noqa_quick_fix(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    uri = path.as_uri()

    async def scenario():
        editor = Editor()
        await editor.start(tmp_path, debounceMs=50)
        try:
            editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=BAD)))
            opened = await editor.diagnostics(uri)

            # A quick fix for the KC101 diagnostic: '# noqa: KC101' at the end of its line.
            kc101 = next(d for d in opened if d.code == "KC101")
            actions = await asyncio.wait_for(editor.client.text_document_code_action_async(types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri), range=kc101.range,
                context=types.CodeActionContext(diagnostics=[kc101]))), 30)

            # Typing: two quick changes; debounced, the server answers for the final text.
            editor.client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=BAD + "\n")]))
            editor.client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=FIXED)]))
            changed = await editor.diagnostics(uri)
            return opened, actions, changed
        finally:
            await editor.stop()

    opened, actions, changed = run(scenario())

    by_code = {d.code: d for d in opened}
    assert set(by_code) == {"KC201", "KC101"}
    # LSP positions are 0-based: the CLI's 5:20 and 5:70.
    assert (by_code["KC201"].range.start.line, by_code["KC201"].range.start.character) == (4, 19)
    assert (by_code["KC201"].range.end.line, by_code["KC201"].range.end.character) == (4, 40)
    assert (by_code["KC101"].range.start.line, by_code["KC101"].range.start.character) == (4, 69)
    for diagnostic in opened:
        assert diagnostic.source == "kerascheck"
        assert diagnostic.data["name"] in diagnostic.message
    assert by_code["KC101"].data["name"] == "accuracy-with-binary-crossentropy-on-multiclass"

    # Two quick fixes for the KC101 diagnostic: its own fix (unsafe, below) and one `# noqa: KC101`.
    noqa = [action for action in actions if action.title.startswith("Suppress")]
    assert len(noqa) == 1 and noqa[0].kind == types.CodeActionKind.QuickFix
    (edit,) = noqa[0].edit.changes[path.as_uri()]
    assert edit.range.start.line == 4 and edit.new_text.endswith("metrics=['accuracy'])  # noqa: KC101")

    # Only the fixed text's diagnostics were published after the changes: KC201 is gone, KC101 too.
    assert [d.code for d in changed] == []


def test_noqa_and_file_directive_and_config_apply_as_in_the_cli(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.kerascheck]\nignore = ["KC2"]\n')
    path = tmp_path / "train.py"
    text = BAD.replace("metrics=['accuracy'])", "metrics=['accuracy'])  # NOQA:KC101")
    path.write_text(text)
    uri = path.as_uri()
    other = tmp_path / "other.py"
    other_text = "# kerascheck: noqa\n" + BAD
    other.write_text(other_text)

    async def scenario():
        editor = Editor()
        await editor.start(tmp_path)
        try:
            editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
            first = await editor.diagnostics(uri)
            editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=other.as_uri(), language_id="python", version=1, text=other_text)))
            second = await editor.diagnostics(other.as_uri())
            plain = tmp_path / "plain.py"
            plain.write_text(BAD)
            editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=plain.as_uri(), language_id="python", version=1, text=BAD)))
            third = await editor.diagnostics(plain.as_uri())
            editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri="untitled:Untitled-1", language_id="python", version=1, text=BAD)))
            unsaved = await editor.diagnostics("untitled:Untitled-1")
            return first, second, third, unsaved
        finally:
            await editor.stop()

    first, second, third, unsaved = run(scenario())
    assert sorted(d.code for d in unsaved) == ["KC101", "KC201"]  # an unsaved buffer is checked too
    assert list(first) == [] and list(second) == []
    assert [d.code for d in third] == ["KC101"]  # KC2 ignored by the pyproject.toml


KERAS1 = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import Dense, Conv1D
    model = Sequential([Conv1D(nb_filter=32, filter_length=4), Dense(10, activation='softmax')])
    model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['binary_accuracy'])
    model.fit(x, y, nb_epoch=10)
""")


def _apply(text, edits):
    """LSP TextEdits applied to a text (ASCII here: characters are code units)."""
    lines = text.splitlines(keepends=True)

    def offset(position):
        return sum(len(line) for line in lines[:position.line]) + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def _actions(editor, uri, diagnostics, only=None):
    return editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri), range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=diagnostics, only=only)))


def test_fixes_in_the_editor_quick_fixes_fix_all_and_one_noqa_per_code_and_line(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(KERAS1)
    uri = path.as_uri()

    async def scenario():
        editor = Editor()
        await editor.start(tmp_path)
        try:
            editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=KERAS1)))
            diagnostics = await editor.diagnostics(uri)
            by_code = {}
            for diagnostic in diagnostics:
                by_code.setdefault(diagnostic.code, []).append(diagnostic)
            kc104 = await asyncio.wait_for(_actions(editor, uri, by_code["KC104"]), 30)
            kc301 = await asyncio.wait_for(_actions(editor, uri, by_code["KC301"]), 30)
            kc302 = await asyncio.wait_for(_actions(editor, uri, by_code["KC302"]), 30)
            fix_all = await asyncio.wait_for(_actions(editor, uri, diagnostics, only=["source.fixAll.kerascheck"]), 30)
            return diagnostics, kc104, kc301, kc302, fix_all
        finally:
            await editor.stop()

    diagnostics, kc104, kc301, kc302, fix_all = run(scenario())
    assert sorted(d.code for d in diagnostics) == ["KC104", "KC301", "KC301", "KC302"]

    # The metric's fix: unsafe, so marked as such and not preferred; its edit is what --fix --unsafe-fixes writes.
    (metric_fix,) = [a for a in kc104 if a.kind == types.CodeActionKind.QuickFix and "noqa" not in a.title]
    assert metric_fix.title == "Replace 'binary_accuracy' with 'categorical_accuracy' (unsafe fix)"
    assert not metric_fix.is_preferred
    fixed = _apply(KERAS1, metric_fix.edit.changes[uri])
    assert fixed == KERAS1.replace("metrics=['binary_accuracy']", "metrics=['categorical_accuracy']")

    # Two KC301 findings on one line: one fix each, and a single `# noqa: KC301` action for the line.
    titles = sorted(a.title for a in kc301 if a.kind == types.CodeActionKind.QuickFix)
    assert titles == ["Rename filter_length= to kernel_size=", "Rename nb_filter= to filters=",
                      "Suppress KC301 with `# noqa: KC301`"], titles
    assert all(a.is_preferred for a in kc301 if a.title.startswith("Rename"))
    (noqa,) = [a for a in kc301 if a.title.startswith("Suppress")]
    assert len(noqa.diagnostics) == 2
    assert _apply(KERAS1, noqa.edit.changes[uri]).splitlines()[2].endswith(")])  # noqa: KC301")
    (fit_fix,) = [a for a in kc302 if a.title == "Rename nb_epoch= to epochs="]
    assert _apply(KERAS1, fit_fix.edit.changes[uri]).endswith("model.fit(x, y, epochs=10)\n")

    # Fix all: every safe fix, none of the unsafe ones; offered with the quick fixes too.
    assert [a.title for a in kc301 if a.kind == "source.fixAll.kerascheck"] == ["Fix all safe kerascheck findings (3)"]
    (everything,) = fix_all
    assert everything.kind == "source.fixAll.kerascheck"
    assert _apply(KERAS1, everything.edit.changes[uri]) == (
        KERAS1.replace("nb_filter=32, filter_length=4", "filters=32, kernel_size=4").replace("nb_epoch", "epochs"))


def test_a_bad_setting_is_one_warning_and_the_defaults(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(BAD)
    uri = path.as_uri()

    async def scenario():
        editor = Editor()
        await editor.start(tmp_path, kerasVersion="banana", debounceMs=0)
        try:
            editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=BAD)))
            first = await editor.diagnostics(uri)
            for version in (2, 3):  # typing: each change is checked again, and no new warning comes
                editor.client.text_document_did_change(types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[types.TextDocumentContentChangeWholeDocument(text=BAD + "\n" * version)]))
                await editor.diagnostics(uri)
            return first, list(editor.shown)
        finally:
            await editor.stop()

    first, shown = run(scenario())
    # The defaults: the file's own `keras-version=2.3.1` directive decides, as with no option at all.
    assert sorted(d.code for d in first) == ["KC101", "KC201"]
    assert len(shown) == 1, [m.message for m in shown]
    assert shown[0].type == types.MessageType.Warning and "banana" in shown[0].message
