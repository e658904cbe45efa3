"""Roster import, template and export pages (issue #3 point 5).

The machinery is generic (`core.imports`, `core.exports`); these classes name
the queryset, the importer/exporter and the templates. The export extends the
roster list (people): same scope, filters and sort, written as one row per
on-duty post of those people (`importers.RosterExporter`).
"""

from xuanpei.core.exports import ObjectExportView
from xuanpei.core.imports.views import ImportTemplateView, ObjectImportView
from xuanpei.workforce import views_people
from xuanpei.workforce.forms import PersonFilterSet
from xuanpei.workforce.models import Person, Post
from xuanpei.workforce.privacy import can_see_personal_data


class RosterImportView(ObjectImportView):
    queryset = Post.objects.all()
    importer_name = "roster"
    template_name = "workforce/roster_import.html"
    list_url_name = "workforce:person_list"

    def render(self, *, job, error=""):
        response = super().render(job=job, error=error)
        response.context_data["export_whole"] = can_see_personal_data(self.request.user)
        return response


class RosterTemplateView(ImportTemplateView):
    queryset = Post.objects.all()
    importer_name = "roster"


class RosterExportView(ObjectExportView):
    """The roster list's people — same scope, filters and sort — as the import's columns."""

    queryset = Person.objects.all()
    filterset_class = PersonFilterSet
    ordering_fields = views_people.PersonListView.ordering_fields
    default_ordering = views_people.PersonListView.default_ordering
    exporter_name = "roster"
