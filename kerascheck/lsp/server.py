"""`kerascheck lsp`: a language server on stdio (pygls), for any editor that speaks LSP.

- Diagnostics when a Python document is opened or saved, and after each change
  once typing pauses (debounced, 300 ms by default; initializationOptions
  `{"debounceMs": 300, "kerasVersion": "2.3.1"}` change it).
- Each diagnostic has the rule's code (`KC101`), `source` "kerascheck", the
  message followed by the rule's name, and `data.name`.
- A quick fix per diagnostic adds `# noqa: CODE` on the line flake8 (and
  kerascheck) read the `# noqa` from, or adds the code to the `# noqa: ...` there.

The same pipeline as the CLI (kerascheck.runner.check_source), the same
configuration (the document's nearest [tool.kerascheck], read again on each
check so edits to it apply at once) and the same `# noqa`. Positions: kerascheck
counts 1-based lines and code-point columns; LSP wants 0-based lines and the
client's code units. `_server_range` converts the first, pygls's position codec
the second, and nowhere else.
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

from kerascheck import __version__
from kerascheck.config import ConfigError, FileOptions
from kerascheck.runner import check_source
from kerascheck.suppression import Suppressions, add_noqa

SOURCE = "kerascheck"
DEFAULT_DEBOUNCE_SECONDS = 0.3
logger = logging.getLogger(__name__)


class KerascheckServer(LanguageServer):
    def __init__(self):
        super().__init__("kerascheck", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.debounce = DEFAULT_DEBOUNCE_SECONDS
        self.keras_version: Optional[str] = None
        self.pending: dict = {}  # uri -> asyncio task of a debounced check


server = KerascheckServer()


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


def check_document(ls: KerascheckServer, uri: str) -> None:
    document = ls.workspace.get_text_document(uri)
    path = to_fs_path(uri) if uri.startswith("file:") else None
    if path is not None and path.endswith(".ipynb"):
        return  # notebooks: `kerascheck check` and pre-commit check them; editors send cells, not files
    source = document.source
    try:  # an unsaved buffer (untitled:) gets the configuration of the working folder
        options = FileOptions(keras_version=ls.keras_version).options_for(
            Path(path) if path is not None else Path.cwd() / "untitled.py")
    except ConfigError as error:
        ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"kerascheck: {error}"))
        return
    result = check_source(path or uri, source, options)
    if result.internal_error:
        ls.window_log_message(types.LogMessageParams(types.MessageType.Error, result.internal_error))
    lines = document.lines
    diagnostics = []
    for finding in result.findings:
        client_range = document.range_to_client_units(_server_range(finding, lines))
        diagnostics.append(types.Diagnostic(
            range=client_range,
            message=f"{finding.message} [{finding.name}]",
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
        if isinstance(options.get("kerasVersion"), str):
            ls.keras_version = options["kerasVersion"]


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
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
def code_action(ls: KerascheckServer, params: types.CodeActionParams) -> list:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    lines = document.lines
    suppressions = Suppressions(document.source)
    actions = []
    for diagnostic in params.context.diagnostics:
        if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
            continue
        line = diagnostic.range.start.line + 1
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        if isinstance(data.get("line"), int):
            line = data["line"]
        noqa_line = suppressions.line_range(line)[1]  # a multi-line string: after its closing quotes
        if noqa_line > len(lines):
            continue
        text = lines[noqa_line - 1].rstrip("\r\n")
        new_text = add_noqa(text, diagnostic.code)
        if new_text == text:
            continue
        edit_range = document.range_to_client_units(ServerTextRange(
            ServerTextPosition(noqa_line - 1, 0), ServerTextPosition(noqa_line - 1, len(text))))
        actions.append(types.CodeAction(
            title=f"Suppress {diagnostic.code} with `# noqa: {diagnostic.code}`",
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=edit_range, new_text=new_text)]}),
        ))
    return actions


def serve() -> None:
    logging.basicConfig(level=logging.WARNING)  # pygls logs to stderr; stdout is the protocol
    server.start_io()
