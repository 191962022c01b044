from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="list"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/photos/<int:photo_id>/", views.photo_image, name="photo"),
    path("<int:pk>/photos/<int:photo_id>/thumbnail/", views.photo_thumbnail, name="photo_thumbnail"),
]
