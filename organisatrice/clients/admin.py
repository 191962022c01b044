from django.contrib import admin

from .models import Building, Client, Contact


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["salutation", "first_name", "last_name", "function", "email", "phone", "language", "is_main"]


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0
    fields = ["name", "street", "postal_code", "city"]
    show_change_link = True


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "language", "phone", "email"]
    fields = ["kind", "name", "street", "postal_code", "city", "phone", "email", "language"]
    list_filter = ["kind", "language"]
    search_fields = ["name", "city", "email"]
    inlines = [BuildingInline, ContactInline]


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "street", "postal_code", "city"]
    fields = ["client", "name", "street", "postal_code", "city"]
    search_fields = ["name", "street", "city", "client__name"]
    list_filter = ["city"]
    autocomplete_fields = ["client"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "function", "email", "language", "is_main", "client", "building"]
    list_filter = ["language", "is_main"]
    search_fields = ["last_name", "first_name", "email", "client__name", "building__name"]
    autocomplete_fields = ["client", "building"]
    list_select_related = ["client", "building"]
