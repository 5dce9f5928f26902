"""Lock waits on PostgreSQL sampled while a benchmark runs (bench/submissions.py,
bench/decision_pipeline.py)."""

from __future__ import annotations

import collections
import threading


class LockWaits:
    """Samples PostgreSQL every 20 ms while a benchmark's clients run: how often one of them
    waits for a lock, and on which statement (a serialisation point shows up here)."""

    def __init__(self, url: str) -> None:
        self.url, self.database = url, url.rsplit("/", 1)[1]
        self.samples = self.waiting = 0
        self.statements: collections.Counter[str] = collections.Counter()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def sample(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            while not self.stop.wait(0.02):
                rows = connection.execute(
                    "SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 90) FROM "
                    "pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                    (self.database,),
                ).fetchall()
                self.samples += 1
                self.waiting += bool(rows)
                self.statements.update(row[0] for row in rows)

    def __enter__(self) -> LockWaits:
        # Entered again (another round of the same benchmark), it goes on counting.
        self.stop.clear()
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join()

    def summary(self) -> str:
        share = self.waiting / self.samples if self.samples else 0
        top = "; ".join(f"{n}x {sql}" for sql, n in self.statements.most_common(3))
        return f"a client waited for a lock in {share:.0%} of {self.samples} samples: {top}"
