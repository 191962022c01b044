from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from organisatrice.backoffice import ViewOnlyAdmin

from .billing import orders_ready_to_bill, orders_with_undelivered_reports, ready_to_bill_csv_write
from .models import (
    Offer,
    OfferLine,
    Order,
    OrderEvent,
    OrderReadyToBill,
    Photo,
    WorkReport,
    WorkReportLine,
    WorkReportMaterial,
)
from .search import search_normalise


class WorkReportInline(admin.TabularInline):
    model = WorkReport
    extra = 0
    fields = ["date", "remarks", "reported_at"]
    readonly_fields = ["reported_at"]
    show_change_link = True


class PhotoInline(admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["image", "caption", "taken_at", "taken_by", "building"]


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    fields = ["number", "date", "valid_until"]
    show_change_link = True


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    fields = ("created_at", "kind", "actor", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        # The timeline is written by the services only.
        return False


class OrderSearchAdmin(admin.ModelAdmin):
    """The backoffice finds orders as the order list does: by number, title, client, building,
    responsible or contact, accents and case aside, in the normalised words each order keeps
    (orders/search.py). Also what the other pages' order pickers search."""

    search_fields = ["search_text__contains"]
    search_help_text = _("Numéro, titre, client, bâtiment, responsable ou contact, avec ou sans accents.")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        return super().get_search_results(request, queryset, search_normalise(search_term))


@admin.register(Order)
class OrderAdmin(OrderSearchAdmin):
    list_display = ["number", "title", "client", "responsible", "status", "start_date", "reported_at"]
    list_filter = ("status", "responsible", ("reported_at", admin.EmptyFieldListFilter), "start_date")
    autocomplete_fields = ["client", "buildings", "responsible"]
    readonly_fields = ["number", "created_at", "reported_at"]
    list_select_related = ["client", "responsible"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [WorkReportInline, PhotoInline, OfferInline, OrderEventInline]


class WorkReportLineInline(admin.TabularInline):
    model = WorkReportLine
    extra = 0
    autocomplete_fields = ["employee"]


class WorkReportMaterialInline(admin.TabularInline):
    model = WorkReportMaterial
    extra = 0


@admin.register(WorkReport)
class WorkReportAdmin(admin.ModelAdmin):
    list_display = ["order", "date", "reported_at"]
    list_filter = (("reported_at", admin.EmptyFieldListFilter), "date")
    search_fields = ["order__number", "order__title", "remarks"]
    autocomplete_fields = ["order", "employees"]
    readonly_fields = ["reported_at"]
    list_select_related = ["order"]
    show_full_result_count = False
    inlines = [WorkReportLineInline, WorkReportMaterialInline]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["order", "caption", "taken_at", "taken_by"]
    search_fields = ["order__number", "caption"]
    autocomplete_fields = ["order", "taken_by", "building"]
    list_select_related = ["order", "taken_by"]
    show_full_result_count = False


class OfferLineInline(admin.TabularInline):
    model = OfferLine
    extra = 0


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = ["number", "order", "date", "valid_until"]
    search_fields = ["number", "order__number", "order__title"]
    autocomplete_fields = ["order"]
    list_select_related = ["order"]
    show_full_result_count = False
    inlines = [OfferLineInline]


@admin.register(OrderReadyToBill)
class OrderReadyToBillAdmin(OrderSearchAdmin, ViewOnlyAdmin):
    list_display = [
        "number",
        "title",
        "client",
        "responsible",
        "status",
        "reported_at",
        "reported_reports",
        "undelivered_reports",
    ]
    list_filter = [("reported_at", admin.DateFieldListFilter), "status", "responsible"]
    list_select_related = ["client", "responsible"]
    date_hierarchy = "reported_at"
    change_list_template = "admin/orders/orderreadytobill/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return orders_with_undelivered_reports(orders_ready_to_bill(super().get_queryset(request)))

    @admin.display(description=_("non remis"))
    def undelivered_reports(self, obj: Any) -> str:
        # A report counted as transmitted whose email reached none of its To recipients.
        if not obj.undelivered_reports:
            return ""
        return gettext("%(count)d rapport(s) non remis") % {"count": obj.undelivered_reports}

    @admin.display(description=_("rapports transmis"))
    def reported_reports(self, obj: Any) -> int:
        return obj.work_reports.filter(reported_at__isnull=False).count()

    def get_urls(self) -> list:
        return [
            path("export.csv", self.admin_site.admin_view(self.export_csv), name="orders_orderreadytobill_export"),
            *super().get_urls(),
        ]

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The list as filtered on screen, one line per transmitted work report."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="commandes-a-facturer.csv"'
        ready_to_bill_csv_write(orders=self.get_changelist_instance(request).get_queryset(request), out=response)
        return response
