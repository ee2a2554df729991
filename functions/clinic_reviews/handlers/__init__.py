"""Lambda entry points: parse the event, call the domain, return. One module per function."""
