"""The private storage on an S3-compatible object store (STORAGE_S3_BUCKET, see
config.settings): imported only when configured, with the s3 extra installed."""

from storages.backends.s3 import S3Storage

from learners.storage import PrivateStorage


class PrivateS3Storage(S3Storage):
    url = PrivateStorage.url  # no address: the views that check permission hand files out
