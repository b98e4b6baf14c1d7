"""The shared cache when there is no Redis: Django's database cache, with counters that
several processes can increment at once (the rate limits of learners.permissions). Its
table, shared_cache, is made by learners' migration 0008."""

import base64
import pickle

from django.core.cache.backends import db
from django.db import connections, router, transaction
from django.utils import timezone


class DatabaseCache(db.DatabaseCache):
    """Django's DatabaseCache increments by reading a value, then writing it back with the
    default timeout: two gunicorn workers counting the same client at once would both write
    n + 1, and an hour's counter would expire five minutes after its last use. Here incr()
    locks the row from the read to the write (SELECT … FOR UPDATE on PostgreSQL; on SQLite
    every transaction is BEGIN IMMEDIATE, see DATABASES in config.settings, so writers wait
    for each other) and keeps the row's expiry, as Redis does."""

    def incr(self, key, delta=1, version=None):
        cache_key = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        table = connection.ops.quote_name(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires >= %s{lock}",
                [cache_key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta  # noqa: S301 — ours
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s", [encoded, cache_key]
            )
        return value
