from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    """A file of groups or members uploaded for import, kept between the preview and the commit.

    ``content`` holds the rows of the file as read at upload (as CSV, whatever the file was; see
    ``members.imports.files``). They live in the database, not on a local disk: the preview and the
    commit may be served by different app processes. They are other people's personal data, so they
    are emptied once committed and by ``manage.py purge_import_files`` for previews nobody committed
    (and so is ``plan``, what the preview found);
    the row stays as the record of who imported what, when, with which counts (``summary``).
    """

    class Kind(models.TextChoices):
        GROUPS = "groups", _("community groups")
        MEMBERS = "members", _("group members")

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("checked, not imported yet")
        COMMITTED = "committed", _("imported")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content = models.BinaryField(_("content"), blank=True, default=b"")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    # What the preview found, row by row (``members.imports.plan.store``): shown again without checking
    # the file again. Names and numbers of the rows: emptied with ``content``.
    plan = models.JSONField(_("checked plan"), null=True, blank=True, default=None)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    purged_at = models.DateTimeField(_("file deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["groups", "members"]), name="importbatch_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["previewed", "committed", "failed"]), name="importbatch_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="committed") | Q(committed_at__isnull=False),
                name="importbatch_committed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["uploaded_by", "created_at"], name="importbatch_uploader_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    @property
    def is_committed(self) -> bool:
        return self.status == self.Status.COMMITTED

    @property
    def has_content(self) -> bool:
        return self.purged_at is None
