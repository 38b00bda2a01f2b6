"""What the surveys app tells the apps above it, without importing them (apps depend one way)."""

from django.dispatch import Signal

# Sent with `cycle_id` once every response of a cycle is stored and the cycle is closed: at
# closing, and after a past-results import. Sent inside the transaction that finished it; a
# receiver only enqueues work, after commit (scorecards aggregates).
cycle_finished = Signal()

# Sent with `cycle_id` when HR publishes a cycle's results (surveys.services.lifecycle.cycle_publish);
# a receiver only enqueues work, after commit (scorecards evaluates the awards).
cycle_published = Signal()
