"""Wagtail admin pages for importing lists of groups and members: upload, preview, import.

Only people ``members.permissions.can_import`` allows (trainers, officers, administrators) get here;
an upload is seen and committed only by the person who uploaded it. The rows are checked once, when
the preview is first shown, and what was found is kept (``import_batch_preview``); "Check again"
checks afresh, and so does the commit, which imports nothing the preview did not show.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from members import permissions
from members.exports import safe_cell
from members.imports import MAX_BYTES, MAX_ROWS, Action, FileProblem
from members.imports import columns as C
from members.imports.limits import not_a_list_message, too_large_message
from members.imports.samples import Example, column_notes, template_file
from members.models import CommunityGroup, ImportBatch
from members.services.imports import import_batch_commit, import_batch_create, import_batch_preview

ROWS_PER_PAGE = 200
PROBLEMS_SHOWN = 500
EXTENSIONS = {".csv", ".txt", ".xlsx", ".xls"}
# Short values kept on one line in the preview table, so that twelve columns fit at 1280 px.
ONE_LINE = {C.PHONE.key, C.COMMUNE.key, C.GROUP_CODE.key, C.BIRTH_YEAR.key, C.JOINED.key, C.CONSENT.key}


@dataclass(frozen=True)
class Cell:
    text: str
    one_line: bool
    wrong: bool  # a problem names this cell's column


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What does the file list?"),
        choices=[
            (ImportBatch.Kind.MEMBERS, gettext_lazy("Members of community groups (people)")),
            (ImportBatch.Kind.GROUPS, gettext_lazy("Community groups")),
        ],
        initial=ImportBatch.Kind.MEMBERS,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label=gettext_lazy("File (CSV or Excel .xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(too_large_message())
        if Path(upload.name).suffix.lower() not in EXTENSIONS:
            raise ValidationError(not_a_list_message())
        return upload


class _ImportMixin(WagtailAdminTemplateMixin):
    header_icon = "upload"
    page_title = gettext_lazy("Import lists")

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_import(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("members_import:start"), "label": self.page_title}]

    def get_batch(self) -> ImportBatch:
        return get_object_or_404(ImportBatch, pk=self.kwargs["pk"], uploaded_by=self.request.user)


class ImportStartView(_ImportMixin, FormView):
    template_name = "members/admin/import_form.html"
    form_class = ImportForm

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        titles = {
            ImportBatch.Kind.MEMBERS: _("Columns of a members file"),
            ImportBatch.Kind.GROUPS: _("Columns of a groups file"),
        }
        context["kinds"] = [
            {"value": kind, "title": title, "columns": column_notes(kind)} for kind, title in titles.items()
        ]
        context["max_mb"] = MAX_BYTES // (1024 * 1024)
        context["max_rows"] = MAX_ROWS
        context["recent"] = ImportBatch.objects.filter(uploaded_by=self.request.user).defer("content")[:10]
        context["province"] = permissions.is_provincial(self.request.user)
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            batch = import_batch_create(
                content=upload.read(),
                file_name=Path(upload.name).name,
                kind=form.cleaned_data["kind"],
                acting_user=self.request.user,
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        return redirect("members_import:preview", pk=batch.pk)


class ImportPreviewView(_ImportMixin, TemplateView):
    template_name = "members/admin/import_preview.html"

    def get_page_subtitle(self):
        return self.batch.file_name

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.batch.file_name}]

    def get(self, request, *args, **kwargs):
        self.batch = self.get_batch()
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.batch.is_committed:
            return ["members/admin/import_done.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.batch
        context["batch"] = batch
        if batch.is_committed or not batch.has_content:
            context["counts"] = batch.summary
            return context
        try:
            plan = import_batch_preview(
                batch=batch, acting_user=self.request.user, again=bool(self.request.GET.get("again"))
            )
        except FileProblem as problem:
            context["file_problem"] = problem.message
            return context
        context["checked_at"] = parse_datetime((batch.plan or {}).get("checked_at") or "")
        context.update(self._plan_context(plan))
        context["same_file_imported"] = (
            ImportBatch.objects.filter(
                sha256=batch.sha256, kind=batch.kind, status=ImportBatch.Status.COMMITTED
            )
            .order_by("-committed_at")
            .values_list("committed_at", flat=True)
            .first()
        )
        return context

    def _plan_context(self, plan) -> dict:
        show = self.request.GET.get("show", "")
        if show not in {action.value for action in Action}:
            show = ""
        rows = [row for row in plan.rows if row.action == show] if show else plan.rows
        page = Paginator(rows, ROWS_PER_PAGE).get_page(self.request.GET.get("p"))
        keys = [column.key for column in C.COLUMNS[plan.kind] if column.key in plan.table.positions]
        problems = plan.problems
        return {
            "plan": plan,
            "counts": plan.counts(),
            "columns": [(key, plan.table.header_of(key)) for key in keys],
            "page": page,
            "elided_page_range": page.paginator.get_elided_page_range(page.number),
            "table_rows": [(row, self._cells(plan, row, keys)) for row in page.object_list],
            "show": show,
            "filters": [
                ("", _("All rows"), len(plan.rows)),
                *[
                    (action.value, label, sum(1 for row in plan.rows if row.action == action))
                    for action, label in (
                        (Action.ERROR, _("Problems")),
                        (Action.CREATE, _("New")),
                        (Action.UPDATE, _("Changed")),
                        (Action.UNCHANGED, _("Unchanged")),
                    )
                ],
            ],
            "problems": problems[:PROBLEMS_SHOWN],
            "problems_hidden": max(0, len(problems) - PROBLEMS_SHOWN),
            "moves": [(row.number, note) for row in plan.rows for note in row.notes],
        }

    @staticmethod
    def _cells(plan, row, keys) -> list[Cell]:
        wrong = {problem.column for problem in row.problems}
        return [
            Cell(row.values.get(key, ""), key in ONE_LINE, plan.table.header_of(key) in wrong) for key in keys
        ]


class ImportCommitView(_ImportMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        try:
            plan = import_batch_commit(batch=batch, acting_user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            counts = plan.counts()
            messages.success(
                request,
                _("Imported %(file)s: %(created)s new rows, %(updated)s changed, %(unchanged)s unchanged.")
                % {
                    "file": batch.file_name,
                    "created": number_format(counts["create"], force_grouping=True),
                    "updated": number_format(counts["update"], force_grouping=True),
                    "unchanged": number_format(counts["unchanged"], force_grouping=True),
                },
            )
        return redirect("members_import:preview", pk=batch.pk)


class ImportProblemsView(_ImportMixin, View):
    """Every problem of an upload as a CSV, to work through in Excel next to the file."""

    def get(self, request, *args, **kwargs):
        batch = self.get_batch()
        if not batch.has_content:
            raise Http404
        try:
            plan = import_batch_preview(batch=batch, acting_user=request.user)
        except FileProblem:
            raise Http404 from None
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow([_("Row"), _("Column"), _("Problem")])
        for problem in plan.problems:
            writer.writerow([problem.row, safe_cell(problem.column), safe_cell(problem.message)])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
        stem = C.plain(Path(batch.file_name).stem)[:80] or "danh_sach"
        response["Content-Disposition"] = f'attachment; filename="{stem}_loi.csv"'
        return response


class ImportTemplateView(_ImportMixin, View):
    def get(self, request, kind: str, file_format: str):
        if kind not in ImportBatch.Kind.values or file_format not in {"csv", "xlsx"}:
            raise Http404
        content, content_type, name = template_file(
            kind=kind, file_format=file_format, example=self._example()
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def _example(self) -> Example:
        """An example row from the user's own commune, so that the template reads like their list."""
        user = self.request.user
        groups = CommunityGroup.objects.filter(
            commune__in=permissions.communes_managed_by(user), village__isnull=False
        )
        group = groups.select_related("commune", "village").order_by("code").first()
        if group is None:
            villages = permissions.villages_managed_by(user).select_related("commune")
            place = villages.order_by("commune__code", "name").first()
            code = place.commune.code if place else "01477"
            return Example(
                code, place.name if place else "Bản Giốc", f"{code}-001", "Tổ công nghệ số cộng đồng"
            )
        return Example(group.commune.code, group.village.name, group.code, group.name)


def urlpatterns():
    return [
        path("", ImportStartView.as_view(), name="start"),
        path("<int:pk>/", ImportPreviewView.as_view(), name="preview"),
        path("<int:pk>/import/", ImportCommitView.as_view(), name="commit"),
        path("<int:pk>/problems.csv", ImportProblemsView.as_view(), name="problems"),
        path("template/<str:kind>.<str:file_format>", ImportTemplateView.as_view(), name="template"),
    ]
