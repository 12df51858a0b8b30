"""Use cases. Each runs in a unit of work handed to it: it flushes, it never commits."""
