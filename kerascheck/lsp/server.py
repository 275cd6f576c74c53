"""`kerascheck lsp`: a language server on stdio (pygls), for any editor that speaks LSP.

- Diagnostics when a Python document is opened or saved, and after each change
  once typing pauses (debounced, 300 ms by default; initializationOptions
  `{"debounceMs": 300, "kerasVersion": "2.3.1"}` change it).
- Each diagnostic has the rule's code (`KC101`), `source` "kerascheck", the
  message followed by the rule's name, and `data.name`.
- Code actions (quick fixes) for a diagnostic: its fix, titled with the fix's
  message (an unsafe fix says so and is not the preferred action), exactly as
  `--fix` makes it; and one action per code and line that adds `# noqa: CODE` on
  the line flake8 (and kerascheck) read the `# noqa` from, or adds the code to the
  `# noqa: ...` there.
- `source.fixAll.kerascheck`: every safe fix of the document at once, as
  `kerascheck --fix` applies them (editors run it on save when asked to).
- A bad setting (an initialization option, the document's [tool.kerascheck]) is
  one `window/showMessage` warning, and the defaults apply.

The same pipeline as the CLI (kerascheck.runner.check_source, kerascheck.fix),
the same configuration (kerascheck.config: the document's nearest
[tool.kerascheck], read again on each check so edits to it apply at once) and
the same `# noqa`. Positions: kerascheck counts 1-based lines and code-point
columns; LSP wants 0-based lines and the client's code units. `_server_position`
converts the first, pygls's position codec the second, and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from kerascheck import __version__, fix
from kerascheck.config import ConfigError, FileOptions, Options, find_project_root
from kerascheck.fix.edits import LineIndex, trimmed
from kerascheck.report import message
from kerascheck.runner import check_source, checker
from kerascheck.suppression import Suppressions, add_noqa
from kerascheck.versions import VersionSpecError, parse_spec

SOURCE = "kerascheck"
DEFAULT_DEBOUNCE_SECONDS = 0.3
# Every safe fix of the document at once (a sub-kind of source.fixAll, as ruff's `source.fixAll.ruff`).
FIX_ALL = f"{types.CodeActionKind.SourceFixAll.value}.{SOURCE}"
logger = logging.getLogger(__name__)


class KerascheckServer(LanguageServer):
    def __init__(self):
        super().__init__("kerascheck", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = DEFAULT_DEBOUNCE_SECONDS
        self.keras_version: Optional[str] = None
        self.pending: dict = {}  # uri -> asyncio task of a debounced check
        self.warned: set = set()  # the setting problems already shown (once each)
        self.waiting_warnings: list = []  # found before `initialized`: shown then

    def warn(self, text: str) -> None:
        """A bad setting: one window/showMessage warning (not one per keystroke)."""
        if text in self.warned:
            return
        self.warned.add(text)
        self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, f"kerascheck: {text}"))

    def document_options(self, path: Optional[str]) -> Options:
        """The document's settings (an unsaved buffer: the working folder's); the defaults when they are bad."""
        where = Path(path) if path is not None else Path.cwd() / "untitled.py"
        try:
            return FileOptions(keras_version=self.keras_version).options_for(where)
        except ConfigError as error:
            self.warn(f"{error}; using the default settings")
            return Options(project_root=find_project_root(where.parent))


server = KerascheckServer()


def _server_position(line: int, column: int) -> ServerTextPosition:
    """kerascheck's 1-based line and column -> LSP's 0-based ones (code points; pygls converts to client units)."""
    return ServerTextPosition(max(line - 1, 0), max(column - 1, 0))


def _server_range(finding, lines: list) -> ServerTextRange:
    """1-based line/column (kerascheck) -> 0-based line/character in code points (pygls converts to client units)."""
    line = max(finding.line - 1, 0)
    start = max(finding.column - 1, 0)
    end_line = max((finding.end_line or finding.line) - 1, line)
    end = max((finding.end_column or finding.column) - 1, 0)
    if end_line == line and end <= start:  # an empty span: underline to the end of the token at least
        text = lines[line].rstrip("\r\n") if line < len(lines) else ""
        end = len(text) if len(text) > start else start
    return ServerTextRange(ServerTextPosition(line, start), ServerTextPosition(end_line, end))


def _document_path(uri: str) -> Optional[str]:
    return to_fs_path(uri) if uri.startswith("file:") else None


def _findings(ls: KerascheckServer, uri: str):
    """(document, findings) of a document as it is now; None for what kerascheck does not check here."""
    document = ls.workspace.get_text_document(uri)
    path = _document_path(uri)
    if path is not None and path.endswith(".ipynb"):
        return None  # notebooks: `kerascheck check` and pre-commit check them; editors send cells, not files
    options = ls.document_options(path)
    result = check_source(path or uri, document.source, options)
    if result.internal_error:
        ls.window_log_message(types.LogMessageParams(types.MessageType.Error, result.internal_error))
    return document, result.findings, options


def check_document(ls: KerascheckServer, uri: str) -> None:
    checked = _findings(ls, uri)
    if checked is None:
        return
    document, findings, _ = checked
    lines = document.lines
    diagnostics = []
    for finding in findings:
        client_range = document.range_to_client_units(_server_range(finding, lines))
        diagnostics.append(types.Diagnostic(
            range=client_range,
            message=f"{message(finding)} [{finding.name}]",
            severity=types.DiagnosticSeverity.Error if finding.code in ("KC001", "KC002")
            else types.DiagnosticSeverity.Warning,
            code=finding.code,
            source=SOURCE,
            data={"name": finding.name, "line": finding.line},
        ))
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
        uri=uri, diagnostics=diagnostics, version=document.version))


@server.feature(types.INITIALIZE)
def initialize(ls: KerascheckServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    if isinstance(options, dict):
        if isinstance(options.get("debounceMs"), (int, float)):
            ls.debounce = max(float(options["debounceMs"]), 0.0) / 1000
        version = options.get("kerasVersion")
        if version is not None:
            try:
                parse_spec(str(version), origin="kerasVersion")
                ls.keras_version = str(version)
            except VersionSpecError as error:  # shown once the client is ready for it
                ls.waiting_warnings.append(f"initialization option {error}; using the default")


@server.feature(types.INITIALIZED)
def initialized(ls: KerascheckServer, params: types.InitializedParams) -> None:
    for warning in ls.waiting_warnings:
        ls.warn(warning)
    ls.waiting_warnings.clear()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: KerascheckServer, params: types.DidOpenTextDocumentParams) -> None:
    check_document(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: KerascheckServer, params: types.DidSaveTextDocumentParams) -> None:
    check_document(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: KerascheckServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    previous = ls.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()

    async def later():
        await asyncio.sleep(ls.debounce)
        ls.pending.pop(uri, None)
        check_document(ls, uri)

    ls.pending[uri] = asyncio.get_running_loop().create_task(later())


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: KerascheckServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    pending = ls.pending.pop(uri, None)
    if pending is not None:
        pending.cancel()
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL]))
def code_action(ls: KerascheckServer, params: types.CodeActionParams) -> list:
    uri = params.text_document.uri
    only = [getattr(kind, "value", kind) for kind in params.context.only or ()]
    ours = [d for d in params.context.diagnostics if d.source == SOURCE and isinstance(d.code, str)]
    wants_quick_fixes = not only or types.CodeActionKind.QuickFix.value in only
    asked_fix_all = any(FIX_ALL.startswith(kind) for kind in only)  # source, source.fixAll, ...
    # Editors ask for code actions as the cursor moves: the document is checked again only when a kerascheck
    # diagnostic is under the cursor, or when fix-all is asked for (on save).
    if not asked_fix_all and not (wants_quick_fixes and ours):
        return []
    checked = _findings(ls, uri)
    if checked is None:
        return []
    document, findings, options = checked
    actions = []
    if wants_quick_fixes and ours:
        actions += _fix_actions(document, findings, ours) + _noqa_actions(document, ours)
    if asked_fix_all or (not only and actions):
        fix_all = _fix_all_action(document, findings, options)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def _finding_of(diagnostic: types.Diagnostic, findings: list, document):
    """The finding a diagnostic was made from (same code, same start), in the document as it is now."""
    start = document.position_from_client_units(diagnostic.range.start)
    for finding in findings:
        if finding.code == diagnostic.code and (finding.line - 1, finding.column - 1) == (start.line, start.character):
            return finding
    return None


def _text_edits(document, edits: list) -> list:
    """Text edits (offsets into the document's text) -> LSP TextEdits in the client's units."""
    index = LineIndex(document.source)
    found = []
    for edit in edits:
        start, end = index.position(edit.start), index.position(edit.end)
        server_range = ServerTextRange(_server_position(*start), _server_position(*end))
        found.append(types.TextEdit(range=document.range_to_client_units(server_range), new_text=edit.content))
    return found


def _fix_actions(document, findings: list, diagnostics: list) -> list:
    """Each diagnostic's fix, as `--fix` makes it (unsafe ones marked as such)."""
    wanted = {}
    for diagnostic in diagnostics:
        finding = _finding_of(diagnostic, findings, document)
        if finding is not None and finding.fix is not None:
            wanted[id(finding)] = (finding, diagnostic)
    actions = []
    for finding, made in fix.compute_fixes(document.source, [finding for finding, _ in wanted.values()]):
        unsafe = made.safety != "safe"
        actions.append(types.CodeAction(
            title=f"{made.message} (unsafe fix)" if unsafe else made.message,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[wanted[id(finding)][1]],
            is_preferred=not unsafe,
            edit=types.WorkspaceEdit(changes={document.uri: _text_edits(document, made.edits)}),
        ))
    return actions


def _noqa_actions(document, diagnostics: list) -> list:
    """One `# noqa: CODE` action per code and line, however many diagnostics of that code the line holds."""
    lines = document.lines
    suppressions = Suppressions(document.source)
    actions, seen = [], {}
    for diagnostic in diagnostics:
        line = diagnostic.range.start.line + 1
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        if isinstance(data.get("line"), int):
            line = data["line"]
        noqa_line = suppressions.line_range(line)[1]  # a multi-line string: after its closing quotes
        if noqa_line > len(lines):
            continue
        key = (diagnostic.code, noqa_line)
        if key in seen:
            seen[key].diagnostics.append(diagnostic)
            continue
        text = lines[noqa_line - 1].rstrip("\r\n")
        new_text = add_noqa(text, diagnostic.code)
        if new_text == text:
            continue
        edit_range = document.range_to_client_units(ServerTextRange(
            ServerTextPosition(noqa_line - 1, 0), ServerTextPosition(noqa_line - 1, len(text))))
        seen[key] = types.CodeAction(
            title=f"Suppress {diagnostic.code} with `# noqa: {diagnostic.code}`",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={document.uri: [types.TextEdit(range=edit_range, new_text=new_text)]}),
        )
        actions.append(seen[key])
    return actions


def _fix_all_action(document, findings: list, options: Options):
    """Every safe fix of the document, as `kerascheck --fix` applies them: one minimal edit."""
    if not any(finding.fix is not None and finding.fix.applicable(False) for finding in findings):
        return None
    text = document.source
    outcome = fix.fix_source(text, checker(_document_path(document.uri) or document.uri, options), unsafe=False,
                             findings=findings)
    if outcome.text == text:
        return None
    edit = trimmed(text, 0, len(text), outcome.text)
    return types.CodeAction(
        title=f"Fix all safe kerascheck findings ({outcome.fixed})",
        kind=FIX_ALL,
        edit=types.WorkspaceEdit(changes={document.uri: _text_edits(document, [edit])}),
    )


def serve() -> None:
    logging.basicConfig(level=logging.WARNING)  # pygls logs to stderr; stdout is the protocol
    server.start_io()
