"""Media on S3-compatible object storage (``MEDIA_STORAGE=s3``; settings in ``lms.settings.env``).

Two buckets. Pictures and their renditions are in a bucket anyone may read, at ``S3_MEDIA_URL``
(the proxy's ``/media/`` or the store's own address), so a lesson's pictures load without the app.
Lesson documents are in a private bucket: a document is as private as the pages that use it
(``courses.visibility``), so it is only ever streamed by the app's ``/documents/…`` view, and its
name, which the document's own address shows, must not open it anywhere else. Certificate PDFs
(``STORAGES["certificates"]``) live in that private bucket too.

Wagtail gives documents and images the one default storage, so ``MediaStorage`` routes by the
name's folder: Wagtail saves documents under ``documents/``.
"""

from django.core.files.storage import Storage
from django.utils.deconstruct import deconstructible
from storages.backends.s3 import S3Storage

PRIVATE_FOLDERS = ("documents/",)


@deconstructible(path="ops.storage.MediaStorage")
class MediaStorage(Storage):
    """The default storage on object storage: ``documents/…`` in the private bucket, the rest in the
    public one. Every Storage method asks the bucket that holds the name."""

    def __init__(self, *, bucket_name, private_bucket_name, custom_domain, url_protocol="https:", **options):
        self.public = S3Storage(
            bucket_name=bucket_name,
            custom_domain=custom_domain,
            url_protocol=url_protocol,
            querystring_auth=False,
            **options,
        )
        self.private = S3Storage(bucket_name=private_bucket_name, querystring_auth=True, **options)

    def bucket_for(self, name: str) -> S3Storage:
        return self.private if str(name).lstrip("/").startswith(PRIVATE_FOLDERS) else self.public

    def _open(self, name, mode="rb"):
        return self.bucket_for(name)._open(name, mode)

    def _save(self, name, content):
        return self.bucket_for(name)._save(name, content)

    def get_available_name(self, name, max_length=None):
        return self.bucket_for(name).get_available_name(name, max_length=max_length)

    def delete(self, name):
        return self.bucket_for(name).delete(name)

    def exists(self, name):
        return self.bucket_for(name).exists(name)

    def listdir(self, path):
        return self.bucket_for(path).listdir(path)

    def size(self, name):
        return self.bucket_for(name).size(name)

    def url(self, name, parameters=None, expire=None, http_method=None):
        return self.bucket_for(name).url(name, parameters=parameters, expire=expire, http_method=http_method)

    def get_modified_time(self, name):
        return self.bucket_for(name).get_modified_time(name)
