"""Prefect flows (nightly, backfill, reextract) and the ``ogi`` CLI."""

import atexit
import gc

# At exit, after every handler registered later (Prefect's, the warm extraction workers', multiprocessing's) has run,
# the interpreter's last collections would walk the whole heap of a process that imported Prefect: 0.3-0.5 s at the
# end of every ogi command and of every process-pool worker (whose exit the flow waits for). Frozen objects are
# skipped by the collector; everything is still freed, files closed and handlers run.
atexit.register(gc.freeze)
