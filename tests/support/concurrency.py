"""Racing real threads against PostgreSQL, each on its own connection."""

import threading

from django.db import connection

from apps.core.errors import DomainError


def race(count: int, attempt) -> list:
    """Run `attempt(i)` in `count` threads released together; what each returned, or the domain
    error it raised (in the order they finished)."""
    barrier = threading.Barrier(count)
    results = []

    def run(i):
        try:
            barrier.wait()
            results.append(attempt(i))
        except DomainError as exc:
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
