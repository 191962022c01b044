from django.urls import path

from . import views

app_name = "devtools"
urlpatterns = [
    path("mail-sink/", views.sink_list, name="sink"),
    path("mail-sink/<str:name>.eml", views.sink_message, name="sink_message"),
]
