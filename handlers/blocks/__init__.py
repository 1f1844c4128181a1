"""Block Kit builders: the primitives (kit) and one module per feature."""
