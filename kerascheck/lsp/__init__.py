"""The language server (`kerascheck lsp`, extra `kerascheck[lsp]`): see kerascheck/lsp/server.py."""
