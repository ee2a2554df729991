"""Use cases: each runs one step of a review's life over the store, bus and senders it is given."""
