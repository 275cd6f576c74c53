"""kerascheck inside other tools: the flake8 plugin (the language server is kerascheck.lsp)."""
