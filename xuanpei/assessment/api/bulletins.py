"""API: bulletins (issue #13 item 3), read-only — drafting and issuing are page actions
of the district (services_bulletins). A user reads what the pages show: the district
everything, a unit the issued bulletins naming it (`Bulletin.SCOPE_ADDRESSED`)."""

from django.urls import reverse
from rest_framework import serializers

from xuanpei.assessment.models import Bulletin
from xuanpei.core.api import DisplayField, ScopedReadOnlyViewSet


class BulletinSerializer(serializers.ModelSerializer):
    doc_code = serializers.CharField(read_only=True, help_text="发文字号，如 东安委办〔2026〕3号")
    status_display = DisplayField("status")
    docx_url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField()

    class Meta:
        model = Bulletin
        fields = [
            "id",
            "year",
            "quarter",
            "title",
            "doc_code",
            "status",
            "status_display",
            "addressees",
            "overview",
            "units_text",
            "problems",
            "next_steps",
            "signer",
            "signed_on",
            "issued_at",
            "docx_url",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_docx_url(self, obj) -> str:
        return reverse("assessment:bulletin_docx", args=[obj.pk])

    def get_pdf_url(self, obj) -> str:
        return reverse("assessment:bulletin_pdf", args=[obj.pk])


class BulletinViewSet(ScopedReadOnlyViewSet):
    queryset = Bulletin.objects.all()
    serializer_class = BulletinSerializer

    def get_queryset(self):
        qs = Bulletin.objects.for_user(self.request.user, "view").order_by(
            "-year", "-quarter", "-pk"
        )
        year, quarter = (
            self.request.query_params.get("year"),
            self.request.query_params.get("quarter"),
        )
        if year and year.isdigit():
            qs = qs.filter(year=int(year))
        if quarter and quarter.isdigit():
            qs = qs.filter(quarter=int(quarter))
        return qs


def register(router) -> None:
    """Register this area's viewsets on the assessment router."""
    router.register("assessment-bulletins", BulletinViewSet, basename="assessment-bulletin")
