"""Where certificate PDFs are kept: ``STORAGES["certificates"]``, never under a public URL.

The embedded default is ``PrivateFileSystemStorage`` in ``PRIVATE_MEDIA_ROOT`` (outside MEDIA_ROOT);
a deployment on object storage points the alias at e.g. django-storages' S3 storage with short-lived
signed URLs. ``certificates.files`` hands the files out, after the views' permission checks.
"""

from django.core.files.storage import FileSystemStorage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk that have no address of their own: asking for one is a mistake, not a link."""

    def url(self, name):
        raise ValueError("Private files have no public URL: serve them through certificates.files.")


def certificate_storage():
    return storages["certificates"]
