from django.urls import path

from . import views

app_name = "sentcopy"

urlpatterns = [
    path("", views.mailbox_settings, name="settings"),
    path("remove/", views.mailbox_remove, name="remove"),
]
