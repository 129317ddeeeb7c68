"""The in-process bus as Pub/Sub may behave: out of order, some messages twice, some duplicates racing.

A fault-injecting variant of the local bus for the reliability tests and
`bench/soak.py` (with shared/ops/chaos.py): whatever it does, the final tables
must equal those of a clean run. It is an adapter because it reorders and
duplicates inside the local bus's own delivery; runtime never builds it, the
tests install it (runtime.install).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping

from shared.adapters.local.local_bus import LocalBus, Message, Notification


class ChaosBus(LocalBus):
    """Delivers queued messages in random order, duplicating some, racing some duplicates."""

    def __init__(
        self,
        rng: random.Random,
        duplicate_rate: float = 0.2,
        race_rate: float = 0.5,
        project: str = "propflow-local",
        buckets: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(project, max_attempts=20, buckets=buckets)
        self.rng, self.duplicate_rate, self.race_rate = rng, duplicate_rate, race_rate
        self.stats: Counter[str] = Counter()

    def _deliver_all(self, message: Message | Notification, copies: int, race: bool) -> None:
        for deployment in message.subscribers():
            if race:
                threads = [threading.Thread(target=self.deliver, args=(message, deployment)) for _ in range(copies)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
            else:
                for _ in range(copies):
                    self.deliver(message, deployment)

    def drain(self) -> int:
        handled = 0
        while self.queue:
            index = self.rng.randrange(len(self.queue))
            if index:
                self.stats["reordered"] += 1
            message = self.queue[index]
            del self.queue[index]
            copies = 2 if self.rng.random() < self.duplicate_rate else 1
            race = copies > 1 and self.rng.random() < self.race_rate
            self.stats["duplicated"] += copies - 1
            self.stats["raced"] += int(race)
            self._deliver_all(message, copies, race)
            self.stats["messages"] += 1
            handled += 1
        return handled
