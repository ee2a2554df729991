"""Review sources: one module per platform (HTTP client + parser into the normalized Review)."""
