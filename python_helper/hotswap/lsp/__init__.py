"""The hotswap language server (``python -m hotswap.lsp``): reload on save in any LSP editor."""
